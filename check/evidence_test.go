package check_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// TestSplitCommand: commands as DevTools copies them, in bash and in cmd
// quoting, split as the shell would.
func TestSplitCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`curl 'https://api.test/x' -H 'content-type: application/json' --data-raw '{"a":1}'`, []string{"curl", "https://api.test/x", "-H", "content-type: application/json", "--data-raw", `{"a":1}`}},
		{"curl 'https://api.test/x' \\\n  -H 'origin: http://localhost:3000' \\\n  --data-raw $'{\"a\":\"it\\'s\\n\"}'", []string{"curl", "https://api.test/x", "-H", "origin: http://localhost:3000", "--data-raw", "{\"a\":\"it's\n\"}"}},
		{`curl ^"https://api.test/x^" ^` + "\n" + `  -H ^"content-type: application/json^" ^` + "\n" + `  --data-raw ^"^{^\^"a^\^":1^}^"`, []string{"curl", "https://api.test/x", "-H", "content-type: application/json", "--data-raw", `{"a":1}`}},
		{`curl "https://api.test/x" -H "x-a: \"q\""`, []string{"curl", "https://api.test/x", "-H", `x-a: "q"`}},
		{"corskit audit http://a.test/#x  # a comment\n", []string{"corskit", "audit", "http://a.test/#x"}},
	} {
		got, err := check.SplitCommand(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`curl 'x`, `curl "x`, `curl $'x`} {
		if _, err := check.SplitCommand(bad); err == nil {
			t.Errorf("SplitCommand(%q): no error for an open quote", bad)
		}
	}
}

// TestReadPasted: each kind of evidence is recognised and gives what it
// tells; what it cannot tell is named.
func TestReadPasted(t *testing.T) {
	t.Parallel()
	p, err := check.ReadPasted("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:5000/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.")
	if err != nil || p.Kind != "console" || p.Engine != "firefox" || p.Request.URL != "http://127.0.0.1:5000/data" || !slices.Contains(p.Missing, "origin") {
		t.Errorf("Firefox line: %+v %v", p, err)
	}
	p, err = check.ReadPasted(`curl 'http://127.0.0.1:5000/data' -X 'PUT' -H 'Origin: http://localhost:3000' -H 'Content-Type: application/json' -b 'sid=1' --data-raw '{}'`)
	if err != nil || p.Kind != "curl" || p.Request.Method != "PUT" || p.Request.Origin != "http://localhost:3000" || p.Request.Credentials != "include" || p.Request.Headers["Content-Type"] != "application/json" || p.Request.Body != "{}" {
		t.Errorf("curl: %+v %v", p, err)
	}
	p, err = check.ReadPasted(`fetch("http://127.0.0.1:5000/data", {"headers": {"content-type": "application/json"}, "referrer": "http://localhost:3000/", "body": "{}", "method": "POST", "mode": "cors", "credentials": "include"});`)
	if err != nil || p.Kind != "fetch" || p.Request.Method != "POST" || p.Request.Origin != "http://localhost:3000" || p.Request.Credentials != "include" {
		t.Errorf("fetch: %+v %v", p, err)
	}
	if slices.ContainsFunc(p.Missing, func(m string) bool { return strings.HasPrefix(m, "credentials") }) {
		t.Errorf("fetch with credentials include: %q; the copy says the mode", p.Missing)
	}
	// Copies that do not tell the page's credentials mode say so, as the
	// command does: DevTools writes "omit" for any request without cookies,
	// nothing in its Node.js form; a cURL copy has no mode.
	for name, text := range map[string]string{
		"fetch, omit":     `fetch("http://127.0.0.1:5000/data", {"headers": {}, "referrer": "http://localhost:3000/", "body": null, "method": "GET", "mode": "cors", "credentials": "omit"});`,
		"fetch, Node.js":  `fetch("http://127.0.0.1:5000/data", {"headers": {"Referer": "http://localhost:3000/"}, "body": null, "method": "GET"});`,
		"curl, no cookie": `curl 'http://127.0.0.1:5000/data' -H 'Origin: http://localhost:3000'`,
	} {
		p, err := check.ReadPasted(text)
		if err != nil || !slices.ContainsFunc(p.Missing, func(m string) bool { return strings.HasPrefix(m, "credentials") }) {
			t.Errorf("%s: missing %q, %v; want credentials named", name, p.Missing, err)
		}
	}
	var nc *check.NotCORSError
	if _, err := check.ReadPasted("GET http://127.0.0.1:5000/data net::ERR_CONNECTION_REFUSED"); !errors.As(err, &nc) {
		t.Errorf("a refused connection: %v; want a NotCORSError", err)
	}
}
