package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/quote"
)

// stacks are the stacks the doctor writes a fix for: the gen targets whose
// output marks the pieces an existing app needs. The fix is gen's, so what
// gen's tests prove on the real servers is what the doctor prints.
var stacks = []string{"caddy", "express", "flask", "go", "nginx", "php", "s3", "azure-blob", "gcs", "gateway-api", "ingress-nginx"}

// Stacks lists the stacks --stack accepts, besides auto.
func Stacks() []string { return slices.Clone(stacks) }

// pieces writes the fix for stack from c: gen's pieces, each with where it
// goes; for Express and Flask, two forms, for an app without CORS (A) and
// for one that already configures it (B), of which the app uses one.
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
	first := parts[0]
	switch stack {
	case "express":
		return []gen.Part{
			{Where: "A. The app has no CORS yet (npm install cors): " + first.Where + ", add", Text: "const cors = require('cors');\n" + first.Text},
			{Where: "B. The app already calls cors(...): replace that call with this one, " + first.Where + "; keep the app's own require('cors')", Text: first.Text},
		}, nil
	case "flask":
		imports, re := "from flask_cors import CORS\n", ""
		if strings.Contains(first.Text, "re.compile") {
			// A pattern (any header, an origin pattern) needs re, which
			// the app may not import.
			re = "import re\n"
		}
		return []gen.Part{
			{Where: "A. The app has no Flask-CORS yet (pip install flask-cors): " + first.Where + ", add", Text: re + imports + first.Text},
			{Where: "B. The app already calls CORS(app, ...): replace that call with this one; keep the app's own imports", Text: re + first.Text},
		}, nil
	case "nginx":
		for i := range parts {
			if strings.HasPrefix(parts[i].Where, "in the location") {
				parts[i].Where += "; remove the location's own Access-Control-* add_header lines first, and any if () block that adds them"
			}
		}
	case "caddy":
		parts[0].Where += "; remove the site's own Access-Control-* header lines first"
	case "go":
		parts[0].Where += " (import \"github.com/corskit/corskit/cors\")"
	case "s3", "gcs":
		parts[0].Where += "; with --rules FILE (the bucket's current rules) the fix keeps them"
	}
	return parts, nil
}

// commentOf is the line comment of a stack's language.
func commentOf(stack string) string {
	if stack == "express" || stack == "go" || stack == "php" {
		return "//"
	}
	return "#"
}

// commentText quotes text for a line comment of the stack's language.
func commentText(stack, text string) string {
	if stack == "php" {
		return quote.PHPComment(text)
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
		fmt.Fprintf(&b, "%s Origins: corskit sees only the answers to its requests. If the app already lists\n%s the origins it allows, add %s to that list rather than replacing it\n%s (or name the others with --also-origin).\n", cm, cm, commentText(stack, strings.Join(c.AllowOrigins, ", ")), cm)
	}
	for _, p := range parts {
		fmt.Fprintf(&b, "\n%s %s:\n%s", cm, commentText(stack, strings.ToUpper(p.Where[:1])+p.Where[1:]), p.Text)
	}
	return b.String()
}
