package browsertest

import (
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

// playwrightTimeout bounds one recording: the context, the page and its
// fetches, and the HAR's writing (about 2 s on an idle machine), and
// Chromium's start for the first.
const playwrightTimeout = 90 * time.Second

// RecordPlaywrightHAR records a HAR as Playwright's recordHar writes it:
// playwright-core (pinned in servertest.PlaywrightCorePackage), driving
// the system's Chromium (ExecPath) with names resolving to loopback only,
// opens a browser context that records, loads pageURL, makes the page
// call fetch for each request in turn, and closes the context, which
// writes the file. It returns the outcomes (without console lines:
// Playwright does not give Chromium's network messages) and the file.
// One node process and one Chromium serve every recording of the test
// process (sharedPlaywright); each recording is a context of its own.
// Without node, playwright-core or Chromium the test is skipped loudly,
// or fails under CORSKIT_REQUIRE_BROWSER=1.
func RecordPlaywrightHAR(t testing.TB, pageURL string, reqs []Request) ([]Result, []byte) {
	t.Helper()
	srv := sharedPlaywright(t)
	har := filepath.Join(t.TempDir(), "playwright.har")
	fetches := make([]string, len(reqs))
	for i, r := range reqs {
		fetches[i] = fetchExpression(r)
	}
	a, err := srv.record(map[string]any{"page": pageURL, "fetches": fetches, "har": har}, playwrightTimeout)
	if err != nil {
		t.Fatalf("Playwright recordHar (page %s): %v", pageURL, err)
	}
	var res []Result
	if err := json.Unmarshal(a, &res); err != nil || len(res) != len(reqs) {
		t.Fatalf("Playwright recordHar: %d outcomes for %d fetches (%v): %s", len(res), len(reqs), err, a)
	}
	for i := range res {
		res[i].PageURL = pageURL
	}
	data, err := os.ReadFile(har)
	if err != nil {
		t.Fatalf("Playwright recordHar wrote no HAR: %v", err)
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
