package check_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

// corsAPI answers every request and preflight with permissive CORS headers,
// so that only a check made before any request can block.
func corsAPI(t *testing.T) *httptest.Server {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "PUT")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(api.Close)
	return api
}

// modelFor runs the engine's model on the request the page made.
func modelFor(e *browser.Engine, origin string, r browsertest.Request, res browsertest.Result, page, target browser.AddressSpace) browser.Verdict {
	req := browsertest.ModelRequest(origin, r)
	req.PageURL, req.PageAddressSpace, req.TargetAddressSpace = res.PageURL, page, target
	return e.Fetch(req, check.Transport(context.Background(), check.Options{Body: r.Body, Timeout: 5 * time.Second}))
}

// TestMixedContentInEngines: an https page fetching http URLs, in each
// engine. A host that is not potentially trustworthy is blocked before any
// request by every engine, each with its own lines; loopback is trustworthy
// in Chromium and Firefox, not in WebKit. The model must agree on the
// verdict and every line. The blocked host (mixed.test) is never looked
// up: the engines block before resolving, and each driver keeps its engine
// off every address but loopback.
func TestMixedContentInEngines(t *testing.T) {
	t.Parallel()
	api := corsAPI(t)
	port := strings.TrimPrefix(api.URL, "http://127.0.0.1:")
	reqs := []browsertest.Request{
		{URL: "http://mixed.test/data"},
		{URL: "http://mixed.test/data", Method: "PUT", Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}"},
		{URL: api.URL + "/data"},
		{URL: "http://localhost:" + port + "/data", Method: "PUT"},
	}
	for _, name := range browsertest.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := browsertest.StartEngineWith(t, name, browsertest.Options{TLS: true})
			model, _ := browser.EngineNamed(name)
			results := e.FetchAll(t, reqs)
			for i, r := range reqs {
				v := modelFor(model, e.Origin(), r, results[i], "", "")
				if v.Allowed != results[i].OK || !slices.Equal(v.Messages, engineLines(name, results[i].Console, true)) {
					t.Errorf("%s %s from %s: %s ok=%v %q; model allowed=%v %q", r.Method, r.URL, e.Origin(), name, results[i].OK, results[i].Console, v.Allowed, v.Messages)
				}
				if i == 0 && v.Reason != browser.MixedContent {
					t.Errorf("%s: reason %q; want mixed_content", r.URL, v.Reason)
				}
				if v.Reason == browser.MixedContent {
					wantNotCORS(t, results[i].Console, "mixed_content")
				}
			}
		})
	}
}

// TestLocalNetworkAccessInChromium: a page declared public fetches a
// loopback server, and one declared private; Chromium blocks both before
// sending anything, though the server's CORS headers are right, and names
// the target's space. A private page fetching loopback, a loopback page
// fetching a private server and public to public are not asked (measured in
// Chromium 156). The model must agree on the verdict and the line, and the
// server must see no request when blocked.
//
// The address spaces are launch flags, so one Chromium is started with
// every case's page and API declared (a start costs about 3 s of CPU), and
// the cases run in turn in its tab, each from its own page and to its own
// API, which counts what reached it.
func TestLocalNetworkAccessInChromium(t *testing.T) {
	t.Parallel()
	type lnaCase struct {
		page, target browser.AddressSpace
		blocked      bool
		pageURL      string
		api          *httptest.Server
		seen         *atomic.Int64
	}
	cases := []*lnaCase{
		{page: browser.Public, target: browser.Loopback, blocked: true},
		{page: browser.Public, target: browser.Private, blocked: true},
		{page: browser.Private, target: browser.Loopback},
		{page: browser.Loopback, target: browser.Private},
		{page: browser.Public, target: browser.Public},
	}
	var spaces []string
	for _, c := range cases {
		seen := &atomic.Int64{}
		c.seen = seen
		c.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen.Add(1)
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			fmt.Fprint(w, "ok")
		}))
		t.Cleanup(c.api.Close)
		page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<!doctype html><title>a page declared "+string(c.page)+"</title>")
		}))
		t.Cleanup(page.Close)
		c.pageURL = page.URL + "/"
		spaces = append(spaces, strings.TrimPrefix(page.URL, "http://")+"="+string(c.page), strings.TrimPrefix(c.api.URL, "http://")+"="+string(c.target))
	}
	e := browsertest.StartChromium(t, browsertest.Options{AddressSpaces: spaces})
	for _, c := range cases {
		t.Run(string(c.page)+" to "+string(c.target), func(t *testing.T) {
			e.Navigate(t, c.pageURL)
			origin := strings.TrimSuffix(c.pageURL, "/")
			reqs := []browsertest.Request{{URL: c.api.URL + "/get"}, {URL: c.api.URL + "/put", Method: "PUT"}}
			results := e.FetchAll(t, reqs)
			got := c.seen.Load()
			if c.blocked && got != 0 || !c.blocked && got == 0 {
				t.Errorf("the server saw %d requests; blocked=%v", got, c.blocked)
			}
			for i, r := range reqs {
				if results[i].OK == c.blocked {
					t.Errorf("%s %s: Chromium ok=%v %q; want blocked=%v", r.Method, r.URL, results[i].OK, results[i].Console, c.blocked)
				}
				v := modelFor(browser.Chromium(), origin, r, results[i], c.page, c.target)
				if v.Allowed != results[i].OK || !slices.Equal(v.Messages, engineLines("chromium", results[i].Console, true)) {
					t.Errorf("%s %s: Chromium ok=%v %q; model allowed=%v %q", r.Method, r.URL, results[i].OK, results[i].Console, v.Allowed, v.Messages)
				}
				if c.blocked && v.Reason != browser.LocalNetworkAccess {
					t.Errorf("reason %q; want local_network_access", v.Reason)
				}
				if c.blocked {
					wantNotCORS(t, results[i].Console, "local_network_access")
				}
			}
		})
	}
}

