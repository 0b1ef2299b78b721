package check

import (
	"encoding/json"
	"fmt"
	"io"
)

// The bounds of the JSON a HAR is read from: whatever the file holds, the
// decoder never buffers more than one string of maxJSONString bytes, and
// nesting and bare literals stay small.
const (
	// maxJSONString is the most of a string the decoder sees; the rest is
	// dropped before it reaches the decoder. Every field corskit keeps is
	// capped far below maxJSONString/6 (the fewest bytes it decodes to), so
	// a dropped tail is always seen as a field over its cap.
	maxJSONString = 1 << 20
	maxJSONDepth  = 64
	maxJSONBare   = 256 // a number, true, false or null
	// maxJSONItem bounds a value nested four deep (a HAR's entry) once its
	// strings are cut: what the decoder buffers to decode one entry.
	maxJSONItem   = 4 << 20
	jsonItemDepth = 4
)

// jsonGuard passes JSON through, dropping the part of each string beyond
// maxJSONString bytes, and fails on nesting deeper than maxJSONDepth or a
// bare literal longer than maxJSONBare: what keeps a hostile file from
// making encoding/json's Decoder buffer it whole.
type jsonGuard struct {
	r        io.Reader
	inString bool
	escape   int  // bytes left of an escape sequence: 1 after \, 4 after \u
	dropping bool // past maxJSONString in the current string
	n        int  // bytes of the current string or literal so far
	depth    int
	item     int // bytes of the current value nested jsonItemDepth deep
	err      error
}

func (g *jsonGuard) Read(p []byte) (int, error) {
	for {
		if g.err != nil {
			return 0, g.err
		}
		n, err := g.r.Read(p)
		out := 0
		for _, c := range p[:n] {
			keep, gerr := g.step(c)
			if keep && g.depth >= jsonItemDepth {
				if g.item++; g.item > maxJSONItem {
					gerr = fmt.Errorf("an entry holds more than %d MiB besides the long bodies corskit cuts", maxJSONItem>>20)
				}
			}
			if gerr != nil {
				g.err = gerr
				break
			}
			if keep {
				p[out] = c
				out++
			}
		}
		if g.err == nil && err != nil {
			g.err = err
		}
		if out > 0 || g.err != nil {
			if out > 0 {
				return out, nil
			}
			return 0, g.err
		}
	}
}

// step takes one byte and says whether the decoder sees it.
func (g *jsonGuard) step(c byte) (bool, error) {
	if g.inString {
		switch {
		case g.escape > 0:
			if g.escape == 1 && c == 'u' {
				g.escape = 4
			} else {
				g.escape--
			}
		case c == '\\':
			if !g.dropping && g.n >= maxJSONString {
				g.dropping = true
			}
			g.escape = 1
		case c == '"':
			g.inString, g.dropping = false, false
			return true, nil
		default:
			if !g.dropping && g.n >= maxJSONString {
				g.dropping = true
			}
		}
		g.n++
		return !g.dropping, nil
	}
	switch c {
	case '"':
		g.inString, g.n, g.escape = true, 0, 0
	case '{', '[':
		if g.depth++; g.depth > maxJSONDepth {
			return false, fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
		}
		if g.depth == jsonItemDepth {
			g.item = 0
		}
		g.n = 0
	case '}', ']':
		g.depth--
		g.n = 0
	case ' ', '\t', '\n', '\r', ',', ':':
		g.n = 0
	default:
		if g.n++; g.n > maxJSONBare {
			return false, fmt.Errorf("a bare value longer than %d bytes", maxJSONBare)
		}
	}
	return true, nil
}

// tokens reads JSON a token at a time.
type tokens struct{ dec *json.Decoder }

// delim reads the next token and reports whether it is d.
func (t tokens) delim(d json.Delim) (bool, error) {
	tok, err := t.dec.Token()
	if err != nil {
		return false, err
	}
	if tok == d {
		return true, nil
	}
	if o, ok := tok.(json.Delim); ok {
		return false, t.skipRest(o)
	}
	return false, nil
}

// skipRest skips what follows the opening delimiter o, up to its close.
func (t tokens) skipRest(o json.Delim) error {
	if o != '{' && o != '[' {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := t.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// skip skips one value.
func (t tokens) skip() error {
	tok, err := t.dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); ok {
		return t.skipRest(d)
	}
	return nil
}

// object reads an object, calling field for each key with the value still
// to read; field must read or skip it. Another value than an object is
// skipped and gives false.
func (t tokens) object(field func(key string) error) (bool, error) {
	ok, err := t.delim('{')
	if !ok || err != nil {
		return false, err
	}
	for t.dec.More() {
		tok, err := t.dec.Token()
		if err != nil {
			return true, err
		}
		key, _ := tok.(string)
		if err := field(key); err != nil {
			return true, err
		}
	}
	_, err = t.dec.Token()
	return true, err
}

// array reads an array, calling elem for each element, which it must read
// or skip.
func (t tokens) array(elem func() error) (bool, error) {
	ok, err := t.delim('[')
	if !ok || err != nil {
		return false, err
	}
	for t.dec.More() {
		if err := elem(); err != nil {
			return true, err
		}
	}
	_, err = t.dec.Token()
	return true, err
}
