package browser

import (
	"net/http"
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
			{Chromium, "DELETE", "null", false, "DELETE"},
			{Firefox, "DELETE", "http://localhost:3000", false, "DELETE"},
			{Safari, "GET", "null", true, "GET"},
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
		for _, e := range Engines {
			if v := e.Fetch(Request{Origin: "http://localhost:3000", URL: "http://api.test/x", Method: "PUT"}, server); v.Reason != want[e.Name] {
				t.Errorf("%s: reason %s; want %s", e.Name, v.Reason, want[e.Name])
			}
		}
	})
}
