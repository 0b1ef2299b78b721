package browser

import (
	"net/http"
	"strings"
	"testing"
)

// redirecting answers /first with a 302 to another origin and every other
// request (preflights included) with permissive CORS headers for the null
// origin, recording what it was sent.
func redirecting(sent *[]Outgoing) RoundTripper {
	return func(o Outgoing) (Incoming, error) {
		*sent = append(*sent, o)
		h := http.Header{}
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "DELETE, PUT")
		h.Set("Access-Control-Allow-Headers", "X-Custom, Authorization")
		if !o.Preflight && o.URL == "http://api.test/first" {
			h.Set("Location", "http://other.test/next")
			return Incoming{Status: 302, Header: h}, nil
		}
		return Incoming{Status: 200, Header: h}, nil
	}
}

// TestEngineQuirks: each engine's departures from the shared logic, as
// measured in the real engines (TestModelAgainstEngines holds them there):
// what is sent after a cross-origin redirect, and which check fails first.
func TestEngineQuirks(t *testing.T) {
	t.Parallel()
	t.Run("after a cross-origin redirect", func(t *testing.T) {
		for _, tc := range []struct {
			engine             *Engine
			method             string // of the redirected request
			preflightOrigin    string // of the redirect target's preflight
			authorizationKept  bool
			secondPreflightFor string // Access-Control-Request-Method
		}{
			{Chromium(), "DELETE", "null", false, "DELETE"},
			{Firefox(), "DELETE", "http://localhost:3000", false, "DELETE"},
			{Safari(), "GET", "null", true, "GET"},
		} {
			var sent []Outgoing
			tc.engine.Fetch(Request{Origin: "http://localhost:3000", URL: "http://api.test/first", Method: "DELETE",
				Headers: []Header{{"Authorization", "Bearer t"}, {"X-Custom", "1"}}}, redirecting(&sent))
			var second, last *Outgoing
			for i := range sent {
				if sent[i].Preflight && sent[i].URL == "http://other.test/next" {
					second = &sent[i]
				}
				last = &sent[i]
			}
			if second == nil {
				t.Fatalf("%s: no preflight to the redirect target; sent %+v", tc.engine.Name, sent)
			}
			if got := second.Header.Get("Origin"); got != tc.preflightOrigin {
				t.Errorf("%s: the target's preflight carries Origin %q; want %q", tc.engine.Name, got, tc.preflightOrigin)
			}
			if got := second.Header.Get("Access-Control-Request-Method"); got != tc.secondPreflightFor {
				t.Errorf("%s: the target's preflight asks for %q; want %q", tc.engine.Name, got, tc.secondPreflightFor)
			}
			if last.Method != tc.method || (last.Header.Get("Authorization") != "") != tc.authorizationKept {
				t.Errorf("%s: the redirected request is %s with Authorization %q; want %s, kept=%v", tc.engine.Name, last.Method, last.Header.Get("Authorization"), tc.method, tc.authorizationKept)
			}
		}
	})
	t.Run("a preflight answered 404 without CORS headers", func(t *testing.T) {
		server := func(o Outgoing) (Incoming, error) { return Incoming{Status: 404, Header: http.Header{}}, nil }
		want := map[string]Reason{"chromium": MissingAllowOrigin, "firefox": MissingAllowOrigin, "safari": PreflightStatus}
		for _, e := range Engines() {
			if v := e.Fetch(Request{Origin: "http://localhost:3000", URL: "http://api.test/x", Method: "PUT"}, server); v.Reason != want[e.Name] {
				t.Errorf("%s: reason %s; want %s", e.Name, v.Reason, want[e.Name])
			}
		}
	})
}

// TestRefusedHeaderNamed: of several refused request headers, WebKit names
// the first in its header map (the names it knows first, then the others,
// each in the page's order), Chromium and Firefox the first in sorted order.
// Each case was run in WebKitGTK 2.50, Firefox 153 and Chromium 156.
func TestRefusedHeaderNamed(t *testing.T) {
	t.Parallel()
	allowContentType := func(o Outgoing) (Incoming, error) {
		return Incoming{Status: 204, Header: http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Headers": {"x-allowed, content-type"}}}, nil
	}
	allowNone := func(o Outgoing) (Incoming, error) {
		return Incoming{Status: 204, Header: http.Header{"Access-Control-Allow-Origin": {"*"}}}, nil
	}
	for _, tc := range []struct {
		headers         []Header
		rt              RoundTripper
		safari, firefox string // the name each logs; Chromium's is Firefox's
	}{
		// Issue 26: the page's order, not the sorted one.
		{[]Header{{"X-Trace-Id", "1"}, {"X-Api-Key", "1"}, {"Content-Type", "application/json"}}, allowContentType, "X-Trace-Id", "x-api-key"},
		{[]Header{{"X-B", "1"}, {"X-A", "1"}}, allowNone, "X-B", "x-a"},
		{[]Header{{"x-trace-id", "1"}, {"X-Api-Key", "1"}}, allowNone, "x-trace-id", "x-api-key"},
		// A name WebKit knows comes first, in WebKit's spelling.
		{[]Header{{"X-Trace-Id", "1"}, {"authorization", "Bearer x"}}, allowNone, "Authorization", "authorization"},
		{[]Header{{"X-Trace-Id", "1"}, {"X-Api-Key", "1"}, {"content-type", "application/json"}}, allowNone, "Content-Type", "content-type"},
		// Known names among themselves: the page's order.
		{[]Header{{"X-Trace-Id", "1"}, {"Pragma", "no-cache"}, {"Cache-Control", "no-cache"}}, allowNone, "Pragma", "cache-control"},
		// X-Requested-With is not one of them.
		{[]Header{{"X-Custom", "1"}, {"X-Requested-With", "XMLHttpRequest"}}, allowNone, "X-Custom", "x-custom"},
		// A repeated name keeps its first place and spelling.
		{[]Header{{"X-B", "1"}, {"X-A", "1"}, {"x-b", "2"}}, allowNone, "X-B", "x-a"},
	} {
		req := Request{Origin: "http://localhost:3000", URL: "http://api.test/x", Method: "POST", Headers: tc.headers, Body: true}
		for _, e := range Engines() {
			v := e.Fetch(req, tc.rt)
			want := tc.firefox
			if e.Name == "safari" {
				want = tc.safari
			}
			if v.Reason != HeaderNotAllowed || !strings.Contains(v.Message, " "+want+" ") && !strings.Contains(v.Message, "‘"+want+"’") {
				t.Errorf("%s, headers %v: %s %q; want it to name %s", e.Name, tc.headers, v.Reason, v.Message, want)
			}
			if len(v.Alternatives) > 0 != (e.Name == "chromium") {
				t.Errorf("%s, headers %v: alternatives %q", e.Name, tc.headers, v.Alternatives)
			}
		}
	}
}
