package racescope

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// raceSkip finds the packages .ci/run's race pass leaves out:
// race_skip='/check$|/gen$'.
var raceSkip = regexp.MustCompile(`(?m)^race_skip='([^']*)'$`)

// TestPackagesLeftOutOfTheRacePassCannotRace: each package .ci/run's race
// pass leaves out has, in its non-test files, no go statement, no import
// of sync or sync/atomic, no channel, and no assignment to a
// package-level variable outside init.
func TestPackagesLeftOutOfTheRacePassCannotRace(t *testing.T) {
	root, _ := filepath.Abs("../..")
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	m := raceSkip.FindSubmatch(ci)
	if m == nil {
		t.Fatalf(".ci/run has no line race_skip='...': the race pass must name what it leaves out")
	}
	for _, alt := range strings.Split(string(m[1]), "|") {
		dir := strings.TrimSuffix(strings.TrimPrefix(alt, "/"), "$")
		t.Run(dir, func(t *testing.T) {
			for _, finding := range concurrencyIn(t, filepath.Join(root, dir)) {
				t.Errorf("%s: the race pass leaves %s out, so it must not run goroutines or change shared state; put it back in the race pass (.ci/run race_skip) or remove this", finding, dir)
			}
		})
	}
}

// TestFindsWhatCouldRace: the checker finds each thing it looks for.
func TestFindsWhatCouldRace(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import "sync"

var cache = map[string]int{}
var mu sync.Mutex

func f(k string) {
	go func() {}()
	cache[k]++
	ch := make(chan int)
	_ = ch
	cache := 1
	cache = 2
}

func init() { cache["x"] = 1; fill() }

func fill() { cache["y"] = 2 }

func later() { fill() }

func atStart() { cache["z"] = 3 }

func init() { atStart() }
`
	os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600)
	got := strings.Join(concurrencyIn(t, dir), "\n")
	for _, want := range []string{`imports "sync"`, "a go statement", "p.go:10: changes the package-level cache", "a channel"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if !strings.Contains(got, "p.go:19: changes the package-level cache") {
		t.Errorf("fill, called from init and from later, was not flagged:\n%s", got)
	}
	if strings.Count(got, "changes the package-level") != 2 {
		t.Errorf("a local that shadows a package-level name, init, or a function only init calls, was flagged:\n%s", got)
	}
}

// concurrencyIn lists, for the non-test Go files of dir, what could let
// two calls race.
func concurrencyIn(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	var parsed []*ast.File
	globals := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
		for _, d := range af.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, s := range g.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						globals[n.Name] = true
					}
				}
			}
		}
	}
	if len(parsed) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	var out []string
	at := func(p token.Pos, what string) {
		pos := fset.Position(p)
		out = append(out, filepath.Base(pos.Filename)+":"+strconv.Itoa(pos.Line)+": "+what)
	}
	atInit := initOnly(parsed)
	for _, af := range parsed {
		for _, imp := range af.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p == "sync" || p == "sync/atomic" {
				at(imp.Pos(), `imports "`+p+`"`)
			}
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			findIn(fd, globals, atInit[fd.Name.Name] && fd.Recv == nil, at)
		}
	}
	return out
}

// initOnly names the functions of the package called from init functions
// only (register, which fills a table at start): they run before any
// caller can, like init itself.
func initOnly(files []*ast.File) map[string]bool {
	callers := map[string]map[string]bool{}
	for _, af := range files {
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok {
						if callers[id.Name] == nil {
							callers[id.Name] = map[string]bool{}
						}
						callers[id.Name][fd.Name.Name] = true
					}
				}
				return true
			})
		}
	}
	out := map[string]bool{"init": true}
	for name, by := range callers {
		out[name] = len(by) == 1 && by["init"]
	}
	out["init"] = true
	return out
}

// findIn reports go statements, channels and, unless the function runs
// at init only, assignments to package-level variables (not shadowed by a
// local of the same name).
func findIn(fd *ast.FuncDecl, globals map[string]bool, atInit bool, at func(token.Pos, string)) {
	locals := map[string]bool{}
	if fd.Recv != nil {
		for _, f := range fd.Recv.List {
			for _, n := range f.Names {
				locals[n.Name] = true
			}
		}
	}
	for _, f := range fd.Type.Params.List {
		for _, n := range f.Names {
			locals[n.Name] = true
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			at(n.Pos(), "a go statement")
		case *ast.ChanType:
			at(n.Pos(), "a channel")
		case *ast.ValueSpec:
			for _, id := range n.Names {
				locals[id.Name] = true
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				id := rootIdent(l)
				switch {
				case id == nil:
				case n.Tok == token.DEFINE:
					locals[id.Name] = true
				case globals[id.Name] && !locals[id.Name] && !atInit:
					at(n.Pos(), "changes the package-level "+id.Name)
				}
			}
		case *ast.IncDecStmt:
			if id := rootIdent(n.X); id != nil && globals[id.Name] && !locals[id.Name] && !atInit {
				at(n.Pos(), "changes the package-level "+id.Name)
			}
		}
		return true
	})
}

// rootIdent is the variable an assignment's target starts from: x in x,
// x[k], x.f, *x.
func rootIdent(e ast.Expr) *ast.Ident {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x
		case *ast.IndexExpr:
			e = x.X
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return nil
		}
	}
}
