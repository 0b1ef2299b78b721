package web

import (
	"html"
	"regexp"
	"strings"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/gen"
)

// stackSelect is the page's stack chooser, whose options come from the
// stack registry (gen's stack files) when the page is served.
var stackSelect = regexp.MustCompile(`(?s)<select id="stack">.*?</select>`)

// withStacks writes the registry's stacks into the page's stack chooser:
// "detect" first, then each stack the doctor writes a fix for, by title.
// A stack not proved on a real server (gen.Stack.Proved) says so in its
// title, and carries why in data-unproved, which the fix tabs show.
func withStacks(index []byte) []byte {
	var b strings.Builder
	b.WriteString(`<select id="stack"><option value="auto">detect</option>`)
	for _, name := range check.Stacks() {
		title, unproved := name, ""
		if s, ok := gen.LookupStack(name); ok && s.Title != "" {
			title = s.Title
		}
		if note := gen.UnprovedNote(name); note != "" {
			title += " (" + gen.UnprovedMark + ")"
			unproved = ` data-unproved="` + html.EscapeString(note) + `"`
		}
		b.WriteString(`<option value="` + html.EscapeString(name) + `"` + unproved + `>` + html.EscapeString(title) + `</option>`)
	}
	b.WriteString(`</select>`)
	return stackSelect.ReplaceAll(index, []byte(strings.ReplaceAll(b.String(), "$", "$$")))
}
