package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// TestReproduceThePastedLines: each engine's line, pasted alone, keeps
// every fact it states (credentials include, a preflight) and the search
// finds a request that prints it byte for byte, against a real server that
// answers * to everything (so credentials break it) or nothing at all. A
// line the server cannot produce is not reproduced, and the server never
// gets a request that may change data the line did not state.
func TestReproduceThePastedLines(t *testing.T) {
	t.Parallel()
	var unsafe atomic.Int32
	star := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == "OPTIONS" {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
			w.WriteHeader(204)
			return
		}
		if r.Method != "GET" && r.Method != "HEAD" {
			unsafe.Add(1)
		}
	}))
	defer star.Close()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" && r.Method != "HEAD" && r.Method != "OPTIONS" {
			unsafe.Add(1)
		}
	}))
	defer bare.Close()
	// A PHP-like script: * on every answer, and 405 to OPTIONS.
	star405 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == "OPTIONS" {
			w.WriteHeader(405)
		}
	}))
	defer star405.Close()
	// CORS after the routes: preflights get CORS headers, the routes' own
	// answers none.
	after := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "OPTIONS" {
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
			w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
			w.WriteHeader(204)
		}
	}))
	defer after.Close()
	const page = "http://localhost:3000" // Firefox's lines, and Safari's status line, never name it
	for _, tc := range []struct {
		name, text   string
		reproduced   bool
		method       string
		credentials  browser.Credentials
		maxRequests  int
		preflightSet bool // the found request is preflighted
		// ambiguous: more than one cause stands; cause: the first named
		// (ranked), "" when the test does not ask; ruledOut: a cause the
		// server's answers rule out.
		ambiguous       bool
		cause, ruledOut string
	}{
		{"chromium wildcard with credentials, GET", "Access to fetch at '" + star.URL + "/data' from origin '" + page + "' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
			true, "GET", browser.Include, 6, false, false, "", ""},
		{"chromium wildcard with credentials, on a preflight", "Access to fetch at '" + star.URL + "/data' from origin '" + page + "' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
			true, "PUT", browser.Include, 6, true, false, "", ""},
		{"firefox wildcard with credentials", "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘" + star.URL + "/data’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).",
			true, "GET", browser.Include, 6, false, false, "", ""},
		{"safari pair", "[Error] Origin " + page + " is not allowed by Access-Control-Allow-Origin. Status code: 200\n[Error] Fetch API cannot load " + bare.URL + "/data due to access control checks.",
			true, "GET", browser.SameOrigin, 6, false, false, "", ""},
		{"chromium preflight without its method", "Access to fetch at '" + bare.URL + "/data' from origin '" + page + "' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
			true, "PUT", browser.SameOrigin, 6, true, false, "", ""},
		{"a line the server cannot print", "Access to fetch at '" + bare.URL + "/data' from origin '" + page + "' has been blocked by CORS policy: Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response.",
			false, "PATCH", "", check.DefaultMaxRequests, true, false, "", ""},
		// Safari checks the preflight's status first: its line does not
		// tell whether credentials were sent, and the cause differs.
		{"safari status line on * with a 405 preflight", "[Error] Preflight response is not successful. Status code: 405\n[Error] Fetch API cannot load " + star405.URL + "/data due to access control checks.",
			true, "PUT", browser.Include, 6, true, true, "wildcard with credentials", ""},
		// A GET prints this line too, but the server's CORS code answers
		// preflights: "no CORS" is ruled out.
		{"chromium no ACAO on CORS after the routes", "Access to fetch at '" + after.URL + "/data' from origin '" + page + "' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
			true, "GET", "", 6, true, false, "CORS after the route", "no CORS on the server"},
	} {
		fs := check.SplitConsole(tc.text)
		if len(fs) != 1 {
			t.Errorf("%s: %d failures in the text, want 1", tc.name, len(fs))
			continue
		}
		s := check.Search{}
		if strings.Contains(tc.text, "Cross-Origin Request Blocked") || strings.Contains(tc.text, "Preflight response is not successful") {
			s.Options.Origin = page
		}
		r, err := check.Reproduce(context.Background(), fs[0], s)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if r.Reproduced != tc.reproduced || r.Options.Method != tc.method || tc.credentials != "" && r.Options.Credentials != tc.credentials {
			t.Errorf("%s: reproduced %v by %s (got %q); want reproduced %v by %s with credentials %s", tc.name, r.Reproduced, r.Describe(), r.Got, tc.reproduced, tc.method, tc.credentials)
		}
		if r.Sent == 0 || r.Sent > tc.maxRequests {
			t.Errorf("%s: %d requests sent, want 1 to %d", tc.name, r.Sent, tc.maxRequests)
		}
		var causes []string
		for _, c := range r.Causes {
			causes = append(causes, c.Name+" (ruled out: "+c.RuledOut+")")
		}
		if r.Ambiguous != tc.ambiguous || tc.cause != "" && (len(r.Causes) == 0 || r.Causes[0].Name != tc.cause) {
			t.Errorf("%s: ambiguous %v, causes %q; want ambiguous %v, first cause %q", tc.name, r.Ambiguous, causes, tc.ambiguous, tc.cause)
		}
		if tc.ruledOut != "" && !slices.ContainsFunc(r.Causes, func(c check.Cause) bool { return c.Name == tc.ruledOut && c.RuledOut != "" }) {
			t.Errorf("%s: %q is not ruled out: %q", tc.name, tc.ruledOut, causes)
		}
		if !tc.reproduced && len(r.Give) == 0 {
			t.Errorf("%s: not reproduced, and no flag to give", tc.name)
		}
	}
	if n := unsafe.Load(); n != 0 {
		t.Errorf("the servers got %d requests that may change data; the lines stated none", n)
	}
}

// TestSplitConsole: a whole console, as copied, is cut into its failures:
// Chromium's lines with their file prefixes and its net::ERR lines,
// Firefox's pair, Safari's pair, the same failure twice counted once.
func TestSplitConsole(t *testing.T) {
	t.Parallel()
	text := `app.js:12 Access to fetch at 'http://api.test/a' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
app.js:12  GET http://api.test/a net::ERR_FAILED 200 (OK)
Uncaught (in promise) TypeError: Failed to fetch
app.js:14 Access to fetch at 'http://api.test/b' from origin 'http://localhost:3000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.
app.js:12 Access to fetch at 'http://api.test/a' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.test/c. (Reason: CORS preflight response did not succeed). Status code: 404.
Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.test/c. (Reason: CORS request did not succeed). Status code: (null).
[Error] Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200
[Error] Fetch API cannot load http://api.test/d due to access control checks.`
	fs := check.SplitConsole(text)
	want := []struct {
		engine string
		lines  int
		count  int
	}{{"chromium", 1, 2}, {"chromium", 1, 1}, {"firefox", 2, 1}, {"safari", 2, 1}}
	if len(fs) != len(want) {
		t.Fatalf("%d failures, want %d: %+v", len(fs), len(want), fs)
	}
	for i, w := range want {
		if fs[i].Engine != w.engine || len(fs[i].Lines) != w.lines || fs[i].Count != w.count {
			t.Errorf("failure %d: %+v, want %+v", i, fs[i], w)
		}
	}
	if !strings.HasPrefix(fs[0].Lines[0], "Access to fetch at") {
		t.Errorf("the file prefix was kept: %q", fs[0].Lines[0])
	}
}
