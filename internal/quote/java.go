package quote

import (
	"fmt"
	"strings"
)

// Java returns s as a Java string literal. javac turns every \uXXXX of the
// source into its character before it reads anything else, in literals and
// comments alike, so a \u000a would end the line: the literal's own escapes
// are \\ and \" and octal \NNN below U+0100, and \uXXXX only for characters
// from U+0100 on, none of which ends a line or a literal in Java. Every \
// of the value is doubled, so no \u of the value is ever an escape (javac
// reads \u as one only after an even run of backslashes).
func Java(s string) string {
	return `"` + escapeRunes(s, `\"`, javaEscape) + `"`
}

func javaEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\\' || r == '"':
		b.WriteByte('\\')
		b.WriteRune(r)
	case r < 0x100:
		fmt.Fprintf(b, `\%03o`, r)
	default:
		utf16Escape(b, r)
	}
}

// JavaComment returns s for a Java // comment: as Comment does, and with
// every \ doubled, so that no \u000a of the value becomes a line end when
// javac reads Unicode escapes (which it does in comments too).
func JavaComment(s string) string {
	return strings.ReplaceAll(Comment(s), `\`, `\\`)
}
