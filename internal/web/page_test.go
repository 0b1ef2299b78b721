package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

// brokenAPI is one of the broken servers of the doctor's proof (see
// internal/cli's TestBrokenServersFromEvidenceToAWorkingApp), in the real
// PHP built-in server: a copied CORS setup, Access-Control-Allow-Origin: *
// and 405 on OPTIONS, which a credentialed JSON PUT cannot pass.
func brokenAPI(t *testing.T) string {
	t.Helper()
	bin := servertest.Need(t, "php")
	dir, port := t.TempDir(), servertest.FreePort(t)
	os.WriteFile(filepath.Join(dir, "index.php"), []byte(`<?php
header('Access-Control-Allow-Origin: *');
header('Content-Type: application/json');
if (!in_array($_SERVER['REQUEST_METHOD'], ['GET', 'POST', 'PUT'], true)) {
    http_response_code(405);
    exit;
}
echo json_encode(['ok' => true]);
`), 0o600)
	servertest.Start(t, dir, port, nil, bin, "-S", fmt.Sprintf("127.0.0.1:%d", port), "index.php")
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// artifacts is where the page's screenshots go: $CORSKIT_ARTIFACTS, else a
// folder under the system's temporary directory.
func artifacts(t *testing.T) string {
	dir := os.Getenv("CORSKIT_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "corskit-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("chromedp: %v", err)
	}
}

// TestThePageInChromium drives the page in headless Chromium as a user
// would: the console line of a real blocked fetch pasted and read, the form
// filled with what the line cannot say, the check run from the keyboard,
// the verdicts, the timeline, the problems, a fix tab chosen and copied;
// then a HAR recorded in Chromium dropped on the page and a request of it
// opened. Every control has a label; the page fits 390 pixels; screenshots
// at 1280 and 390 are saved; and what the page shows is in the API's JSON,
// which is corskit check --json's.
func TestThePageInChromium(t *testing.T) {
	t.Parallel()
	s, base := startServe(t)
	api := brokenAPI(t)
	b := browsertest.Start(t)
	pageOrigin := b.Origin()
	put := browsertest.Request{URL: api + "/data", Method: "PUT", Headers: map[string]string{"Content-Type": "application/json"}, Credentials: "include", Body: `{"n":1}`}
	failed := b.Fetch(t, put)
	if failed.OK || len(failed.Console) == 0 {
		t.Fatalf("the broken API allowed the PUT: %+v", failed)
	}
	_, har := b.RecordHAR(t, []browsertest.Request{put})

	ctx := b.Context()
	b.Navigate(t, s.URL())
	do(t, ctx, chromedp.EmulateViewport(1280, 900))

	// Every control has a label: a <label for>, an aria-label, or text.
	unlabelled := eval[[]string](t, ctx, `[...document.querySelectorAll("input, select, textarea, button")].filter(e =>
		!(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim()).map(e => e.id || e.outerHTML)`)
	if len(unlabelled) > 0 {
		t.Errorf("controls without a label: %q", unlabelled)
	}

	// Keyboard only: Tab reaches the paste box, the Read button, then the
	// form's fields in order, and the Check button.
	var order []string
	for range 16 {
		do(t, ctx, chromedp.KeyEvent("\t"))
		order = append(order, eval[string](t, ctx, `document.activeElement.id`))
	}
	want := []string{"evidence", "read", "har", "url", "origin", "method", "headers", "body", "credentials", "also", "stack", "check"}
	if !isSubsequence(want, order) {
		t.Errorf("Tab order %q lacks %q in order", order, want)
	}

	// A Copy as cURL and a Copy as fetch of the same request fill the form.
	for kind, text := range map[string]string{
		"cURL":  fmt.Sprintf(`curl '%s/data' -X 'PUT' -H 'Accept: */*' -H 'Content-Type: application/json' -H 'Origin: %s' -b 'sid=1' --data-raw '{"n":1}'`, api, pageOrigin),
		"fetch": fmt.Sprintf(`fetch("%s/data", {"headers": {"content-type": "application/json"}, "referrer": "%s/", "body": "{\"n\":1}", "method": "PUT", "mode": "cors", "credentials": "include"});`, api, pageOrigin),
	} {
		eval[string](t, ctx, `document.getElementById("url").value = ""`)
		do(t, ctx, chromedp.SetValue("#evidence", text), chromedp.Click("#read"))
		poll(t, ctx, `document.getElementById("url").value !== ""`)
		got := eval[[]string](t, ctx, `["detected", "url", "origin", "method", "body", "credentials"].map(id => { const e = document.getElementById(id); return e.value === undefined ? e.textContent : e.value })`)
		if !strings.Contains(got[0], "Copy as "+kind) || got[1] != api+"/data" || got[2] != pageOrigin || got[3] != "PUT" || got[4] != `{"n":1}` || got[5] != "include" {
			t.Errorf("a Copy as %s read as %q", kind, got)
		}
	}

	// Pasting reads at once, without the button (the input event a paste
	// fires; headless Chromium has no clipboard to paste from); typing
	// does not.
	// The page's calls to /api/read are counted as they are made.
	eval[string](t, ctx, `(() => { window.reads = 0; const f = window.fetch; window.fetch = (...a) => { if (String(a[0]).includes("/api/read")) window.reads++; return f(...a) }; document.getElementById("url").value = ""; return "" })()`)
	curl := fmt.Sprintf(`curl '%s/pasted' -H 'Origin: %s'`, api, pageOrigin)
	if reads := eval[int](t, ctx, fmt.Sprintf(`(() => { const e = document.getElementById("evidence"); e.value = %q; e.dispatchEvent(new InputEvent("input", {inputType: "insertText", bubbles: true})); return window.reads })()`, curl)); reads != 0 {
		t.Errorf("typed evidence was read without the button (%d reads)", reads)
	}
	if reads := eval[int](t, ctx, `(() => { document.getElementById("evidence").dispatchEvent(new InputEvent("input", {inputType: "insertFromPaste", bubbles: true})); return window.reads })()`); reads != 1 {
		t.Errorf("pasted evidence: %d reads, want 1", reads)
	}
	poll(t, ctx, `document.getElementById("url").value !== ""`)
	if got := eval[string](t, ctx, `document.getElementById("url").value`); got != api+"/pasted" {
		t.Errorf("pasted evidence read as url %q, want %s/pasted", got, api)
	}

	// Paste Chromium's console text, read it with Enter on the button.
	eval[string](t, ctx, `document.getElementById("url").value = ""`)
	do(t, ctx, chromedp.SetValue("#evidence", strings.Join(failed.Console, "\n")), chromedp.Focus("#read"), chromedp.KeyEvent("\r"))
	poll(t, ctx, `document.getElementById("url").value !== ""`)
	if got := eval[string](t, ctx, `document.getElementById("detected").textContent`); !strings.Contains(got, "chromium's console text") {
		t.Errorf("detected: %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById("origin").value`); got != pageOrigin {
		t.Errorf("origin read from the line: %q, want %q", got, pageOrigin)
	}
	// What the console cannot say: the method, the header, the body and
	// the credentials, as the page's code has them.
	do(t, ctx,
		chromedp.SetValue("#method", "PUT"), chromedp.SetValue("#headers", "Content-Type: application/json"),
		chromedp.SetValue("#body", `{"n":1}`), chromedp.SetValue("#credentials", "include"), chromedp.SetValue("#stack", "express"),
		chromedp.Focus("#check"), chromedp.KeyEvent("\r"))
	poll(t, ctx, `!document.getElementById("result").hidden`)

	command := eval[string](t, ctx, `document.getElementById("command").textContent`)
	out := checkJSON(t, s, base, fmt.Sprintf(`{"request": {"url": %q, "origin": %q, "method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{\"n\":1}", "credentials": "include"}, "stack": "express"}`, api+"/data", pageOrigin))
	r := out.Report
	if command != out.Command || !strings.Contains(command, "--credentials include --stack express") {
		t.Errorf("the page's command %q; the API's %q", command, out.Command)
	}
	if got := eval[string](t, ctx, `document.getElementById("verdict").textContent`); !strings.HasPrefix(got, "BLOCKED") {
		t.Errorf("verdict %q", got)
	}
	// Each engine's lines, side by side, are the JSON's.
	for name, e := range r.Engines {
		shown := eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(".engine")].filter(c => c.querySelector("h4").textContent === %q).flatMap(c => [...c.querySelectorAll(".console li")].map(l => l.textContent))`, e.Product))
		if !slices.Equal(shown, e.Messages) {
			t.Errorf("%s: the page shows %q; the JSON has %q", name, shown, e.Messages)
		}
	}
	// The timeline marks the header that failed, and names the check.
	marked := eval[[]string](t, ctx, `[...document.querySelectorAll("#timeline .mark")].map(e => e.textContent)`)
	failedStep := eval[string](t, ctx, `document.querySelector("#timeline .failed .kind").textContent`)
	if len(marked) == 0 || !strings.Contains(failedStep, strings.ReplaceAll(r.Code, "_", " ")) {
		t.Errorf("timeline: marked %q, failed step %q; code %s", marked, failedStep, r.Code)
	}
	// Every problem is the JSON's, in order.
	problems := eval[[]string](t, ctx, `[...document.querySelectorAll("#problems li")].map(l => l.textContent)`)
	if len(problems) != len(r.Problems) {
		t.Fatalf("the page lists %d problems; the JSON %d", len(problems), len(r.Problems))
	}
	for i, p := range r.Problems {
		if !strings.HasPrefix(problems[i], p.Name) || !strings.HasSuffix(problems[i], p.Sentence) {
			t.Errorf("problem %d: %q; the JSON's is %s: %s", i, problems[i], p.Name, p.Sentence)
		}
	}
	// The fix tab of the detected stack is open; the arrow keys move to
	// another; its text is the JSON's snippet; copy says it copied.
	if sel := eval[string](t, ctx, `document.querySelector("[role=tab][aria-selected=true]").textContent`); sel != "express" {
		t.Errorf("selected fix tab %q, want express", sel)
	}
	// The tabs are the registry's stacks, in the JSON's order.
	next := ""
	if i := slices.Index(r.Fix.Stacks, "express"); i >= 0 && i+1 < len(r.Fix.Stacks) {
		next = r.Fix.Stacks[i+1]
	}
	do(t, ctx, chromedp.Focus("#tab-express"), chromedp.KeyEvent(kb.ArrowRight))
	if sel := eval[string](t, ctx, `document.activeElement.textContent`); sel != next || next == "" {
		t.Errorf("ArrowRight moved to %q, want %q, the stack after express in %q", sel, next, r.Fix.Stacks)
	}
	do(t, ctx, chromedp.Click("#tab-nginx"), chromedp.Click("#panel-nginx .copy"))
	poll(t, ctx, `document.getElementById("copied").textContent !== ""`)
	if got := eval[string](t, ctx, `document.querySelector("#panel-nginx pre").textContent`); got != r.Fix.Snippets["nginx"] {
		t.Errorf("the nginx tab shows:\n%s\nthe JSON has:\n%s", got, r.Fix.Snippets["nginx"])
	}
	// With the stack unknown, the first tab is the headers and the
	// question "which stack?", never another stack's snippet.
	fixJSON, _ := json.Marshal(r.Fix)
	if first := eval[string](t, ctx, `drawFix(Object.assign(`+string(fixJSON)+`, {stack: ""})); document.querySelector("[role=tab][aria-selected=true]").textContent`); first != "headers" {
		t.Errorf("stack unknown: the first tab is %q, want headers", first)
	}
	if text := eval[string](t, ctx, `document.querySelector("#panel-headers pre").textContent`); !strings.Contains(text, "Which stack serves this API?") || !strings.Contains(text, "Access-Control-Allow-Origin: ") {
		t.Errorf("stack unknown: the headers tab shows:\n%s", text)
	}
	eval[bool](t, ctx, `drawFix(`+string(fixJSON)+`), true`)
	// Every unproved stack's tab says "(not proved)" and its panel says
	// why, above the snippet; no proved stack's does.
	unproved := 0
	for _, tb := range eval[[][]string](t, ctx, `[...document.querySelectorAll("#tabs [role=tab]")].map(b => [b.id.slice(4), b.textContent, (document.querySelector("#panel-" + b.id.slice(4) + " .unproved-note") || {textContent: ""}).textContent])`) {
		s, ok := gen.LookupStack(tb[0])
		if !ok {
			continue
		}
		marked := strings.HasSuffix(tb[1], " (not proved)") && strings.HasPrefix(tb[2], "NOT PROVED on a real server here")
		if marked == s.Proved() {
			t.Errorf("fix tab %q (proved: %v): note %q", tb[1], s.Proved(), tb[2])
		}
		if !s.Proved() {
			unproved++
		}
	}
	if unproved == 0 {
		t.Errorf("no unproved stack's tab among %q", r.Fix.Stacks)
	}
	if unsent := eval[string](t, ctx, `document.getElementById("unsent").textContent`); r.ActualNotSent != (unsent != "") || !r.ActualNotSent {
		t.Errorf("the JSON says actual_not_sent %v; the page says %q (the PUT after a failed preflight is not sent)", r.ActualNotSent, unsent)
	}
	risks := eval[[]string](t, ctx, `[...document.querySelectorAll("#risks li")].map(l => l.textContent)`)
	for _, w := range r.Warnings {
		if !slices.Contains(risks, w.Message) {
			t.Errorf("risk %q is not shown", w.Message)
		}
	}

	dir := artifacts(t)
	shot := func(width int64, name string) {
		do(t, ctx, chromedp.EmulateViewport(width, 900))
		img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, img, 0o644)
		t.Logf("screenshot %d px wide: %s", width, path)
		if over := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`); over {
			t.Errorf("at %d px the page scrolls sideways", width)
		}
	}
	shot(1280, "serve-1280.png")
	shot(390, "serve-390.png")
	do(t, ctx, chromedp.EmulateViewport(1280, 900))

	// A HAR recorded in Chromium, opened on the page: its one cross-origin
	// request, blocked, opens its timeline.
	do(t, ctx, chromedp.SetValue("#credentials", "include"))
	harJSON, _ := json.Marshal(string(har))
	eval[bool](t, ctx, `(() => { const dt = new DataTransfer(); dt.items.add(new File([`+string(harJSON)+`], "recorded.har"));
		document.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); return true })()`)
	poll(t, ctx, `!document.getElementById("harresult").hidden`)
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll("#harrows tr")].map(r => r.textContent)`)
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "BLOCKED") || !strings.Contains(rows[0], api+"/data") {
		t.Fatalf("the HAR's rows: %q", rows)
	}
	eval[string](t, ctx, `document.getElementById("verdict").textContent = ""`)
	do(t, ctx, chromedp.Click("#harrows .open"))
	poll(t, ctx, `document.getElementById("verdict").textContent.startsWith("BLOCKED")`)

	// Typing in the form shows the form's command line as the server's
	// check.Options.Command writes it (the page builds none itself).
	eval[string](t, ctx, `document.getElementById("also").value = ""`)
	do(t, ctx, chromedp.SendKeys("#also", "http://also.test"))
	poll(t, ctx, `document.getElementById("command").textContent.includes("--also-origin http://also.test")`)
	typed := eval[string](t, ctx, `document.getElementById("command").textContent`)
	if !strings.HasPrefix(typed, "corskit check "+api+"/data --origin") || !strings.Contains(typed, "--credentials include") {
		t.Errorf("the command shown while typing: %q", typed)
	}
}

// poll waits until expr is true in the page.
func poll(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr))
		// Right after a navigation, the poll can be sent to the old
		// page's context, which Chromium has just dropped: poll again, in
		// the new one (seen once in go test ./..., after opening a link).
		if err != nil && strings.Contains(err.Error(), "Cannot find context with specified id") && ctx.Err() == nil {
			continue
		}
		if err != nil {
			t.Fatalf("waiting for %s: %v", expr, err)
		}
		return
	}
}

// isSubsequence reports whether want appears in got in order.
func isSubsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
