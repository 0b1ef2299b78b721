package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/record"
)

// TestRecordedSessionView is corskit record --serve's page: the requests
// the recorder adds appear as they come, in order, filterable; Open shows
// a request's diagnosis; the end of the session is said. A page of
// corskit serve alone shows no session view.
func TestRecordedSessionView(t *testing.T) {
	s, _ := startServe(t)
	api := brokenAPI(t)
	rep, err := check.Run(context.Background(), check.Options{URL: api + "/data", Origin: "http://localhost:3000", Method: "PUT",
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}, Credentials: browser.Include, Body: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	j := rep.ToJSON()
	blocked := record.Result{Engine: "chromium", Method: "PUT", URL: api + "/data", Origin: "http://localhost:3000", BlockedHere: true, Report: &j, Command: rep.Options.Command()}
	allowed := record.Result{Engine: "chromium", Method: "GET", URL: api + "/list", Origin: "http://localhost:3000", Error: "not a cross-origin request the model judges"}

	b := browsertest.Start(t)
	ctx := b.Context()
	b.Navigate(t, s.URL())
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`api("/api/session", {since: 0}).then(o => o.recording)`, chromedp.EvalAwaitPromise)); err != nil || got {
		t.Errorf("corskit serve alone says it is recording: %v %v", got, err)
	}
	s.Recording()
	s.Record(blocked)
	b.Navigate(t, s.URL())
	poll(t, ctx, `document.querySelectorAll("#sessionrows tr").length === 1`)
	s.Record(allowed)
	poll(t, ctx, `document.querySelectorAll("#sessionrows tr").length === 2`)
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll("#sessionrows tr")].map(r => r.textContent)`)
	if !strings.Contains(rows[0], "BLOCKED") || !strings.Contains(rows[0], "PUT "+api+"/data") || !strings.Contains(rows[1], "GET "+api+"/list") {
		t.Errorf("the session's rows: %q", rows)
	}
	do(t, ctx, chromedp.SendKeys("#sessionfilter", "blocked"))
	if n := eval[int](t, ctx, `[...document.querySelectorAll("#sessionrows tr")].filter(r => !r.hidden).length`); n != 1 {
		t.Errorf("filtered on blocked: %d rows shown, want 1", n)
	}
	do(t, ctx, chromedp.Click("#sessionrows button"))
	poll(t, ctx, `!document.getElementById("result").hidden`)
	if got := eval[string](t, ctx, `document.getElementById("verdict").textContent`); !strings.HasPrefix(strings.Join(strings.Fields(got), " "), "BLOCKED PUT "+api+"/data") {
		t.Errorf("Open shows %q", got)
	}
	s.RecordDone()
	poll(t, ctx, `document.getElementById("sessionstate").textContent.startsWith("Done: 2 cross-origin requests, 1 blocked")`)
	do(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.ScrollIntoView("#session"))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(artifacts(t), "record-session-1280.png"), shot, 0o644)
}
