package quote

// CSharp returns s as a C# regular string literal: \ and " escaped, and
// every character outside printable ASCII written \uXXXX, or \UXXXXXXXX
// beyond the basic plane (C# reads both in a regular literal; it has no
// variable-length escape here, unlike \x). C# reads no escapes in comments,
// so Comment is its line-comment quoting.
func CSharp(s string) string {
	return `"` + escapeRunes(s, `\"`, yamlEscape) + `"`
}
