package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/record"
)

// sessionRecords are three requests of a recorded session, judged for
// real against the php broken API: a credentialed PUT blocked at its
// preflight, a GET the model cannot judge, and a plain GET allowed; their
// times put the PUT's preflight at 0 ms and the allowed GET's end at 60 ms.
// The engine's line and the error hold markup, which must stay text.
func sessionRecords(t *testing.T, api string) []record.Result {
	t.Helper()
	judged := func(o check.Options) (*check.JSON, string) {
		rep, err := check.Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		j := rep.ToJSON()
		return &j, rep.Options.Command()
	}
	put, putCmd := judged(check.Options{URL: api + "/data", Origin: "http://localhost:3000", Method: "PUT",
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}, Credentials: browser.Include, Body: "{}"})
	get, getCmd := judged(check.Options{URL: api + "/list", Origin: "http://localhost:3000", Method: "GET"})
	t0 := float64(time.Now().UnixMilli())
	return []record.Result{
		{Engine: "chromium", Method: "PUT", URL: api + "/data", Origin: "http://localhost:3000", Preflight: true, BlockedHere: true, Report: put, Command: putCmd,
			Console: []string{`<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`},
			Timing:  record.Timing{PreflightStart: t0, PreflightEnd: t0 + 10, Start: t0 + 10, End: t0 + 30}},
		{Engine: "chromium", Method: "GET", URL: api + "/ping", Origin: "http://localhost:3000", Error: `not a cross-origin request the model judges <img src=x onerror="window.pwned = 3">`,
			Timing: record.Timing{Start: t0 + 20, End: t0 + 25}},
		{Engine: "chromium", Method: "GET", URL: api + "/list", Origin: "http://localhost:3000", Report: get, Command: getCmd,
			Timing: record.Timing{Start: t0 + 40, End: t0 + 60}},
	}
}

