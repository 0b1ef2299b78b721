package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/servertest"
)

// expressRecorder is an Express 4 app with express.json() that allows the
// page's CORS requests and records what each request brought: its method,
// Content-Length and body as received. GET /seen lists them.
const expressRecorder = `const express = require('express');
const app = express();
const seen = [];
app.get('/seen', (req, res) => res.json(seen));
app.use((req, res, next) => {
  res.set('Access-Control-Allow-Origin', req.get('Origin') || '*');
  res.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
  res.set('Access-Control-Allow-Headers', 'Content-Type');
  if (req.method === 'OPTIONS') return res.sendStatus(204);
  let raw = '';
  req.on('data', (c) => { raw += c; });
  req.on('end', () => {
    seen.push({method: req.method, length: req.get('Content-Length') ?? null, chunked: !!req.get('Transfer-Encoding'), body: raw});
  });
  next();
});
app.use(express.json());
app.all('/data', (req, res) => res.json({ok: true}));
app.listen(%d, '127.0.0.1');
`

type received struct {
	Method  string  `json:"method"`
	Length  *string `json:"length"`
	Chunked bool    `json:"chunked"`
	Body    string  `json:"body"`
}

// startRecorder runs expressRecorder and returns its base URL and a
// function returning what it received since the last call.
func startRecorder(t *testing.T) (string, func() []received) {
	t.Helper()
	dir := t.TempDir()
	node := servertest.NPMInstall(t, dir, "express@4")
	port := servertest.FreePort(t)
	file := filepath.Join(dir, "app.js")
	os.WriteFile(file, []byte(fmt.Sprintf(expressRecorder, port)), 0o600)
	servertest.Start(t, dir, port, nil, node, file)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	done := 0
	return base, func() []received {
		t.Helper()
		resp, err := http.Get(base + "/seen")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var all []received
		if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
			t.Fatal(err)
		}
		all, done = all[done:], len(all)
		return all
	}
}

