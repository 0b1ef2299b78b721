package proxy

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/browsertest"
)

// TestGatewayInEngines: a page on one loopback origin calls the gateway on
// another, in front of an upstream that sets a wrong CORS header of its own,
// in Chromium, Firefox and Safari's WebKit. A blocked request's console lines
// must be the engine model's; in Chromium, also the message written below.
func TestGatewayInEngines(t *testing.T) {
	t.Parallel()
	browsertest.EachEngine(t, testGatewayInEngine)
}

func testGatewayInEngine(t *testing.T, b browsertest.Engine) {
	page := b.Origin()
	model, _ := browser.EngineNamed(b.Name())
	modelLines := func(req browsertest.Request, origin string) []string {
		return model.Fetch(browsertest.ModelRequest(origin, req), check.Transport(context.Background(), check.Options{Body: req.Body, Timeout: 5 * time.Second})).Messages
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*") // replaced by the gateway
		w.Header().Set("X-Request-Id", "42")
		if r.URL.Path == "/fail" {
			w.WriteHeader(500)
		}
		fmt.Fprint(w, `{"message": "Hello from API!"}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	g, err := New(Config{Upstream: u, Policy: cors.Config{
		AllowOrigins: []string{page}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"},
		ExposeHeaders: []string{"X-Request-Id"}, AllowCredentials: true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The same gateway for another app: the page's origin is not listed.
	forOther, err := New(Config{Upstream: u, Policy: cors.Config{AllowOrigins: []string{"http://localhost:3999"}, AllowCredentials: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range servers {
		addr, stop := serveGateway(t, g, ServerOptions{StandardServer: srv.standard})
		gw := "http://" + addr
		t.Run("server="+srv.name, func(t *testing.T) {
			json := map[string]string{"Content-Type": "application/json"}
			for _, tc := range []struct {
				desc   string
				req    browsertest.Request
				status int    // when allowed
				reason string // when blocked
			}{
				{"credentialed JSON PUT", browsertest.Request{URL: "/data", Method: "PUT", Headers: json, Credentials: "include", Body: "{}"}, 200, ""},
				{"upstream 500 readable", browsertest.Request{URL: "/fail", Credentials: "include"}, 500, ""},
				{"method refused", browsertest.Request{URL: "/data", Method: "DELETE"}, 0, "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response."},
				{"header refused", browsertest.Request{URL: "/data", Method: "PUT", Headers: map[string]string{"X-Debug": "1"}}, 0, "Request header field x-debug is not allowed by Access-Control-Allow-Headers in preflight response."},
			} {
				t.Run(tc.desc, func(t *testing.T) {
					req := tc.req
					req.URL = gw + req.URL + "?" + url.QueryEscape(srv.name+" "+tc.desc)
					res := b.Fetch(t, req)
					if tc.reason == "" {
						if !res.OK || res.Status != tc.status || !slices.Contains(res.Headers, "x-request-id") {
							t.Errorf("got ok=%v status %d readable %q console %q; want %d with x-request-id readable", res.OK, res.Status, res.Headers, res.Console, tc.status)
						}
						return
					}
					if lines := modelLines(req, page); res.OK || !browsertest.ContainsRun(res.Console, lines) {
						t.Errorf("got ok=%v console %q; want the model's %q", res.OK, res.Console, lines)
					}
					want := fmt.Sprintf("Access to fetch at '%s' from origin '%s' has been blocked by CORS policy: %s", req.URL, page, tc.reason)
					if b.Name() == "chromium" && !slices.Contains(res.Console, want) {
						t.Errorf("got console %q; want %q", res.Console, want)
					}
				})
			}
			// An origin the gateway does not list: it refuses, although
			// the upstream says *.
			otherAddr, stopOther := serveGateway(t, forOther, ServerOptions{StandardServer: srv.standard})
			otherReq := browsertest.Request{URL: "http://" + otherAddr + "/data?other"}
			res := b.Fetch(t, otherReq)
			if lines := modelLines(otherReq, page); res.OK || len(lines) == 0 || !browsertest.ContainsRun(res.Console, lines) {
				t.Errorf("an origin the gateway does not list: got ok=%v console %q; want the model's %q", res.OK, res.Console, lines)
			}
			if err := stopOther(); err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
}
