package cli

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckHAR: --har prints a table, blocked first, with the problem, the
// fix and the command that checks the request again; exit 1.
func TestCheckHAR(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := runCheckWithStdin([]string{"--har", "../../check/testdata/chromium-http2.har", "--browser", "chromium"}, nil, &out, &errOut)
	text := out.String()
	if code != ExitFail {
		t.Fatalf("exit %d, want 1\n%s%s", code, text, errOut.String())
	}
	for _, want := range []string{
		"HAR ../../check/testdata/chromium-http2.har: 5 entries, 2 cross-origin requests, 1 blocked (judged from the recorded answers)",
		"BLOCKED  POST https://api.example.test/prod/signup from http://localhost:5173 (entry 2, preflight entry 3)",
		"1. errors without CORS headers: the preflight was answered with CORS headers but this 400 was not",
		"fix: every answer sends Access-Control-Allow-Origin: http://localhost:5173",
		`corskit check https://api.example.test/prod/signup --origin http://localhost:5173 -X POST -H 'accept: application/json, text/plain, */*' -H 'content-type: application/json' -d '{"name":"x"}'`,
		"ALLOWED  GET https://api.example.test/prod/items from http://localhost:5173 (entry 4",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "BLOCKED") > strings.Index(text, "ALLOWED") {
		t.Error("the blocked request is not listed first")
	}
}

// TestCheckHARLive: --live sends the recorded requests to the server again:
// a server fixed since the recording is judged as it is now.
func TestCheckHARLive(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "http://localhost:3000")
	}))
	defer api.Close()
	har := fmt.Sprintf(`{"log": {"entries": [{"_resourceType": "fetch", "request": {"method": "GET", "url": %q,
		"headers": [{"name": "Origin", "value": "http://localhost:3000"}]}, "response": {"status": 200, "headers": []}}]}}`, api.URL+"/data")
	file := filepath.Join(t.TempDir(), "old.har")
	os.WriteFile(file, []byte(har), 0o600)
	var out, errOut bytes.Buffer
	if code := runCheckWithStdin([]string{"--har", file}, nil, &out, &errOut); code != ExitFail {
		t.Errorf("recorded: exit %d, want 1 (the recording has no CORS header)\n%s", code, out.String())
	}
	out.Reset()
	if code := runCheckWithStdin([]string{"--har", file, "--live"}, nil, &out, &errOut); code != ExitOK || !strings.Contains(out.String(), "0 blocked (re-run against the servers (--live))") {
		t.Errorf("--live: exit %d, want 0\n%s%s", code, out.String(), errOut.String())
	}
}

// TestCheckHARUsage: --har takes no URL or other evidence; --live needs
// --har; a missing file is named.
func TestCheckHARUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--har", "x.har", "http://127.0.0.1:5000/"}, "--har judges the requests of the file"},
		{[]string{"--live", "http://127.0.0.1:5000/", "--origin", "http://localhost:3000"}, "--live re-runs the requests of a HAR"},
		{[]string{"--har", "/nonexistent/x.har"}, "--har /nonexistent/x.har"},
	} {
		var out, errOut bytes.Buffer
		if code := runCheckWithStdin(tc.args, nil, &out, &errOut); code != ExitUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}
