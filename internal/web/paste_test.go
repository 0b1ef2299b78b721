package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestThePageReproducesThePaste: the page's check of Chromium's preflight
// line, with the method the form left as read, searches for the request
// that prints it (not a GET, which sends no preflight), against a real
// server without CORS; a line the server cannot print comes back NOT
// reproduced, with advice that names the form's fields, never a flag; a
// method typed "GE T" is refused with an error naming it, and nothing is
// sent.
func TestThePageReproducesThePaste(t *testing.T) {
	t.Parallel()
	s, base := startServe(t)
	target, n := counted(t)
	const page = "http://localhost:3000"
	line := func(url, reason string) string {
		return fmt.Sprintf("Access to fetch at '%s/data' from origin '%s' has been blocked by CORS policy: %s", url, page, reason)
	}
	in := func(url, evidence string) string {
		return fmt.Sprintf(`{"request": {"url": %q, "origin": %q, "method": "GET", "headers": {}, "credentials": "same-origin"}, "stack": "auto", "evidence": %q, "open": ["method", "headers", "credentials"]}`,
			url+"/data", page, evidence)
	}
	out := checkJSON(t, s, base, in(target, line(target, "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.")))
	if out.Reproduction == nil || !out.Reproduction.Reproduced || out.Report.Request.Method == "GET" || !out.Report.Preflight.Sent {
		t.Errorf("the preflight line: reproduction %+v, request %+v", out.Reproduction, out.Report.Request)
	}
	out = checkJSON(t, s, base, in(target, line(target, "Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response.")))
	if out.Reproduction == nil || out.Reproduction.Reproduced {
		t.Errorf("a line the server cannot print came back reproduced: %+v", out.Reproduction)
	} else if give := strings.Join(out.Reproduction.Give, " "); strings.Contains(give, "--") || !strings.Contains(give, "field") {
		t.Errorf("the page's advice names a flag, or no field: %q", give)
	}

	before := n.Load()
	resp, body := post(t, base+"/api/check", map[string]string{"X-Corskit-Token": s.Token(), "Content-Type": "application/json"},
		fmt.Sprintf(`{"request": {"url": %q, "origin": %q, "method": "GE T", "headers": {}}}`, target+"/data", page))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `\"GE T\" is not an HTTP method`) {
		t.Errorf("method \"GE T\": %d %s", resp.StatusCode, body)
	}
	if n.Load() != before {
		t.Errorf("a request with the method \"GE T\" was sent")
	}
}
