package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// terminalSafe writes to w what a terminal shows as text only: servers,
// HARs and pasted copies are hostile, and a value they chose (a header, a
// status text, an error) could otherwise move the cursor, rewrite earlier
// lines, retitle the window or hide text. Tab and newline pass; every other
// control character (C0, DEL, C1), and every byte that is not UTF-8, is
// written as a visible escape (\x1b, \r, \u009b); an ESC passes only as the
// start of one of corskit's own colours (see newStyle), which only colour.
type terminalSafe struct{ w io.Writer }

// ownEscapes are the SGR sequences corskit writes itself, after ESC.
var ownEscapes = []string{"[0m", "[1m", "[2m", "[31m", "[32m", "[33m"}

func (t terminalSafe) Write(p []byte) (int, error) {
	if clean(p) {
		return t.w.Write(p)
	}
	var b strings.Builder
	b.Grow(len(p) + 16)
	for i := 0; i < len(p); {
		c := p[i]
		if c == 0x1b {
			if own := ownEscape(p[i+1:]); own != "" {
				b.WriteByte(c)
				b.WriteString(own)
				i += 1 + len(own)
				continue
			}
		}
		if c < utf8.RuneSelf {
			if c == '\t' || c == '\n' || c >= 0x20 && c != 0x7f {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, c)
		case r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029', r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			// C1 controls (0x9b is a CSI to some terminals), line separators
			// and bidirectional overrides, which reorder what is shown.
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.Write(p[i : i+n])
		}
		i += n
	}
	if _, err := io.WriteString(t.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// clean reports whether p is printable ASCII, tabs and newlines: the common
// case, written as it is.
func clean(p []byte) bool {
	for _, c := range p {
		if c >= 0x7f || c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
}

// ownEscape returns the one of ownEscapes p starts with, or "".
func ownEscape(p []byte) string {
	for _, e := range ownEscapes {
		if len(p) >= len(e) && string(p[:len(e)]) == e {
			return e
		}
	}
	return ""
}

// Unwrap returns the writer underneath, for the terminal check of useColor.
func (t terminalSafe) Unwrap() io.Writer { return t.w }
