package proxy

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// refusal is why the gateway refuses a request's path: what is wrong, and
// what to do about it.
type refusal struct{ what, detail string }

func dotSegment(path string) *refusal {
	return &refusal{"dot segment in the path", fmt.Sprintf(
		"the path %q has a . or .. segment (perhaps percent-encoded); browsers never send one, and the upstream could resolve it into another route's path: send the path resolved", path)}
}

func controlCharacter(path string) *refusal {
	return &refusal{"control character in the path", fmt.Sprintf(
		"the path %q has a control character or NUL (perhaps percent-encoded, e.g. %%00, %%09, %%0A), which upstreams read in different ways: remove it", path)}
}

// pick returns the route for path, a request's decoded path, or why the
// path is refused. Every reading of the path an upstream may make must
// pick the same route: the path as routePath reads it; with each
// segment's trailing dots and spaces dropped (as Windows, and so IIS,
// do); and, if it still holds percent-escapes, decoded once more. Case is
// ignored unless the routes are case-sensitive.
func (t *routeTable) pick(path string) (compiledRoute, *refusal) {
	p, ref := routePath(path)
	if ref != nil {
		return compiledRoute{}, ref
	}
	r := t.match(p)
	if len(t.routes) == 0 && strings.IndexByte(path, '%') < 0 {
		return r, nil // one policy: no reading can pick another
	}
	if q, ok := trimSegments(p); ok && t.match(q).prefix != r.prefix {
		return compiledRoute{}, &refusal{"ambiguous path", fmt.Sprintf(
			"the path %q reads as %q to an upstream that drops a segment's trailing dots and spaces (Windows, IIS), which another route covers; remove them", path, q)}
	}
	if strings.IndexByte(path, '%') < 0 {
		return r, nil
	}
	twice, err := url.PathUnescape(path)
	if err != nil {
		return r, nil // a % not followed by two hex digits is not an escape
	}
	q, ref := routePath(twice)
	if ref != nil {
		return compiledRoute{}, &refusal{ref.what, ref.detail + " (the path as decoded twice)"}
	}
	if q2, ok := trimSegments(q); t.match(q).prefix != r.prefix || ok && t.match(q2).prefix != r.prefix {
		return compiledRoute{}, &refusal{"ambiguous path", fmt.Sprintf(
			"the path %q reads as %q to an upstream that decodes it twice, which another route covers; encode it once", path, q)}
	}
	return r, nil
}

// routePath is the path routes are matched on, for path, a request's
// decoded path: backslashes read as slashes, doubled slashes as one, and
// ;parameters dropped from each segment, so that a route applies to every
// spelling an upstream could resolve to it (nginx merges slashes; IIS reads
// \ as /; Tomcat drops ;parameters). It refuses a path with a . or ..
// segment (written so, percent-encoded once more, or before a ;), or one of
// dots only: how the upstream resolves one cannot be known, and browsers
// resolve them before sending. It refuses control characters and NUL. The
// path sent upstream is the client's, unchanged.
func routePath(path string) (string, *refusal) {
	plain := true // no \, ;, %, // nor /.
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '\\', ';', '%':
			plain = false
		case '/', '.':
			if i > 0 && path[i-1] == '/' {
				plain = false
			}
		default:
			if c < ' ' || c == 0x7f {
				return "", controlCharacter(path)
			}
		}
	}
	if plain {
		return path, nil
	}
	var b strings.Builder
	b.Grow(len(path))
	rest := path
	for rest != "" {
		var seg string
		if i := strings.IndexAny(rest, "/\\"); i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			seg, rest = rest, ""
		}
		seg, _, _ = strings.Cut(seg, ";")
		if isDotSegment(seg) {
			return "", dotSegment(path)
		}
		if seg != "" {
			b.WriteByte('/')
			b.WriteString(seg)
		}
	}
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, "\\") || b.Len() == 0 {
		b.WriteByte('/')
	}
	return b.String(), nil
}

// isDotSegment reports whether seg is made of dots only (. and .., and
// ... which Windows reads as ..), each written as such or as %2e (a path
// percent-encoded twice decodes to that once).
func isDotSegment(seg string) bool {
	if seg == "" {
		return false
	}
	for i := 0; i < len(seg); {
		switch {
		case seg[i] == '.':
			i++
		case i+3 <= len(seg) && seg[i] == '%' && seg[i+1] == '2' && (seg[i+2] == 'e' || seg[i+2] == 'E'):
			i += 3
		default:
			return false
		}
	}
	return true
}

// trimSegments is p, a routePath, with each segment's trailing dots and
// spaces dropped, as Windows drops them from file names; false if no
// segment has any.
func trimSegments(p string) (string, bool) {
	found := false
	for i := 0; i < len(p); i++ {
		if (p[i] == '.' || p[i] == ' ') && (i+1 == len(p) || p[i+1] == '/') {
			found = true
			break
		}
	}
	if !found {
		return p, false
	}
	var b strings.Builder
	b.Grow(len(p))
	for i, seg := range strings.Split(p, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strings.TrimRight(seg, ". "))
	}
	return b.String(), true
}

// hasPrefixFold reports whether s begins with prefix, ignoring case: two
// characters are alike when upper-casing then lower-casing them gives the
// same, so that ſ is s, the Kelvin sign k, and ı and İ are i, as an
// upstream that compares upper- or lower-cased paths (.NET's
// OrdinalIgnoreCase, JavaScript's /i) may take them. Bytes that are not
// UTF-8 are alike only when equal.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		if a, b := s[0], prefix[0]; a < utf8.RuneSelf && b < utf8.RuneSelf {
			if lowerASCII(a) != lowerASCII(b) {
				return false
			}
			s, prefix = s[1:], prefix[1:]
			continue
		}
		r1, n1 := utf8.DecodeRuneInString(s)
		r2, n2 := utf8.DecodeRuneInString(prefix)
		if r1 == utf8.RuneError && n1 == 1 || r2 == utf8.RuneError && n2 == 1 {
			if s[0] != prefix[0] {
				return false
			}
			s, prefix = s[1:], prefix[1:]
			continue
		}
		if foldRune(r1) != foldRune(r2) {
			return false
		}
		s, prefix = s[n1:], prefix[n2:]
	}
	return true
}

func foldRune(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