// TestTheDoctorSendsThePagesBody: against Express with express.json(),
// the doctor sends no body where the page sends none (a DELETE from flags,
// a Copy as cURL, a HAR entry without postData), {} for a JSON
// Content-Type when the evidence does not tell the body (flags without -d,
// a console line) and says so, and
// the body given, exactly. None of its requests is the 400 a made-up body
// would get.
func TestTheDoctorSendsThePagesBody(t *testing.T) {
	t.Parallel()
	base, seen := startRecorder(t)
	url := base + "/data"
	const page = "http://localhost:3000"
	harFile := filepath.Join(t.TempDir(), "page.har")
	os.WriteFile(harFile, []byte(fmt.Sprintf(`{"log": {"entries": [
		{"_resourceType": "fetch", "request": {"method": "DELETE", "url": %[1]q, "headers": [{"name": "Origin", "value": %[2]q}]}, "response": {"status": 200, "headers": []}},
		{"_resourceType": "fetch", "request": {"method": "POST", "url": %[1]q, "headers": [{"name": "Origin", "value": %[2]q}, {"name": "Content-Type", "value": "application/json"}],
		 "postData": {"mimeType": "application/json", "text": "{\"n\": [1, 2]}"}}, "response": {"status": 200, "headers": []}}]}}`, url, page)), 0o600)
	for _, tc := range []struct {
		name    string
		args    []string
		want    []received // the requests the server gets (the preflights are not recorded)
		assumed string     // the note on an assumed body, or ""
	}{
		{"a DELETE from flags", []string{url, "--origin", page, "-X", "DELETE"}, []received{{Method: "DELETE"}}, "corskit sent none"},
		{"a JSON POST without -d", []string{url, "--origin", page, "-X", "POST", "-H", "Content-Type: application/json"}, []received{{Method: "POST", Body: "{}"}}, "corskit sent {}, for its JSON Content-Type"},
		{"a JSON PUT with -d", []string{url, "--origin", page, "-X", "PUT", "-H", "Content-Type: application/json", "-d", `{"a": "é"}`}, []received{{Method: "PUT", Body: `{"a": "é"}`}}, ""},
		{"a JSON DELETE with -d ''", []string{url, "--origin", page, "-X", "DELETE", "-H", "Content-Type: application/json", "-d", ""}, []received{{Method: "DELETE"}}, ""},
		{"a console line naming content-type", []string{"-X", "POST", "--from-error", "Access to fetch at '" + url + "' from origin '" + page + "' has been blocked by CORS policy: Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response."},
			[]received{{Method: "POST", Body: "{}"}}, "corskit sent {}, for its JSON Content-Type"},
		{"a Copy as cURL of a DELETE", []string{"--credentials", "same-origin", "--", "curl", url, "-X", "DELETE", "-H", "Origin: " + page, "-H", "Content-Type: application/json"}, []received{{Method: "DELETE"}}, ""},
		{"a Copy as fetch of a JSON POST with no body", []string{"--fetch", fmt.Sprintf(`fetch(%q, {"headers": {"content-type": "application/json"}, "referrer": "%s/", "body": null, "method": "POST"});`, url, page)}, []received{{Method: "POST"}}, ""},
		{"a HAR, --live", []string{"--har", harFile, "--live"}, []received{{Method: "DELETE"}, {Method: "POST", Body: `{"n": [1, 2]}`}}, ""},
	} {
		var out, errOut bytes.Buffer
		code := runCheckWithStdin(tc.args, nil, &out, &errOut)
		// The console line cannot be reproduced on a server that allows
		// everything: the line is the truth, so corskit exits 1.
		if want := map[bool]int{true: ExitFail, false: ExitOK}[slices.Contains(tc.args, "--from-error")]; code != want {
			t.Errorf("%s: exit %d, want %d\n%s%s", tc.name, code, want, out.String(), errOut.String())
		}
		got := seen()
		for i := range got {
			if got[i].Chunked || got[i].Length != nil && *got[i].Length != fmt.Sprint(len(got[i].Body)) {
				t.Errorf("%s: request %d came with Content-Length %v, chunked %v, for a body of %d bytes", tc.name, i, *got[i].Length, got[i].Chunked, len(got[i].Body))
			}
			if got[i].Method != "POST" && got[i].Method != "PUT" && got[i].Body == "" && got[i].Length != nil {
				t.Errorf("%s: a %s without a body came with Content-Length: %s", tc.name, got[i].Method, *got[i].Length)
			}
			got[i].Length, got[i].Chunked = nil, false
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: the server received %+v, want %+v", tc.name, got, tc.want)
		}
		if tc.assumed != "" && !strings.Contains(out.String(), "the page's body is not known: "+tc.assumed) {
			t.Errorf("%s: the output does not say the body was assumed (%q):\n%s", tc.name, tc.assumed, out.String())
		}
		if tc.assumed == "" && strings.Contains(out.String(), "body is not known") {
			t.Errorf("%s: the output says a body was assumed, the evidence gave it:\n%s", tc.name, out.String())
		}
		if strings.Contains(out.String(), " 400 ") {
			t.Errorf("%s: a 400 in the diagnosis:\n%s", tc.name, out.String())
		}
	}
	// --json says which body was sent and that it was assumed.
	var out bytes.Buffer
	runCheckWithStdin([]string{url, "--origin", page, "-X", "PATCH", "-H", "Content-Type: application/merge-patch+json", "--json"}, nil, &out, &out)
	var j check.JSON
	if err := json.Unmarshal(out.Bytes(), &j); err != nil || j.BodySent != "{}" || !j.BodyAssumed || j.Actual == nil || j.Actual.Response == nil || j.Actual.Response.Status != 200 {
		t.Errorf("--json: %v body_sent %q body_assumed %v actual %+v\n%s", err, j.BodySent, j.BodyAssumed, j.Actual, out.String())
	}
}
