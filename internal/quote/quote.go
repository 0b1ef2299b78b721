// Package quote writes a value as a literal of the language it lands in:
// one function per language (or per kind of literal where a language has
// several), each returning text that the language's own parser reads back
// as exactly the value, with nothing of the value outside the literal.
//
// Values are untrusted: a policy file, a flag or a diagnosed server's answer
// may hold quotes, backslashes, $, backticks, braces, newlines or NUL. The
// functions escape every character outside printable ASCII, so their
// output is one line of ASCII whatever the input.
package quote

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// printable reports whether c is printable ASCII (space to ~).
func printable(c rune) bool { return c >= 0x20 && c < 0x7f }

// escapeRunes writes s, calling esc for each rune outside printable ASCII
// and for each rune in special; invalid UTF-8 is read as U+FFFD.
func escapeRunes(s, special string, esc func(b *strings.Builder, r rune)) string {
	var b strings.Builder
	for _, r := range s {
		if !printable(r) || strings.ContainsRune(special, r) {
			esc(&b, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// utf16Escape writes r as \uHHHH, or as a surrogate pair of them beyond
// the basic plane: the escape JavaScript, JSON and Java share.
func utf16Escape(b *strings.Builder, r rune) {
	if r < 0x10000 {
		fmt.Fprintf(b, `\u%04x`, r)
		return
	}
	r -= 0x10000
	fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
}

// Go returns s as a Go interpreted string literal.
func Go(s string) string { return strconv.Quote(s) }

// PHP returns s as a PHP single-quoted string: only \ and ' are special
// there, and nothing is interpolated. Bytes are kept as they are: PHP
// strings are bytes.
func PHP(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Ruby returns s as a Ruby string literal. Printable ASCII is written
// single-quoted, where, as in PHP, only \ and ' are special and #{} is not
// interpolated. Anything else is written double-quoted with every byte
// outside printable ASCII as \xHH (a UTF-8 source file may not hold
// invalid bytes, and a control character would end a line or a comment),
// and \, " and # escaped, so nothing is interpolated.
func Ruby(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		ascii = ascii && s[i] >= 0x20 && s[i] <= 0x7e
	}
	if ascii {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
	}
	return doubleQuotedHex(s, '#')
}

// doubleQuotedHex returns s in double quotes with \, " and special escaped
// by \ and every byte outside printable ASCII written \xHH: the form Ruby
// and HAProxy both read back byte for byte (special is the one that would
// interpolate: # in Ruby, $ in HAProxy).
func doubleQuotedHex(s string, special byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '"' || c == special:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// JS returns s as a JavaScript single-quoted string. Every character
// outside printable ASCII is escaped, U+2028 and U+2029 (which end a line
// in older engines and in comments) among them.
func JS(s string) string {
	return "'" + escapeRunes(s, `\'`, jsEscape) + "'"
}

func jsEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\\' || r == '\'' || r == '/':
		b.WriteByte('\\')
		b.WriteRune(r)
	case r < 0x100:
		fmt.Fprintf(b, `\x%02x`, r)
	default:
		utf16Escape(b, r)
	}
}

// JSRegexp returns an RE2 expression as a JavaScript regular expression
// literal (/.../, no flags): an unescaped / is escaped, an escaped one
// kept, and a character outside printable ASCII written as \xHH or \uHHHH,
// which the expression reads as the same character.
func JSRegexp(re string) string {
	var b strings.Builder
	b.WriteByte('/')
	escaped := false
	for _, r := range re {
		switch {
		case !printable(r):
			// \<c> and <c> are the same literal for a non-printable c.
			escaped = false
			jsEscape(&b, r)
			continue
		case escaped:
			b.WriteByte('\\')
			b.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == '/':
			b.WriteString(`\/`)
		default:
			b.WriteRune(r)
		}
	}
	if escaped {
		b.WriteString(`\\`) // a trailing backslash, which RE2 refuses anyway
	}
	b.WriteByte('/')
	return b.String()
}

// Python returns s as a Python double-quoted str literal, with every
// character outside printable ASCII escaped.
func Python(s string) string {
	return `"` + escapeRunes(s, `\"`, pyEscape) + `"`
}

// pyEscape writes r as yamlEscape does, except a rune below U+0100 other
// than \ and ", which it writes \xHH as Python does.
func pyEscape(b *strings.Builder, r rune) {
	if r < 0x100 && r != '\\' && r != '"' {
		fmt.Fprintf(b, `\x%02x`, r)
		return
	}
	yamlEscape(b, r)
}

// PythonRegexp returns a regular expression as a Python raw string
// (r"..."), which keeps its backslashes as they are written, when a raw
// string can hold it; otherwise as Python returns it.
func PythonRegexp(re string) string {
	trailing := len(re) - len(strings.TrimRight(re, `\`))
	if strings.ContainsRune(re, '"') || trailing%2 == 1 || strings.IndexFunc(re, func(r rune) bool { return !printable(r) }) >= 0 {
		return Python(re)
	}
	return `r"` + re + `"`
}

// Shell returns s as one word of a POSIX shell command line: as it is when
// it holds only characters no shell reads specially, else single-quoted.
func Shell(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/,=+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// YAML returns s as a YAML double-quoted scalar: every character outside
// printable ASCII is escaped (\uHHHH, or \UHHHHHHHH beyond the basic plane;
// below it, the string is also JSON's), so no YAML indicator (: # & * ! -
// { }) and no line break can act.
func YAML(s string) string {
	return `"` + escapeRunes(s, `\"`, yamlEscape) + `"`
}

// yamlEscape writes \ and " backslashed and any other rune as \uHHHH, or
// \UHHHHHHHH beyond the basic plane (YAML's and Python's escapes).
func yamlEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\\' || r == '"':
		b.WriteByte('\\')
		b.WriteRune(r)
	case r < 0x10000:
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		fmt.Fprintf(b, `\U%08x`, r)
	}
}

// GoTemplate escapes text for a file that is read as a Go text/template
// before anything else (Traefik's dynamic configuration files): every {{
// becomes an action that prints {{.
func GoTemplate(text string) string {
	return strings.ReplaceAll(text, "{{", `{{"{{"}}`)
}

// Comment returns s for a line comment (# or //): control characters,
// U+0085, U+2028 and U+2029 (which some languages read as line ends) and
// every other character outside printable ASCII are written as \n, \xHH or
// \uHHHH, so the comment ends at the end of its line and nowhere else.
func Comment(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !printable(r) }) < 0 {
		return s
	}
	return escapeRunes(s, "", func(b *strings.Builder, r rune) {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			pyEscape(b, r)
		}
	})
}

// PHPComment returns s for a PHP // comment, which ends at a line end and
// also at ?>, where PHP leaves code: ?> is written ?\>.
func PHPComment(s string) string {
	return strings.ReplaceAll(Comment(s), "?>", `?\>`)
}

// XMLComment returns s for the inside of an XML comment <!-- -->, which
// may not hold -- nor end with -: a - is followed by a space where another
// - (or the comment's end) would follow.
func XMLComment(s string) string {
	s = Comment(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '-' && (i+1 == len(s) || s[i+1] == '-') {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// SymfonyYAML returns s as a YAML double-quoted scalar for a Symfony
// configuration file, where the container then reads %name% as a
// parameter (and %env(NAME)% as an environment variable): every % is
// written %%, which Symfony reads back as one %.
func SymfonyYAML(s string) string {
	return YAML(strings.ReplaceAll(s, "%", "%%"))
}

// JSON returns s as a JSON string: every character outside printable
// ASCII is written \uHHHH (a surrogate pair beyond the basic plane), and \
// and " are backslashed, so the string is one line of ASCII that every JSON
// reader, and JavaScript, reads back as s (invalid UTF-8 as U+FFFD).
func JSON(s string) string {
	return `"` + escapeRunes(s, `\"`, jsonEscape) + `"`
}

// jsonEscape writes \ and " backslashed and any other rune as JSON's
// \uHHHH, a surrogate pair beyond the basic plane.
func jsonEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\\' || r == '"':
		b.WriteByte('\\')
		b.WriteRune(r)
	default:
		utf16Escape(b, r)
	}
}

// TOML returns s as a TOML basic string ("..."): \ and " backslashed,
// every other character outside printable ASCII written \uHHHH or
// \UHHHHHHHH (TOML's escapes, which YAML shares), so no newline, control
// character or comment can leave the string.
func TOML(s string) string {
	return `"` + escapeRunes(s, `\"`, yamlEscape) + `"`
}

// HeaderLine returns s for a name: value line of a file that has no
// quoting at all (Netlify's _headers): s itself when it is printable ASCII
// without leading or trailing space, else ok is false, since no escape
// could keep a line break or control character from ending the line.
func HeaderLine(s string) (line string, ok bool) {
	if s != strings.TrimSpace(s) || strings.IndexFunc(s, func(r rune) bool { return !printable(r) }) >= 0 {
		return "", false
	}
	return s, true
}
