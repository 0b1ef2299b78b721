// Package browsertest drives headless Chromium from tests: a page on one
// loopback origin calls fetch() on another, and the test reads what the page
// saw and what Chromium printed to the console.
//
// A test that needs the browser calls [Start]. When Chromium is missing the
// test is skipped with a loud message, unless CORSKIT_REQUIRE_BROWSER=1 (set by
// .ci/run), which makes it fail.
package browsertest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/browserwire"
)

// Browser is a headless Chromium with one tab on a blank page served from
// its own loopback origin.
type Browser struct {
	ctx    context.Context
	origin string // the page's origin, e.g. "http://127.0.0.1:40123"
	// pageURL is the URL the tab shows.
	pageURL string
	mu      sync.Mutex
	markers int // console markers logged, guarded by mu
}

// ExecPath returns the Chromium binary to use: $CORSKIT_CHROMIUM, else
// chromium, chromium-browser or google-chrome on PATH, else "".
func ExecPath() string { return browserwire.ChromiumPath() }

// Start lends the test a Chromium of the pool (see [Main]), or, in a
// package without Main, launches one for the test and its subtests and
// stops it when the test ends.
func Start(t testing.TB) *Browser { return StartEngine(t, "chromium").(*Browser) }

// StartChromium is Start with options.
func StartChromium(t testing.TB, o Options) *Browser {
	t.Helper()
	path := ExecPath()
	if path == "" {
		missing(t, "Chromium", "apt-get install chromium, or set CORSKIT_CHROMIUM")
	}
	page := startPageServer(t, o)
	b := &Browser{origin: page.origin}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		// A page load on another site reuses a renderer of the tab's
		// browser context once four run: a load on localhost and back to
		// 127.0.0.1 cost 0.75 s of CPU, 0.25 s with it (tabs of
		// different contexts still get their own). CORS is checked in
		// the network service, not the renderer.
		chromedp.Flag("renderer-process-limit", "4"),
		// Chromium 156 preloads its omnibox popups as WebUI pages in a
		// renderer of their own in every window, headless too: a start
		// cost 4.2 s of CPU with them and 2.5 s without, a tab 0.89 s and
		// 0.67 s. chromedp's own list comes first (this flag replaces it).
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,WebUIOmniboxPopup,WebUIOmniboxAimPopup"),
		chromedp.UserDataDir(t.TempDir()),
		// No name resolves but loopback's: no request can leave the machine.
		chromedp.Flag("host-resolver-rules", hostResolverRules(o.LoopbackNames)),
	)
	if o.TLS || o.anyCertificate {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors", true))
	}
	overrides := o.AddressSpaces
	if o.PageAddressSpace != "" {
		overrides = append(overrides, "127.0.0.1:"+page.port()+"="+o.PageAddressSpace)
	}
	if len(overrides) > 0 {
		opts = append(opts, chromedp.Flag("ip-address-space-overrides", strings.Join(overrides, ",")))
	}
	opts = append(opts, chromedp.WSURLReadTimeout(30*time.Second))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first action must run on ctx itself: cancelling the context of the
	// first action stops the browser. The allocator's own timeout bounds the start.
	if err := chromedp.Do(ctx, chromedp.Navigate(b.origin+"/")); err != nil {
		t.Fatalf("starting Chromium at %s: %v", path, err)
	}
	b.ctx = ctx
	b.pageURL = b.origin + "/"
	return b
}

// hostResolverRules maps names to 127.0.0.1 and every other name but
// localhost and 127.0.0.1 to nothing.
func hostResolverRules(names []string) string {
	var rules []string
	for _, n := range names {
		rules = append(rules, "MAP "+n+" 127.0.0.1")
	}
	return strings.Join(append(rules, "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"), ", ")
}

// Navigate loads url in the tab: later Fetch calls run from that page, and
// relative URLs resolve against it.
func (b *Browser) Navigate(t testing.TB, url string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
	b.pageURL = url
}

// Origin returns the origin of the page that makes the requests.
func (b *Browser) Origin() string { return b.origin }

// Context is the tab's chromedp context, for a test that drives a page
// beyond fetch(): keys, clicks, screenshots. Use it from the test's own
// goroutine, between calls to the other methods.
func (b *Browser) Context() context.Context { return b.ctx }

// Name returns "chromium".
func (b *Browser) Name() string { return "chromium" }

// FetchAll calls Fetch for each request in turn.
func (b *Browser) FetchAll(t testing.TB, reqs []Request) []Result {
	t.Helper()
	out := make([]Result, len(reqs))
	for i, r := range reqs {
		out[i] = b.Fetch(t, r)
	}
	return out
}

// Request is one fetch() call made by the page.
type Request struct {
	URL     string
	Method  string            // default GET
	Headers map[string]string // set by script, in sorted order
	// Ordered are headers the page sets after Headers, in this order: the
	// order in which a page sets its headers changes which refused header
	// WebKit names.
	Ordered     []browser.Header
	Credentials string // omit, same-origin (default) or include
	Body        string // sent when not empty
}

// Result is what the page and the console saw.
type Result struct {
	// OK is true when fetch() resolved, false when it rejected.
	OK bool `json:"ok"`
	// Status is the response status when OK.
	Status int `json:"status"`
	// Headers are the response header names the page could read, lower-case.
	Headers []string `json:"headers"`
	// Error is the rejection's text, e.g. "TypeError: Failed to fetch".
	Error string `json:"error"`
	// Console holds the console's error lines for the request, in order:
	// the CORS or mixed-content lines, and in Chromium the "Failed to load
	// resource: net::ERR_..." line that ends them.
	Console []string `json:"-"`
	// PageURL is the URL of the page that made the request.
	PageURL string `json:"-"`
}

// Fetch makes the page call fetch(req) and returns the outcome, with the
// console lines Chromium logged for it. Once the fetch settles, the page
// logs a marker; Chromium writes a fetch's CORS, mixed-content and "Failed
// to load resource" lines from the page's process before the page sees the
// outcome, so they come before the marker.
func (b *Browser) Fetch(t testing.TB, req Request) Result {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	msgCtx, stopMsgs := context.WithCancel(ctx)
	defer stopMsgs()
	messages := chromedp.Console(msgCtx)

	b.markers++
	marker := fmt.Sprintf("corskit-console-marker %d", b.markers)
	expr := fmt.Sprintf(`(async () => { const r = await %s; console.debug(%q); return r; })()`, fetchExpression(req), marker)
	res, err := chromedp.Run(ctx, chromedp.Evaluate[Result](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s in Chromium: %v", req.URL, err)
	}
	res.PageURL = b.pageURL
	// A failed fetch's lines end with "Failed to load resource: net::ERR_...",
	// right after its CORS line, or with its mixed-content line.
	ended := false
	for m, err := range messages {
		if err != nil {
			t.Fatalf("fetch %s in Chromium: the console marker did not arrive: %v", req.URL, err)
		}
		if m.Type == chromedp.ConsoleDebug && m.Text == marker {
			break
		}
		if ended || m.Type != chromedp.ConsoleError {
			continue
		}
		if strings.HasPrefix(m.Text, "Failed to load resource: net::") && m.URL != "" && !strings.HasSuffix(m.URL, "/favicon.ico") {
			res.Console = append(res.Console, m.Text)
			ended = true
		} else if strings.Contains(m.Text, req.URL) {
			res.Console = append(res.Console, m.Text)
			ended = strings.HasPrefix(m.Text, "Mixed Content:")
		}
	}
	return res
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
