package check

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
)

// cliFlag matches a flag of corskit check or gen that sets a field of
// check.Options or gen.Options: library text names the field instead
// (Options.AlsoOrigins), or says it in plain words, and internal/cli
// (flagterms.go) and internal/web (formterms.go) put it in their words.
// (--max-age is left out: az storage cors add takes one of that name.)
var cliFlag = regexp.MustCompile(`(^|[^A-Za-z0-9-])--(origin|also-origin|credentials|read-header|stack|browser|send-actual|page-address-space|timeout|rules|insecure|best-effort|upstream|listen|allow-origin|allow-method|allow-header|expose-header|allow-credentials)([^A-Za-z0-9-]|$)`)

// flagWordsLeft are the files of check and gen whose strings may still
// name corskit's flags, and why.
var flagWordsLeft = map[string]string{
	"command.go":   "Options.Command writes corskit check's command line: flags are its output",
	"reproduce.go": "errors and the search's notes speak CLI or page words by Search.Page (another helper's file; to move to the terms hook)",
	"har.go":       "errors name the HAR's entries by --har and suggest corskit check URL --origin ORIGIN (another helper's file)",
	"console.go":   "errors suggest corskit check URL --origin ORIGIN, a command for a person to run",
}

// TestLibraryTextNamesNoFlags reads every string of check's and gen's
// code (problems, snippets, notes, omissions, the generated files' comments
// are all built from them) and fails on a corskit flag.
func TestLibraryTextNamesNoFlags(t *testing.T) {
	for _, dir := range []string{".", "../gen"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") || dir == "." && flagWordsLeft[filepath.Base(path)] != "" {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
				}
				if m := cliFlag.FindStringSubmatch(s); m != nil {
					t.Errorf("%s: library text names the flag --%s: name the Options field (or say it in plain words) and let internal/cli's flagTerms turn it into the flag: %q", fset.Position(lit.Pos()), m[2], s)
				}
				return true
			})
		}
	}
}

// TestSnippetsNameNoFlags renders the doctor's snippet for every stack it
// writes for, storage services included, and the notes on a learned policy.
func TestSnippetsNameNoFlags(t *testing.T) {
	c := cors.Config{AllowOrigins: []string{"http://localhost:3000", "https://app.example.com"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}, AllowCredentials: true, MaxAge: 600}
	for _, stack := range Stacks() {
		parts, err := pieces(stack, c)
		if err != nil {
			t.Errorf("%s: %v", stack, err)
			continue
		}
		if s := renderSnippet(stack, c, parts); cliFlag.MatchString(s) {
			t.Errorf("%s's snippet names a corskit flag:\n%s", stack, s)
		}
	}
	keeps := keepsText(&Learned{AnyOrigin: true})
	if cliFlag.MatchString(keeps) || !strings.Contains(keeps, "Options.AlsoOrigins") {
		t.Errorf("the fix's note on a server that allows any origin: %q; want Options.AlsoOrigins, no flag", keeps)
	}
	// gen's outputs with a policy no target writes whole: the omissions,
	// the LEFT OUT comments and the refusals.
	hard := cors.Config{AllowOrigins: []string{"https://*.example.com", "http://localhost:3000"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAge: 100000}
	for _, target := range gen.Names() {
		for _, best := range []bool{false, true} {
			out, omitted, err := gen.Generate(target, gen.Options{Policy: hard, BestEffort: best, Upstream: "http://127.0.0.1:5000", Listen: "127.0.0.1:8080"})
			text := out
			for _, om := range omitted {
				text += "\n" + om.String()
			}
			if err != nil {
				text += "\n" + err.Error()
			}
			if m := cliFlag.FindStringSubmatch(text); m != nil {
				t.Errorf("gen %s (best effort %v) names --%s:\n%s", target, best, m[2], text)
			}
		}
	}
}
