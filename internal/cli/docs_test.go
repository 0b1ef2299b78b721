package cli

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/servertest"
)

// docExample is one command of the docs, with what the docs show it print.
type docExample struct {
	file    string
	line    int
	api     string // the examples/api command run before it, "" for none
	command string
	output  []string // the lines shown, "..." for lines left out
	exit    int      // the exit status shown by a following "echo $?", -1 if none
	files   map[string]string
}

// docExamples reads the shell sessions of the README and docs/*.md: in a
// fenced block, a line "$ corskit ..." or "$ go run ./cmd/corskit ..." (with
// "\" continuations) and the lines after it up to the next "$ ".
func docExamples(t *testing.T) []docExample {
	t.Helper()
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	var out []docExample
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		inBlock, api := false, ""
		named := map[string]string{} // files the docs show, by their first comment line
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			if strings.HasPrefix(l, "```") {
				inBlock = !inBlock
				if inBlock && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "# ") && strings.HasSuffix(lines[i+1], ".yaml") {
					name := strings.TrimPrefix(lines[i+1], "# ")
					var b strings.Builder
					for j := i + 1; j < len(lines) && !strings.HasPrefix(lines[j], "```"); j++ {
						b.WriteString(lines[j] + "\n")
					}
					named[name] = b.String()
				}
				if !inBlock {
					api = ""
				}
				continue
			}
			if !inBlock || !strings.HasPrefix(l, "$ ") {
				continue
			}
			cmd := strings.TrimPrefix(l, "$ ")
			if strings.Contains(cmd, "./examples/api &") {
				api = cmd
				continue
			}
			if !strings.HasPrefix(cmd, "corskit ") && !strings.HasPrefix(cmd, "go run ./cmd/corskit ") {
				continue
			}
			ex := docExample{file: filepath.Base(f), line: i + 1, api: api, exit: -1, files: named}
			for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
				i++
				cmd = strings.TrimSuffix(cmd, "\\") + "\n" + lines[i]
			}
			ex.command = cmd
			for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "```") && !strings.HasPrefix(lines[i+1], "$ ") {
				i++
				ex.output = append(ex.output, lines[i])
			}
			if i+2 < len(lines) && lines[i+1] == "$ echo $?" {
				ex.exit, _ = strconv.Atoi(lines[i+2])
				i += 2
			}
			out = append(out, ex)
		}
	}
	return out
}

// TestDocsExamples runs every command the README and docs/ show, against
// the servers they name (examples/api, as the block starts it; an API that
// echoes any origin with credentials for the audit), and requires the
// lines shown, in order (a "..." stands for lines left out; the servers'
// ports are this run's), and the exit status shown.
func TestDocsExamples(t *testing.T) {
	t.Parallel()
	examples := docExamples(t)
	if len(examples) < 6 {
		t.Fatalf("found %d examples in the docs; the docs have more", len(examples))
	}
	apiBin := filepath.Join(t.TempDir(), "api")
	if out, err := exec.Command("go", "build", "-o", apiBin, "../../examples/api").CombinedOutput(); err != nil {
		t.Fatalf("building examples/api: %v\n%s", err, out)
	}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		fmt.Fprint(w, `{"user": "me"}`)
	}))
	defer echo.Close()
	for _, ex := range examples {
		t.Run(fmt.Sprintf("%s:%d", ex.file, ex.line), func(t *testing.T) {
			replace := map[string]string{"127.0.0.1:5077": strings.TrimPrefix(echo.URL, "http://")}
			if sends := !strings.Contains(ex.command, "corskit gen "); sends && ex.api == "" && strings.Contains(ex.command, "127.0.0.1:5000") {
				t.Fatalf("%s:%d sends to 127.0.0.1:5000 but its block does not start the API first (`$ go run ./examples/api &`): the example would pass only where something else listens there", ex.file, ex.line)
			}
			if ex.api != "" {
				port := servertest.FreePort(t)
				addr := fmt.Sprintf("127.0.0.1:%d", port)
				var env []string
				if first, _, _ := strings.Cut(ex.api, " "); strings.Contains(first, "=") {
					env = append(env, first)
				}
				servertest.Start(t, t.TempDir(), port, env, apiBin, "-listen", addr)
				replace["127.0.0.1:5000"] = addr
			}
			cmd := ex.command
			for from, to := range replace {
				cmd = strings.ReplaceAll(cmd, from, to)
			}
			words, err := check.SplitCommand(cmd)
			if err != nil {
				t.Fatal(err)
			}
			if words[0] == "go" {
				words = words[2:] // go run ./cmd/corskit
			}
			dir := t.TempDir()
			for i, w := range words {
				if content, ok := ex.files[w]; ok {
					os.WriteFile(filepath.Join(dir, w), []byte(content), 0o600)
					words[i] = filepath.Join(dir, w)
				} else if _, err := os.Stat(filepath.Join("../..", w)); err == nil && strings.Contains(w, "/") && !strings.Contains(w, "://") {
					words[i] = filepath.Join("../..", w)
				}
			}
			var stdout, stderr bytes.Buffer
			code := Run(words[1:], &stdout, &stderr)
			got := stderr.String() + stdout.String()
			if ex.exit >= 0 && code != ex.exit {
				t.Errorf("%s: exit %d, the docs show %d\n%s", ex.command, code, ex.exit, got)
			}
			// Runs of spaces are one: a table's columns widen with the
			// ports of this run.
			rest := squeeze(got)
			for _, want := range ex.output {
				if strings.TrimSpace(want) == "..." || strings.TrimSpace(want) == "" {
					continue
				}
				for from, to := range replace {
					want = strings.ReplaceAll(want, from, to)
				}
				want = squeeze(want)
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("%s:%d: the output lacks, in order, the line the docs show:\n  %s\noutput:\n%s", ex.file, ex.line, want, got)
					return
				}
				rest = rest[i+len(want):]
			}
		})
	}
}

// squeeze turns each run of spaces into one and trims each line's end.
func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.Join(strings.Fields(l), " "), " ")
		if strings.HasPrefix(l, " ") {
			lines[i] = " " + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// TestDocsGoSnippetsCompile builds every Go block of the README and docs/ in
// a program of its own, with the imports and the mux the snippets assume:
// a renamed field or function in the docs fails here.
func TestDocsGoSnippetsCompile(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	declared := regexp.MustCompile(`(?m)^(\w+(?:, \w+)*) :=`)
	var body strings.Builder
	n := 0
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, block := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
			var lines []string
			for _, l := range strings.Split(block[1], "\n") {
				if !strings.HasPrefix(l, "import ") {
					lines = append(lines, l)
				}
			}
			code := strings.Join(lines, "\n")
			n++
			fmt.Fprintf(&body, "\n// %s\nfunc snippet%d(mux *http.ServeMux) {\n%s\n", filepath.Base(f), n, code)
			for _, m := range declared.FindAllStringSubmatch(code, -1) {
				for _, name := range strings.Split(m[1], ", ") {
					fmt.Fprintf(&body, "\t_ = %s\n", name)
				}
			}
			body.WriteString("}\n")
		}
	}
	if n < 3 {
		t.Fatalf("found %d Go blocks in the docs; they have more", n)
	}
	src := `package main

import (
	"log"
	"net/http"
	"os"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/policy"
)

var (
	_ = log.Fatal
	_ = os.LookupEnv
	_ = cors.New
	_ = policy.Load
)

func main() {}
` + body.String()
	servertest.BuildGo(t, root, src)
}