// TestBadPortsAndRefusedConnectionsInEngines: a fetch to a port of the
// Fetch standard's block list fails in every engine before any connection
// (WebKit says so in the console), and a fetch to a closed port fails as a
// network error (Firefox logs "CORS request did not succeed"; for a
// preflight, WebKit says the connection was refused). The model must agree
// with each engine. Each run tries 8 of the list's ports, drawn afresh
// (Firefox spends two seconds on each failure that logs nothing); every port
// passed when this test was written.
func TestBadPortsAndRefusedConnectionsInEngines(t *testing.T) {
	t.Parallel()
	// A reserved port nothing listens on (below the ephemeral range, so no
	// server of this run listening on port 0 takes it).
	closed := fmt.Sprintf("127.0.0.1:%d", servertest.FreePort(t))
	var reqs []browsertest.Request
	ports := browser.BadPorts()[1:] // not 0
	rand.Shuffle(len(ports), func(i, j int) { ports[i], ports[j] = ports[j], ports[i] })
	t.Logf("blocked ports tried: %v", ports[:8])
	for _, p := range ports[:8] {
		reqs = append(reqs, browsertest.Request{URL: fmt.Sprintf("http://127.0.0.1:%d/data", p)})
	}
	reqs = append(reqs, browsertest.Request{URL: "http://" + closed + "/data"}, browsertest.Request{URL: "http://" + closed + "/put", Method: "PUT"})
	browsertest.EachEngine(t, func(t *testing.T, e browsertest.Engine) {
		model, _ := browser.EngineNamed(e.Name())
		results := e.FetchAll(t, reqs)
		for i, r := range reqs {
			v := modelFor(model, e.Origin(), r, results[i], "", "")
			lines := engineLines(e.Name(), results[i].Console, false)
			if results[i].OK || v.Allowed || !slices.Equal(v.Messages, lines) {
				t.Errorf("%s %s: %s ok=%v %q; model allowed=%v %s %q", r.Method, r.URL, e.Name(), results[i].OK, lines, v.Allowed, v.Reason, v.Messages)
			}
		}
	})
}

// wantNotCORS: the engine's real lines, pasted into --from-error, are named
// as what they are, not read as a CORS failure.
func wantNotCORS(t *testing.T, lines []string, kind string) {
	t.Helper()
	_, err := check.ParseConsole(strings.Join(lines, "\n"))
	var nc *check.NotCORSError
	if !errors.As(err, &nc) || nc.Kind != kind {
		t.Errorf("--from-error on %q: got %v; want it named %s", lines, err, kind)
	}
}
