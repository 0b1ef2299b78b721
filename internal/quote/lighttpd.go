package quote

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Lighttpd returns s as a lighttpd.conf string in double quotes. lighttpd
// 1.4 reads \" there as " and keeps every other \ as it is, with no other
// escape: nothing is interpolated ($, %, # are plain characters). ok is
// false for what no lighttpd string holds: a trailing \ (it would escape
// the closing quote) and any character outside printable ASCII (a line
// end ends the string; a header value holds none of them anyway).
func Lighttpd(s string) (quoted string, ok bool) {
	if strings.HasSuffix(s, `\`) || strings.IndexFunc(s, func(r rune) bool { return !printable(r) }) >= 0 {
		return "", false
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`, true
}

// XML returns s as XML character data, for element content and for
// attribute values in either quote: &, <, >, " and ' are written as
// entities, tab, LF and CR as character references (so that a parser
// keeps them as they are), and every other character outside printable
// ASCII as a character reference. ok is false for what no XML 1.0 document
// holds, even as a reference: other control characters, U+FFFE, U+FFFF,
// surrogates and invalid UTF-8.
func XML(s string) (quoted string, ok bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xfffe, r == 0xffff, r >= 0xd800 && r <= 0xdfff:
			return "", false
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case !printable(r):
			fmt.Fprintf(&b, "&#x%X;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), true
}
