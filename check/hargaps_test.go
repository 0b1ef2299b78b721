package check_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// TestHARCauseFromWhatTheFileHolds: a cause that the live check tells
// with the probe or the refused answer's body is told from the file's
// other entries when they hold it, and said AMBIGUOUS, with the causes
// that fit, when they do not; never a wrong cause alone.
func TestHARCauseFromWhatTheFileHolds(t *testing.T) {
	t.Parallel()
	const origin = `{"name": "Origin", "value": "http://localhost:3000"}`
	var refusedWith func(status, headers, content string) string
	get := `{"_resourceType": "fetch", "request": {"method": "GET", "url": "http://127.0.0.1:8080/data", "headers": [` + origin + `]}, "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}], "content": {"text": "{}"}}}`
	// A PUT the browser sent with no preflight in the file: it came from
	// the preflight cache, so a preflight passed.
	put := `{"_resourceType": "fetch", "request": {"method": "PUT", "url": "http://127.0.0.1:8080/data", "headers": [` + origin + `, {"name": "Content-Type", "value": "application/json"}], "postData": {"text": "{}"}}, "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}], "content": {"text": "{}"}}}`
	refused := func(status, headers string) string {
		return refusedWith(status, headers, `{"size": 0, "mimeType": "text/plain"}`)
	}
	// Firefox's own export writes a preflight's answer with "text": ""
	// whatever its body (Content-Length: 22 here): not kept, not empty.
	refusedWith = func(status, headers, content string) string {
		return `{"_resourceType": "fetch", "request": {"method": "PUT", "url": "http://127.0.0.1:8080/x", "headers": [` + origin + `, {"name": "Content-Type", "value": "application/json"}]}, "response": {"status": 0, "headers": [], "_error": "net::ERR_FAILED"}},
		{"_resourceType": "preflight", "request": {"method": "OPTIONS", "url": "http://127.0.0.1:8080/x", "headers": [` + origin + `, {"name": "Access-Control-Request-Method", "value": "PUT"}, {"name": "Access-Control-Request-Headers", "value": "content-type"}]},
		 "response": {"status": ` + status + `, "headers": [` + headers + `], "content": ` + content + `}}`
	}
	for _, tc := range []struct {
		desc, entries string
		want          string   // the first cause
		causes        []string // when AMBIGUOUS: some of the causes listed
	}{
		{"a GET without CORS headers, and a PUT the browser sent from the preflight cache", get + "," + put, "CORS after the route", nil},
		{"a GET without CORS headers, alone", get, "no CORS on the server", []string{"no CORS on the server", "CORS after the route"}},
		{"a preflight refused with the CORS code's headers (Starlette's 400), no body in the file", refused("400",
			`{"name": "Access-Control-Allow-Origin", "value": "http://localhost:3000"}, {"name": "Access-Control-Allow-Methods", "value": "GET"}`), "method refused by the CORS code", nil},
		{"a preflight refused with the CORS code's headers (Starlette's 400), its body written empty though 22 bytes long (Firefox's export)", refusedWith("400",
			`{"name": "access-control-allow-origin", "value": "http://localhost:3000"}, {"name": "access-control-allow-methods", "value": "GET"}, {"name": "content-length", "value": "22"}`,
			`{"mimeType": "text/plain; charset=utf-8", "size": 0, "text": ""}`), "method refused by the CORS code", nil},
		{"a preflight refused without CORS headers (aiohttp-cors' 403), no body in the file", refused("403", `{"name": "Content-Type", "value": "text/plain; charset=utf-8"}`),
			"", []string{"method refused by the CORS code", "header refused by the CORS code", "preflight not handled"}},
	} {
		h, err := check.ParseHAR([]byte(`{"log": {"entries": [` + tc.entries + `]}}`))
		if err != nil {
			t.Fatalf("%s: %v", tc.desc, err)
		}
		for res := range check.JudgeHAR(context.Background(), h, check.Options{}, check.HARMode{Offline: true}).Results {
			if res.Report == nil || strings.HasPrefix(tc.desc, "a GET") && res.Report.Request.Method != "GET" {
				continue
			}
			got := "allowed"
			if len(res.Report.Problems) > 0 {
				got = res.Report.Problems[0].Name
			}
			if tc.want != "" && got != tc.want {
				t.Errorf("%s: %q, want %q (%s)", tc.desc, got, tc.want, res.Gap)
			}
			if len(tc.causes) == 0 && len(res.Causes) > 0 {
				t.Errorf("%s: AMBIGUOUS %q, want the cause told", tc.desc, res.Causes)
			}
			for _, c := range tc.causes {
				if !slices.Contains(res.Causes, c) || res.Causes[0] != got || !strings.Contains(res.Gap, "the file") {
					t.Errorf("%s: causes %q (gap %q), want AMBIGUOUS with %q, the report's first", tc.desc, res.Causes, res.Gap, c)
				}
			}
		}
	}
}
