package browsertest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/corskit/corskit/browser"
)

// Engine is one browser engine driven by a test: a page on its own loopback
// origin that calls fetch() and reports what it saw and what the engine
// printed to the console.
type Engine interface {
	// Name is the engine's name as corskit spells it: chromium, firefox or
	// safari (WebKit, Safari's engine).
	Name() string
	// Origin is the origin of the page that makes the requests.
	Origin() string
	// Navigate loads url in the tab: later fetches run from that page, and
	// relative URLs resolve against it.
	Navigate(t testing.TB, url string)
	// Fetch makes the page call fetch(req) and returns the outcome.
	Fetch(t testing.TB, req Request) Result
	// FetchAll makes the page call fetch for each request in turn, and
	// returns the outcomes in the same order; it is Fetch, faster in bulk.
	FetchAll(t testing.TB, reqs []Request) []Result
}

// Names are the engines, in the order tests run them.
var Names = []string{"chromium", "firefox", "safari"}

// StartEngine starts the named engine for the test (see [Start]). In a
// package whose TestMain calls [Main], it shares the engine instead: a tab
// of the test's own in the process's one Chromium or Firefox, with its own
// cookies and caches, or a WebKit lent to the test alone and taken back
// when the test ends.
func StartEngine(t testing.TB, name string) Engine {
	t.Helper()
	return StartEngineWith(t, name, Options{})
}

// StartEngineWith is StartEngine with options. A shared Chromium or
// Firefox serves TLS with a tab whose page is on https; the options that
// only a start can apply (Chromium's address spaces and loopback names,
// WebKit's https page) start an engine for the test alone.
func StartEngineWith(t testing.TB, name string, o Options) Engine {
	t.Helper()
	if e, ok := pool.lend(t, name, o); ok {
		return e
	}
	return startEngine(t, name, o)
}

// startEngine starts the named engine for t, owned by t.
func startEngine(t testing.TB, name string, o Options) Engine {
	t.Helper()
	switch name {
	case "chromium":
		return StartChromium(t, o)
	case "firefox":
		return StartFirefoxWith(t, o)
	case "safari":
		return StartWebKitWith(t, o)
	}
	t.Fatalf("browsertest: unknown engine %q; want one of %v", name, Names)
	return nil
}

// EachEngine runs f as a parallel subtest per engine, named after it, each
// with its own browser. The subtests run after the calling test's function
// returns (t.Parallel), so what they share must be released with t.Cleanup,
// not defer, and nothing may be checked after EachEngine returns: the
// engines wait on their browsers, not the CPU, and Firefox alone takes
// about as long as Chromium and WebKit together.
func EachEngine(t *testing.T, f func(t *testing.T, e Engine)) {
	t.Helper()
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, StartEngine(t, name))
		})
	}
}

// missing skips the test with a loud message, or fails it when
// CORSKIT_REQUIRE_BROWSER=1.
func missing(t testing.TB, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("\n\n*** %s not found: browser tests SKIPPED. Install it (%s). ***\n\n", what, install)
	if os.Getenv("CORSKIT_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + "CORSKIT_REQUIRE_BROWSER=1: failing instead of skipping.")
	}
	t.Skip(msg)
}

// fetchExpression returns a JavaScript expression whose value is a promise of
// the page's view of fetch(req), as JSON that decodes into Result.
func fetchExpression(req Request) string {
	init := map[string]any{"method": cmp(req.Method, "GET"), "credentials": cmp(req.Credentials, "same-origin")}
	if hs := pageHeaders(req); len(hs) > 0 {
		// A list of pairs, which fetch() reads in order.
		pairs := make([][2]string, len(hs))
		for i, h := range hs {
			pairs[i] = [2]string{h.Name, h.Value}
		}
		init["headers"] = pairs
	}
	if req.Body != "" {
		init["body"] = req.Body
	}
	initJSON, _ := json.Marshal(init)
	urlJSON, _ := json.Marshal(req.URL)
	return fmt.Sprintf(`(async () => {
		try {
			const r = await fetch(%s, %s);
			const names = [];
			r.headers.forEach((v, k) => names.push(k));
			await r.text();
			return {ok: true, status: r.status, headers: names};
		} catch (e) {
			return {ok: false, error: String(e)};
		}
	})()`, urlJSON, initJSON)
}

// ModelRequest returns the browser model's request for what the page at
// origin fetched, so that a test can hold an engine to its model.
func ModelRequest(origin string, r Request) browser.Request {
	return browser.Request{Origin: origin, URL: r.URL, Method: r.Method, Headers: pageHeaders(r), Credentials: browser.Credentials(r.Credentials), Body: r.Body != ""}
}

// pageHeaders returns the headers the page sets for r, in the order it sets
// them: Headers sorted by name, then Ordered.
func pageHeaders(r Request) []browser.Header {
	var hs []browser.Header
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		hs = append(hs, browser.Header{Name: k, Value: r.Headers[k]})
	}
	return append(hs, r.Ordered...)
}

// ContainsRun reports whether lines holds want, non-empty, as a contiguous
// run: an engine's console lines for a request, among others it logged.
func ContainsRun(lines, want []string) bool {
	for i := 0; len(want) > 0 && i+len(want) <= len(lines); i++ {
		if slices.Equal(lines[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
