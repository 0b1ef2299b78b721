package cli

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestCheckHAR: --har prints a table, blocked first, with the problem, the
// fix and the command that checks the request again; exit 1.
func TestCheckHAR(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := runCheckWithStdin([]string{"--har", "../../check/testdata/chromium-http2.har", "--browser", "chromium", "--offline"}, nil, &out, &errOut)
	text := out.String()
	if code != ExitFail {
		t.Fatalf("exit %d, want 1\n%s%s", code, text, errOut.String())
	}
	for _, want := range []string{
		"HAR ../../check/testdata/chromium-http2.har: 5 entries, 2 cross-origin requests, 1 blocked (judged from the recorded answers alone (--offline): nothing sent)",
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
	if code := runCheckWithStdin([]string{"--har", file, "--offline"}, nil, &out, &errOut); code != ExitFail {
		t.Errorf("recorded: exit %d, want 1 (the recording has no CORS header)\n%s", code, out.String())
	}
	out.Reset()
	if code := runCheckWithStdin([]string{"--har", file, "--live"}, nil, &out, &errOut); code != ExitOK || !strings.Contains(out.String(), "0 blocked (re-run against the servers (--live))") {
		t.Errorf("--live: exit %d, want 0\n%s%s", code, out.String(), errOut.String())
	}
}

// TestCheckHARFillAndOffline: by default, a blocked request whose cause
// the file cannot tell gets a live fill, and the header line and the
// request say how many requests it sent, which the server counts; with
// --offline the server gets none, and the file's AMBIGUOUS stands.
func TestCheckHARFillAndOffline(t *testing.T) {
	t.Parallel()
	var got atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		if r.Method == http.MethodOptions { // the CORS code answers the preflights; the route answers GET first
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
	}))
	defer api.Close()
	har := fmt.Sprintf(`{"log": {"entries": [{"_resourceType": "fetch", "request": {"method": "GET", "url": %q,
		"headers": [{"name": "Origin", "value": "http://localhost:3000"}]}, "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}]}}]}}`, api.URL+"/data")
	file := filepath.Join(t.TempDir(), "recorded.har")
	os.WriteFile(file, []byte(har), 0o600)
	var out, errOut bytes.Buffer
	code := runCheckWithStdin([]string{"--har", file, "--offline", "--browser", "chromium"}, nil, &out, &errOut)
	if text := out.String(); code != ExitFail || got.Load() != 0 || !strings.Contains(text, "(judged from the recorded answers alone (--offline): nothing sent)") || !strings.Contains(text, "AMBIGUOUS") {
		t.Errorf("--offline: exit %d, the server got %d requests, want 1 and none:\n%s%s", code, got.Load(), text, errOut.String())
	}
	out.Reset()
	code = runCheckWithStdin([]string{"--har", file, "--browser", "chromium"}, nil, &out, &errOut)
	n, text := got.Load(), out.String()
	for _, want := range []string{
		fmt.Sprintf("a live fill for 1 with a gap: %d requests sent", n),
		fmt.Sprintf("live fill: %d requests sent (the probe's preflights", n),
		"it names the cause: CORS after the route (the file alone: no CORS on the server | CORS after the route)",
		"from the file: request GET " + api.URL + "/data http://localhost:3000: 200",
		"1. CORS after the route",
	} {
		if code != ExitFail || n == 0 || !strings.Contains(text, want) {
			t.Errorf("the fill: exit %d, the server got %d requests; the output lacks %q:\n%s%s", code, n, want, text, errOut.String())
		}
	}
}

// TestCheckHARUsage: --har takes no URL or other evidence; --live and
// --offline need --har, and not each other; a missing file is named.
func TestCheckHARUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--har", "x.har", "http://127.0.0.1:5000/"}, "--har judges the requests of the file"},
		{[]string{"--live", "http://127.0.0.1:5000/", "--origin", "http://localhost:3000"}, "--live re-runs the requests of a HAR"},
		{[]string{"--har", "/nonexistent/x.har"}, "--har /nonexistent/x.har"},
		{[]string{"--offline", "http://127.0.0.1:5000/", "--origin", "http://localhost:3000"}, "--offline judges a HAR from the file alone: use it with --har FILE"},
		{[]string{"--har", "x.har", "--offline", "--live"}, "give one of them with --har"},
	} {
		var out, errOut bytes.Buffer
		if code := runCheckWithStdin(tc.args, nil, &out, &errOut); code != ExitUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}
