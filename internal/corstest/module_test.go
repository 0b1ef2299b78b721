package corstest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maxUserSumLines is what a program that imports only package cors may find
// in its go.sum: 4 lines, as with jub0bs/cors (rs/cors gives 2). Two of them
// are the cors module's own, which a replace to the checkout does not write;
// the test allows the other two, golang.org/x/net's.
const (
	maxUserSumLines = 4
	corsOwnSumLines = 2
)

// corsDir is the cors module's directory in this checkout.
func corsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "cors"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("the cors module is not at %s: %v", dir, err)
	}
	return dir
}

// goCommand returns the go command on PATH.
func goCommand(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("SKIPPED: no go command on PATH: %v", err)
	}
	return p
}

// runGo runs the go command in dir, with the environment and extra
// settings, from the module cache only (GOPROXY=off): tests reach nothing
// beyond loopback, and CI's go vet has filled the cache.
func runGo(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(goCommand(t), args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOPROXY=off"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// offline reports whether the go command's output says it could not reach
// the module proxy or the checksum database.
func offline(out string) bool {
	for _, s := range []string{"dial tcp", "no such host", "GOPROXY=off", "module lookup disabled", "i/o timeout", "connection refused", "TLS handshake"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}

// TestMiddlewareUserModule builds a program that imports only package cors,
// as a user's module against this checkout (a replace to ./cors), and counts
// what it inherits: go.sum lines and modules. It fails when the middleware
// brings more than golang.org/x/net. The modules come from the module cache
// alone (GOPROXY=off); the test skips, loudly, when it lacks them.
func TestMiddlewareUserModule(t *testing.T) {
	t.Parallel()
	cors := corsDir(t)
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/user\n\ngo 1.26.8\n\nrequire github.com/corskit/corskit/cors v0.0.0\n\n" +
			"replace github.com/corskit/corskit/cors => " + filepath.ToSlash(cors) + "\n",
		"main.go": `package main

import (
	"net/http"

	"github.com/corskit/corskit/cors"
)

func main() {
	m, err := cors.New(cors.Config{AllowOrigins: []string{"https://app.example.com"}})
	if err != nil {
		panic(err)
	}
	http.ListenAndServe("127.0.0.1:0", m.Handler(http.NotFoundHandler()))
}
`,
	}
	// The cors module's go.sum, already verified, saves a trip to the
	// checksum database; tidy drops what the program does not need.
	sum, err := os.ReadFile(filepath.Join(cors, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files["go.sum"] = string(sum)
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"GOFLAGS=-mod=mod", "GOWORK=off"}
	if out, err := runGo(t, dir, env, "mod", "tidy"); err != nil {
		if offline(out) {
			t.Skipf("SKIPPED: the user module's dependencies are not in the module cache (tests reach nothing beyond loopback; go vet in cors/ fills it):\n%s", out)
		}
		t.Fatalf("go mod tidy in a module that imports only cors: %v\n%s", err, out)
	}
	if out, err := runGo(t, dir, env, "build", "-o", os.DevNull, "."); err != nil {
		t.Fatalf("go build of a module that imports only cors: %v\n%s", err, out)
	}
	sumLines, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string // "module version", one per line
	for _, line := range strings.Split(strings.TrimSpace(string(sumLines)), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			entries = append(entries, f[0]+" "+f[1])
		}
	}
	mods, err := runGo(t, dir, env, "list", "-m", "all")
	if err != nil {
		t.Fatalf("go list -m all: %v\n%s", err, mods)
	}
	modules := strings.Split(strings.TrimSpace(mods), "\n")
	t.Logf("a module importing only cors: %d go.sum lines (%s), %d modules in its graph, itself included:\n%s",
		len(entries), strings.Join(entries, "; "), len(modules), mods)
	if len(entries)+corsOwnSumLines > maxUserSumLines {
		t.Errorf("a module importing only cors gets %d go.sum lines besides cors's own %d, more than %d in all: package cors or its tests import a module besides golang.org/x/net; move such tests to internal/corstest", len(entries), corsOwnSumLines, maxUserSumLines)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e, "golang.org/x/") {
			t.Errorf("go.sum line %q: a middleware user inherits a module besides golang.org/x; move the test or code that needs it out of the cors module", e)
		}
	}
}
