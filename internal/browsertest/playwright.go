package browsertest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// playwrightScript is the node program that records the HAR
// (playwright_recordhar.js).
//
//go:embed playwright_recordhar.js
var playwrightScript []byte

// playwrightTimeout bounds one recording: node, Chromium's start, the page
// and its fetches, and the HAR's writing (about 2 s on an idle machine).
const playwrightTimeout = 90 * time.Second

// RecordPlaywrightHAR records a HAR as Playwright's recordHar writes it:
// playwright-core (pinned in servertest.PlaywrightCorePackage) launches the
// system's Chromium (ExecPath) with names resolving to loopback only, opens
// pageURL, makes the page call fetch for each request in turn, and closes
// the context, which writes the file. It returns the outcomes (without
// console lines: Playwright does not give Chromium's network messages) and
// the file. Each call starts its own Chromium, for about 2 s. Without node,
// playwright-core or Chromium the test is skipped loudly, or fails under
// CORSKIT_REQUIRE_BROWSER=1.
func RecordPlaywrightHAR(t testing.TB, pageURL string, reqs []Request) ([]Result, []byte) {
	t.Helper()
	node, modules, chromium := playwrightTools(t)
	dir := t.TempDir()
	script, har := filepath.Join(dir, "recordhar.js"), filepath.Join(dir, "playwright.har")
	if err := os.WriteFile(script, playwrightScript, 0o600); err != nil {
		t.Fatal(err)
	}
	fetches := make([]string, len(reqs))
	for i, r := range reqs {
		fetches[i] = fetchExpression(r)
	}
	spec, _ := json.Marshal(map[string]any{"modules": modules, "chromium": chromium, "page": pageURL,
		"fetches": fetches, "har": har, "timeout": (playwrightTimeout - 10*time.Second).Milliseconds()})
	ctx, cancel := context.WithTimeout(context.Background(), playwrightTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir, cmd.Stdin = dir, bytes.NewReader(spec)
	// Chromium is Playwright's child: a timeout must end it too.
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("Playwright recordHar (node %s, Chromium %s, page %s): %v\n%s", script, chromium, pageURL, err, stderr.String())
	}
	var res []Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || len(res) != len(reqs) {
		t.Fatalf("Playwright recordHar: %d outcomes for %d fetches (%v): %s\n%s", len(res), len(reqs), err, stdout.String(), stderr.String())
	}
	for i := range res {
		res[i].PageURL = pageURL
	}
	data, err := os.ReadFile(har)
	if err != nil {
		t.Fatalf("Playwright recordHar wrote no HAR: %v\n%s", err, stderr.String())
	}
	return res, data
}

// playwrightTools returns node, the node_modules directory that holds the
// pinned playwright-core, and Chromium's path, or skips loudly.
func playwrightTools(t testing.TB) (node, modules, chromium string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node (for Playwright's recordHar)", "apt-get install nodejs npm")
	}
	chromium, err = exec.LookPath(ExecPath())
	if ExecPath() == "" || err != nil {
		missing(t, "Chromium (for Playwright's recordHar)", "apt-get install chromium, or set CORSKIT_CHROMIUM")
	}
	modules = filepath.Join(servertest.NPMDir(), "node_modules")
	_, want, _ := strings.Cut(servertest.PlaywrightCorePackage, "@")
	data, _ := os.ReadFile(filepath.Join(modules, "playwright-core", "package.json"))
	var meta struct{ Version string }
	json.Unmarshal(data, &meta)
	if meta.Version != want {
		missing(t, fmt.Sprintf("npm package %s in %s (found %q)", servertest.PlaywrightCorePackage, modules, meta.Version), "go run ./internal/servertest/npminstall")
	}
	return node, modules, chromium
}
