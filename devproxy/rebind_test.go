package devproxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/internal/browsertest"
)

// rebindingChromium starts headless Chromium in which evil.example resolves
// to 127.0.0.1, as a rebound name does, and nothing but loopback resolves.
// It returns a function that loads a URL and evaluates a JavaScript
// expression (a promise) there.
func rebindingChromium(t *testing.T) func(url, js string) string {
	t.Helper()
	b := browsertest.StartChromium(t, browsertest.Options{LoopbackNames: []string{"evil.example"}})
	return func(url, js string) string {
		t.Helper()
		b.Navigate(t, url)
		c, cancel := context.WithTimeout(b.Context(), 30*time.Second)
		defer cancel()
		out, err := chromedp.Run(c, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %s: %v", url, js, err)
		}
		return out
	}
}

// TestRebindingInChromium is the attack in a real browser: a page on
// evil.example, a name that resolves to 127.0.0.1, reads what corskit dev
// answers for it (now a 403, never the app or its cookie), and a page on
// evil.example cannot open a WebSocket through corskit dev, while the app's
// own page can.
func TestRebindingInChromium(t *testing.T) {
	t.Parallel()
	run := rebindingChromium(t)
	var upgrades atomic.Int32
	echo := wsEcho(&upgrades)
	front := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if isWebSocket(r) {
			echo(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s3cret"})
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>app</title>app source")
	})
	_, dev := start(t, Config{Frontend: mustURL(front.URL)})
	port := dev[strings.LastIndex(dev, ":")+1:]
	// The rebinding page reads what it was served on its own origin.
	read := `fetch("/").then(async r => r.status + " " + (await r.text()).split("\n")[0] + " cookie=" + document.cookie)`
	if got := run("http://evil.example:"+port+"/", read); got != `403 corskit dev: refused a request for host "evil.example:`+port+`". cookie=` {
		t.Errorf("a page on evil.example:%s read %q; want corskit dev's 403 and no cookie", port, got)
	}
	// A page on another site opens a WebSocket to corskit dev.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>elsewhere</title>")
	}))
	defer evil.Close()
	open := fmt.Sprintf(`new Promise(done => { const ws = new WebSocket("ws://127.0.0.1:%s/@vite/hmr"); ws.onopen = () => ws.send("hi"); ws.onmessage = e => done("echo " + e.data); ws.onerror = () => done("error") })`, port)
	evilPort := evil.URL[strings.LastIndex(evil.URL, ":")+1:]
	if got := run("http://evil.example:"+evilPort+"/", open); got != "error" || upgrades.Load() != 0 {
		t.Errorf("a WebSocket from a page on evil.example: %q, %d upgrades reached the dev server; want an error and none", got, upgrades.Load())
	}
	if got := run(dev+"/", open); got != "echo hi" {
		t.Errorf("a WebSocket from the app's own page: %q; want the echo", got)
	}
}
