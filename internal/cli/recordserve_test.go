package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/browsertest"
)

// lockedBuffer is a buffer a run writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// gatedApp serves an app whose page, on load, makes a credentialed JSON
// PUT to api/ok (allowed by the cors middleware) and to api/blocked (no
// CORS header: blocked at its preflight), then asks its own server every
// 200 ms whether the gate is open; until it is, the network is never idle,
// so record's run goes on. The page shows "go" once the gate opens.
func gatedApp(t *testing.T, gate *atomic.Bool) (page, api string) {
	t.Helper()
	mw, err := cors.New(cors.Config{AllowOrigins: []string{"http://127.0.0.1:*"}, AllowCredentials: true, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ok", mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"ok": true}`) })))
	mux.HandleFunc("/blocked", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"ok": true}`) })
	a := httptest.NewServer(mux)
	t.Cleanup(a.Close)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gate" {
			fmt.Fprint(w, gate.Load())
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><meta charset=utf-8><title>app</title><p id=state>loading</p><script>
const put = u => fetch(u, {method: 'PUT', headers: {'Content-Type': 'application/json'}, credentials: 'include', body: '{}'});
const wait = () => fetch('/gate').then(r => r.text()).then(t => t === 'true' ? (document.getElementById('state').textContent = 'go') : setTimeout(wait, 200));
Promise.allSettled([put(%q), put(%q)]).then(wait);
</script>`, a.URL+"/ok", a.URL+"/blocked")
	}))
	t.Cleanup(app.Close)
	return app.URL + "/", a.URL
}

// TestRecordServe runs corskit record --serve as a user does: headless
// Chromium records a loopback app that makes an allowed and a blocked
// request, while corskit's page, opened in another Chromium from the URL
// record printed, shows them as they happen ("Recording:"), then the end
// of the run; the run stays up until it is interrupted, then exits 0.
func TestRecordServe(t *testing.T) {
	keepOnLoopback(t, "chromium")
	var gate atomic.Bool
	page, api := gatedApp(t, &gate)
	ctx, cancel := context.WithCancel(context.Background())
	prev := recordContext
	recordContext = func() (context.Context, context.CancelFunc) { return ctx, cancel }
	t.Cleanup(func() { gate.Store(true); cancel(); recordContext = prev })

	var out, errOut lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- Run([]string{"record", "--headless", "--serve", "--timeout", "60s", page}, &out, &errOut)
	}()
	printed := regexp.MustCompile(`the session, as it happens: (http://127\.0\.0\.1:\d+/\?token=\S+)\n`)
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := printed.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("record --serve printed no page URL in 30 s; stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
	b := browsertest.Start(t)
	b.Navigate(t, url)
	bctx := b.Context()
	waitFor := func(expr string) {
		t.Helper()
		c, stop := context.WithTimeout(bctx, 60*time.Second)
		defer stop()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](expr)); err != nil {
			t.Fatalf("the page: waiting for %s: %v\nstdout:\n%s\nstderr:\n%s", expr, err, out.String(), errOut.String())
		}
	}
	// Both requests are on the page while the app still runs.
	waitFor(`document.querySelectorAll("#sessionrows li").length === 2 && document.getElementById("sessionstate").textContent.startsWith("Recording: 2 cross-origin requests, 1 blocked")`)
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#sessionrows li")].map(r => r.querySelector(".tlopen").textContent.replace(/^\d+\. /, "")).sort()`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !strings.Contains(strings.Join(rows, "\n"), "ALLOWED PUT "+api+"/ok") || !strings.Contains(strings.Join(rows, "\n"), "BLOCKED PUT "+api+"/blocked") {
		t.Errorf("the page's rows: %q", rows)
	}
	// Both PUTs had a preflight: the recorder timed it, and the page
	// draws it before the request.
	for _, r := range rows {
		if !regexp.MustCompile(`at \+\d+ ms: preflight \d+ ms, then request \d+ ms$`).MatchString(r) {
			t.Errorf("a row without its preflight's timing: %q", r)
		}
	}
	gate.Store(true)
	waitFor(`document.getElementById("sessionstate").textContent.startsWith("Done: 2 cross-origin requests, 1 blocked")`)
	// The page stays up after the run, until the interrupt.
	select {
	case c := <-code:
		t.Fatalf("record --serve ended (exit %d) before it was interrupted", c)
	default:
	}
	cancel()
	select {
	case c := <-code:
		if c != ExitOK {
			t.Errorf("exit %d after the interrupt; stderr:\n%s", c, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("record --serve did not end within 30 s of the interrupt")
	}
	for _, want := range []string{"BLOCKED  PUT " + api + "/blocked", "ok       PUT " + api + "/ok", "recorded in chromium: 2 cross-origin requests, 1 blocked in some engine"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "the session stays on the page until Ctrl-C") {
		t.Errorf("stderr: %s", errOut.String())
	}
}
