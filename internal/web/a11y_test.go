package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

// TestPageAccessibilityAndThemes checks the page with a verdict shown, in
// headless Chromium, at 1280 and 390 pixels, light and dark: axe-core
// (pinned in servertest, injected by this test, never served by corskit)
// finds no serious or critical violation; the dark scheme is dark; no
// control spills out of a 390 px viewport; a screenshot of each is saved
// to $CORSKIT_ARTIFACTS (see artifacts). The verdict is focused and
// scrolled to; Home and End move along the fix tabs; Ctrl+Enter runs the
// check, hides the previous verdict and brings the error to the user.
func TestPageAccessibilityAndThemes(t *testing.T) {
	t.Parallel()
	axe, err := os.ReadFile(filepath.Join(servertest.NPMModules(t, servertest.AxePackage), "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := startServe(t)
	api := brokenAPI(t)
	b := browsertest.Start(t)
	ctx := b.Context()
	b.Navigate(t, s.URL())
	do(t, ctx, chromedp.EmulateViewport(1280, 900),
		chromedp.SetValue("#url", api+"/data"), chromedp.SetValue("#origin", "http://localhost:3000"),
		chromedp.SetValue("#method", "PUT"), chromedp.SetValue("#headers", "Content-Type: application/json"),
		chromedp.SetValue("#credentials", "include"), chromedp.Click("#check"))
	poll(t, ctx, `!document.getElementById("result").hidden`)
	// The verdict is brought to the user: focused, and in view once the
	// scroll ends.
	poll(t, ctx, `document.activeElement.id === "verdict" && Math.abs(document.getElementById("verdict").getBoundingClientRect().top) < 2`)
	// The result saved as one file: styled, every fix open, no script.
	saved, err := chromedp.Run(ctx, chromedp.Evaluate[string](`resultHTML()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	verdict := eval[string](t, ctx, `document.getElementById("verdict").textContent`)
	if !strings.Contains(saved, verdict) || !strings.Contains(saved, "<style>") || strings.Contains(saved, "<script") || strings.Contains(saved, `hidden=""`) ||
		!strings.Contains(saved, "Access-Control-Allow-Credentials: true") || !strings.Contains(saved, "corskit check "+api) {
		t.Errorf("the saved result:\n%.3000s", saved)
	}
	// A HAR's table, with its groups, is on the page for axe-core and the
	// screenshots; then its filter: text and "blocked only".
	eval[any](t, ctx, `drawHAR("big.har", {entries: 3, cross_origin: 3, blocked: 1, requests: [
		{entry: 0, command: "", report: {request: {method: "PUT", url: "http://a.test/data", origin: "http://o.test"}, engines: {chromium: {allowed: false}}, problems: [{name: "preflight not handled"}]}},
		{entry: 1, command: "", report: {request: {method: "GET", url: "http://a.test/data", origin: "http://o.test"}, engines: {chromium: {allowed: true}}, problems: []}},
		{entry: 2, command: "", report: {request: {method: "GET", url: "http://b.test/list", origin: "http://o.test"}, engines: {chromium: {allowed: true}}, problems: []}}]}); 0`)
	eval[any](t, ctx, string(axe)+";0")
	dir := artifacts(t)
	for _, scheme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
		bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`)
		if dark := bg != "rgb(255, 255, 255)"; dark != (scheme == "dark") {
			t.Errorf("%s: the page's background is %s", scheme, bg)
		}
		for _, width := range []int64{1280, 390} {
			do(t, ctx, chromedp.EmulateViewport(width, 900))
			name := fmt.Sprintf("%s-%d", scheme, width)
			violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe-core: %v", err)
			}
			if len(violations) > 0 {
				t.Errorf("%s: axe-core finds %d serious violations:\n%s", name, len(violations), strings.Join(violations, "\n"))
			}
			if width == 390 {
				wide := eval[[]string](t, ctx, `[...document.querySelectorAll("main *, header *")].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest("table, pre")).slice(0, 5).map(e => e.tagName + "#" + e.id + "." + e.className)`)
				if len(wide) > 0 {
					t.Errorf("%s: elements past the viewport's edge: %q", name, wide)
				}
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "page-"+name+".png"), shot, 0o644)
		}
	}
	visible := func() string {
		return eval[string](t, ctx, `[...document.getElementById("harrows").children].filter(r => !r.hidden).length + " " + document.getElementById("harcount").textContent`)
	}
	if got := visible(); got != "3 3 requests" {
		t.Errorf("HAR table before filtering: %q", got)
	}
	do(t, ctx, chromedp.SendKeys("#harfilter", "a.test"))
	if got := visible(); got != "2 2 of 3 requests shown" {
		t.Errorf("HAR table filtered on a.test: %q", got)
	}
	do(t, ctx, chromedp.Click("#harblocked"))
	if got := visible(); got != "1 1 of 3 requests shown" {
		t.Errorf("HAR table, a.test and blocked only: %q", got)
	}
	// Home and End move along the fix tabs.
	do(t, ctx, chromedp.Focus("#tabs button"), chromedp.KeyEvent(kb.End))
	if got := eval[string](t, ctx, `document.activeElement.getAttribute("aria-selected") + " " + (document.activeElement === document.querySelector("#tabs").lastElementChild)`); got != "true true" {
		t.Errorf("End on the fix tabs: selected and last: %s", got)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Home))
	if got := eval[bool](t, ctx, `document.activeElement === document.querySelector("#tabs").firstElementChild`); !got {
		t.Errorf("Home on the fix tabs does not reach the first")
	}
	// Ctrl+Enter in a field runs the check: the previous verdict goes, the
	// error comes, focused.
	do(t, ctx, chromedp.SetValue("#origin", "localhost:3000/app"), chromedp.Focus("#method"), chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	poll(t, ctx, `document.getElementById("error").textContent !== ""`)
	if got := eval[string](t, ctx, `document.getElementById("result").hidden + " " + document.activeElement.id`); got != "true error" {
		t.Errorf("after Ctrl+Enter with a bad origin: result hidden, focus: %s; want true error", got)
	}
	t.Run("big HAR", func(t *testing.T) { checkBigHAR(t, ctx) })
	t.Run("share", func(t *testing.T) { checkShare(t, b, s, api) })
	t.Run("saved file", func(t *testing.T) { checkSavedFile(t, b, saved, verdict) })
}
