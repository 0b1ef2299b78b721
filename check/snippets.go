package check

import (
	"fmt"
	"strings"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/quote"
)

// doctorStacks are the stacks the doctor writes a fix for, from gen's
// registry: the gen targets whose output marks the pieces an existing app
// needs. The fix is gen's, so what gen's tests prove on the real servers is
// what the doctor prints.
func doctorStacks() []string {
	var out []string
	for _, s := range gen.Stacks() {
		if s.Doctor {
			out = append(out, s.Name)
		}
	}
	return out
}

// Stacks lists the stacks Options.Stack accepts, besides auto.
func Stacks() []string { return doctorStacks() }

// pieces writes the fix for stack from c: gen's pieces, each with where it
// goes, as the stack's file shapes them (for a library, two forms: A for
// an app without CORS, B for one that already configures it).
func pieces(stack string, c cors.Config) ([]gen.Part, error) {
	o := gen.Options{Policy: c, BestEffort: true}
	if stack == "azure-blob" {
		o.Format = "sh" // az storage cors add: commented, unlike the XML
	}
	parts, _, err := gen.Parts(stack, o)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("gen %s marks no piece to paste", stack)
	}
	if s, ok := gen.LookupStack(stack); ok && s.Snippet != nil {
		parts = s.Snippet(parts)
	}
	return parts, nil
}

// commentOf is the line comment of a stack's language.
func commentOf(stack string) string {
	if s, ok := gen.LookupStack(stack); ok && s.Comment != "" {
		return s.Comment
	}
	return "#"
}

// commentText quotes text for a line comment of the stack's language.
func commentText(stack, text string) string {
	switch stack {
	case "php", "laravel":
		return quote.PHPComment(text)
	case "spring":
		return quote.JavaComment(text)
	}
	return quote.Comment(text)
}

// renderSnippet writes pieces as one text: a note on origins (corskit never
// sees the app's whole list, so it says to add to it), then each piece under
// a comment that says where it goes.
func renderSnippet(stack string, c cors.Config, parts []gen.Part) string {
	cm := commentOf(stack)
	var b strings.Builder
	switch {
	case isStorage(stack):
		b.WriteString(storageRulesNote(stack, cm))
	default:
		fmt.Fprintf(&b, "%s Origins: corskit sees only the answers to its requests. If the app already lists\n%s the origins it allows, add %s to that list rather than replacing it\n%s (or name the others to corskit as the app's other origins).\n", cm, cm, commentText(stack, strings.Join(c.AllowOrigins, ", ")), cm)
	}
	for _, p := range parts {
		fmt.Fprintf(&b, "\n%s %s:\n%s", cm, commentText(stack, strings.ToUpper(p.Where[:1])+p.Where[1:]), p.Text)
	}
	return b.String()
}