// TestRecordedSessionView is corskit record --serve's page: the requests
// the recorder adds appear as they come, in order, as rows of one drawn
// timeline (the preflight and the request as linked bars placed by their
// times); the filter and "blocked only" narrow it; the keyboard moves
// along the rows and opens a diagnosis; axe-core finds no serious
// violation in light or dark; the end of the session is said; and the
// session saved as one file opens from file:// with no request and shows
// every request. A page of corskit serve alone shows no session view.
func TestRecordedSessionView(t *testing.T) {
	t.Parallel()
	s, _ := startServe(t)
	api := brokenAPI(t)
	recs := sessionRecords(t, api)

	b := browsertest.Start(t)
	ctx := b.Context()
	b.Navigate(t, s.URL())
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`api("/api/session", {since: 0}).then(o => o.recording)`, chromedp.EvalAwaitPromise)); err != nil || got {
		t.Errorf("corskit serve alone says it is recording: %v %v", got, err)
	}
	s.Recording()
	s.Record(recs[0])
	b.Navigate(t, s.URL())
	poll(t, ctx, `document.querySelectorAll("#sessionrows li").length === 1`)
	s.Record(recs[1])
	s.Record(recs[2])
	poll(t, ctx, `document.querySelectorAll("#sessionrows li").length === 3`)
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll("#sessionrows li")].map(r => r.textContent)`)
	if !strings.HasPrefix(rows[0], "1. BLOCKED PUT "+api+"/data") || !strings.HasPrefix(rows[1], "2. NOT JUDGED GET "+api+"/ping") || !strings.HasPrefix(rows[2], "3. ALLOWED GET "+api+"/list") {
		t.Errorf("the session's rows: %q", rows)
	}
	if !strings.HasSuffix(rows[0], "at +0 ms: preflight 10 ms, then request 20 ms") || !strings.HasSuffix(rows[2], "at +40 ms: request 20 ms") {
		t.Errorf("the rows' times in words: %q", rows)
	}
	checkBars(t, ctx)
	if got := eval[string](t, ctx, `String(window.pwned) + " " + document.querySelectorAll("#session img, #session script").length`); got != "undefined 0" {
		t.Errorf("the recorded markup ran or became elements: window.pwned, elements: %s", got)
	}

	shown := func() string {
		return eval[string](t, ctx, `[...document.querySelectorAll("#sessionrows li")].filter(r => !r.hidden).map(r => r.querySelector(".tlopen span").textContent).join(" ")`)
	}
	do(t, ctx, chromedp.SendKeys("#sessionfilter", "/list"))
	if got := shown(); got != "3. ALLOWED" {
		t.Errorf("filtered on /list: %q shown", got)
	}
	eval[any](t, ctx, `document.getElementById("sessionfilter").value = ""; 0`)
	do(t, ctx, chromedp.Click("#sessionblocked"))
	if got := shown(); got != "1. BLOCKED" {
		t.Errorf("blocked only: %q shown", got)
	}
	do(t, ctx, chromedp.Click("#sessionblocked"))
	if got := shown(); got != "1. BLOCKED 2. NOT JUDGED 3. ALLOWED" {
		t.Errorf("no filter: %q shown", got)
	}
	// The keyboard: the arrows move between the rows that open a
	// diagnosis (the unjudged GET has none), Enter opens it.
	do(t, ctx, chromedp.Focus("#sessionrows button"), chromedp.KeyEvent(kb.ArrowDown))
	if got := eval[string](t, ctx, `document.activeElement.textContent`); !strings.HasPrefix(got, "3. ALLOWED") {
		t.Errorf("ArrowDown from the first row reaches %q", got)
	}
	do(t, ctx, chromedp.KeyEvent(kb.ArrowUp), chromedp.KeyEvent("\r"))
	poll(t, ctx, `!document.getElementById("result").hidden`)
	if got := eval[string](t, ctx, `document.getElementById("verdict").textContent`); !strings.HasPrefix(strings.Join(strings.Fields(got), " "), "BLOCKED PUT "+api+"/data") {
		t.Errorf("Enter on the first row shows %q", got)
	}
	s.RecordDone()
	poll(t, ctx, `document.getElementById("sessionstate").textContent.startsWith("Done: 3 cross-origin requests, 1 blocked")`)

	injectAxe(t, ctx)
	dir := artifacts(t)
	for _, scheme := range []string{"light", "dark"} {
		colorScheme(t, ctx, scheme)
		for _, width := range []int64{1280, 390} {
			do(t, ctx, chromedp.EmulateViewport(width, 900))
			if v := axeSerious(t, ctx); len(v) > 0 {
				t.Errorf("%s %d: axe-core finds %d serious violations:\n%s", scheme, width, len(v), strings.Join(v, "\n"))
			}
			if width == 390 {
				wide := eval[[]string](t, ctx, `[...document.querySelectorAll("#session *")].filter(e => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map(e => e.tagName + "#" + e.id + "." + e.className)`)
				if len(wide) > 0 {
					t.Errorf("%s 390: session elements past the viewport's edge: %q", scheme, wide)
				}
			}
			do(t, ctx, chromedp.ScrollIntoView("#session"))
			shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("record-session-%s-%d.png", scheme, width)), shot, 0o644)
		}
	}
	colorScheme(t, ctx, "light")
	checkSessionFile(t, b, api)
	t.Run("2000 requests", func(t *testing.T) { checkBigSession(t, b, recs[0]) })
}

// checkBars holds the bars to the requests' times: on a 60 ms axis the
// PUT's preflight starts at the left edge, its request bar begins where
// the preflight ends (a line between them), the last GET ends at the right
// edge and has no preflight bar.
func checkBars(t *testing.T, ctx context.Context) {
	t.Helper()
	bars := eval[[][]float64](t, ctx, `[...document.querySelectorAll("#sessionrows .track")].map(tr => {
		const t = tr.getBoundingClientRect(), f = (e) => e.hidden ? [-1, -1] : [(e.getBoundingClientRect().left - t.left) / t.width, (e.getBoundingClientRect().right - t.left) / t.width];
		return [...f(tr.children[0]), ...f(tr.children[1]), ...f(tr.children[2])];
	})`)
	near := func(a, b float64) bool { return a-b < 0.02 && b-a < 0.02 }
	put, ping, list := bars[0], bars[1], bars[2]
	if !near(put[0], 0) || !near(put[1], 10.0/60) || !near(put[4], 10.0/60) || !near(put[5], 30.0/60) {
		t.Errorf("the PUT's preflight and request bars, as fractions of the track: %v", put)
	}
	if put[2] < 0 || ping[0] != -1 || ping[2] != -1 || !near(ping[4], 20.0/60) {
		t.Errorf("the link and preflight bars: PUT %v, unjudged GET %v", put, ping)
	}
	if !near(list[4], 40.0/60) || !near(list[5], 1) {
		t.Errorf("the allowed GET's bar: %v", list)
	}
}

// checkSessionFile saves the session as one file and opens it from
// file://: it shows the three requests and the timeline, and it makes no
// request (the browser's resource timing is empty, and the file has no
// script and no address to fetch).
func checkSessionFile(t *testing.T, b *browsertest.Browser, api string) {
	t.Helper()
	ctx := b.Context()
	saved, err := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionHTML(sessionItems, document.getElementById("sessionrows"))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(saved, "&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;img") {
		t.Errorf("the saved session lacks the engine's line, as text")
	}
	for _, bad := range []string{"<script", "<img", "url(", "@import", "href=\"http", "token"} {
		if strings.Contains(saved, bad) {
			t.Errorf("the saved session holds %q", bad)
		}
	}
	file := filepath.Join(t.TempDir(), "session.html")
	if err := os.WriteFile(file, []byte(saved), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Navigate(t, "file://"+file)
	got := eval[[]string](t, ctx, `[String(performance.getEntriesByType("resource").length), String(document.querySelectorAll("script").length),
		document.querySelectorAll(".tl li").length + " rows, " + document.querySelectorAll(".tl .bar.req").length + " bars",
		document.getElementById("request-1").open + " " + document.getElementById("request-1").querySelector("summary").textContent,
		document.getElementById("request-1").textContent, getComputedStyle(document.querySelector(".track .bar.req")).position,
		document.querySelector(".tl a").getAttribute("href"), document.querySelector("#request-2 summary").textContent]`)
	if got[0] != "0" || got[1] != "0" {
		t.Errorf("the saved session, opened from file://, made %s requests and holds %s scripts", got[0], got[1])
	}
	if got[2] != "3 rows, 3 bars" || got[3] != "true 1. BLOCKED PUT "+api+"/data from http://localhost:3000" || got[5] != "absolute" || got[6] != "#request-1" ||
		!strings.HasPrefix(got[7], "2. NOT JUDGED GET ") {
		t.Errorf("the saved session shows: %q", got)
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(artifacts(t), "record-session-file-1280.png"), shot, 0o644)
	}
	if !strings.Contains(got[4], "Access-Control-Allow-Credentials: true") || !strings.Contains(got[4], "corskit check "+api+"/data") {
		t.Errorf("the saved session's first request lacks its fix or command:\n%s", got[4])
	}
}

// checkBigSession loads a session of 2,000 requests (every tenth judged,
// the rest not) from a server of its own, and measures in the page what
// each poll costs once they are all there: laying out every row's bars
// again, and a filter. The figures are logged; the test fails past 2 s
// for the layout and 0.5 s for the filter (which took 1.7 to 2.5 s while
// the rows were list items: Chromium renumbers them all as they hide).
func checkBigSession(t *testing.T, b *browsertest.Browser, judged record.Result) {
	t.Helper()
	s, _ := startServe(t)
	s.Recording()
	t0 := judged.Timing.Start
	for i := range 2000 {
		r := record.Result{Engine: "chromium", Method: "GET", URL: fmt.Sprintf("http://api.test/item/%d", i), Origin: "http://app.test",
			Error: "not a cross-origin request the model judges", Timing: record.Timing{Start: t0 + float64(i), End: t0 + float64(i) + 3}}
		if i%10 == 0 {
			r = judged
			r.Timing = record.Timing{PreflightStart: t0 + float64(i), PreflightEnd: t0 + float64(i) + 2, Start: t0 + float64(i) + 2, End: t0 + float64(i) + 5}
		}
		s.Record(r)
	}
	s.RecordDone()
	start := time.Now()
	b.Navigate(t, s.URL())
	ctx := b.Context()
	poll(t, ctx, `(document.getElementById("sessionstate") || {textContent: ""}).textContent.startsWith("Done: 2000 cross-origin requests, 200 blocked")`)
	loaded := time.Since(start)
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const rows = document.getElementById("sessionrows"), f = document.getElementById("sessionfilter");
		const t0 = performance.now();
		sessionLayout(rows);
		document.body.offsetHeight;
		const t1 = performance.now();
		f.value = "item/19";
		f.dispatchEvent(new Event("input"));
		document.body.offsetHeight;
		const t2 = performance.now();
		return [t1 - t0, t2 - t1, [...rows.children].filter(r => !r.hidden).length];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a 2,000-request session: loaded in %s (4 polls of 500, 200 ms apart, and the navigation); laying out every bar again %.0f ms; a filter %.0f ms", loaded.Round(time.Millisecond), ms[0], ms[1])
	// The times are logged; the bounds are ten times what a quiet machine
	// takes, to catch a page that grew quadratic, not to measure.
	if ms[0] > 20000 || ms[1] > 5000 || ms[2] != 100 {
		t.Errorf("a 2,000-request session: layout %.0f ms, filter %.0f ms, %v rows kept by item/19 (want 100: 19, 191 to 199, 1901 to 1999 but the judged tenths)", ms[0], ms[1], ms[2])
	}
}
