package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/servertest"
)

func TestParseCheck(t *testing.T) {
	t.Parallel()
	o, err := parseCheck([]string{"-X", "PUT", "http://127.0.0.1:5000/data", "--origin", "http://localhost:3000", "-H", "Content-Type: application/json",
		"--credentials", "include", "-d", "{}", "--read-header", "X-Total", "--json"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.url != "http://127.0.0.1:5000/data" || o.methods[0] != "PUT" || o.headers[0].Name != "Content-Type" || o.headers[0].Value != "application/json" ||
		o.credentials != "include" || o.body != "{}" || o.read[0] != "X-Total" || !o.json {
		t.Errorf("got %+v", o)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--origin", "http://localhost:3000"}, "the URL is missing"},
		{[]string{"http://a.test/", "http://b.test/", "--origin", "http://localhost:3000"}, "one URL at a time"},
		{[]string{"http://a.test/"}, "--origin is missing"},
		{[]string{"http://a.test/", "--origin", "http://localhost:3000", "-H", "NoColon"}, `header "NoColon" is not 'Name: value'`},
		{[]string{"http://a.test/", "--origin", "http://localhost:3000", "--color", "pink"}, `--color "pink"`},
	} {
		if _, err := parseCheck(tc.args, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseCheck(%q): got %v; want an error containing %q", tc.args, err, tc.want)
		}
	}
}

func apiServer(t *testing.T) string {
	t.Helper()
	m, err := cors.New(cors.Config{AllowOrigins: []string{"http://localhost:3000"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	t.Cleanup(s.Close)
	return s.URL + "/data"
}

func TestCheckExitCodesAndJSON(t *testing.T) {
	t.Parallel()
	url := apiServer(t)
	for _, tc := range []struct {
		args    []string
		code    int
		allowed bool
	}{
		{[]string{"check", url, "--origin", "http://localhost:3000", "-X", "PUT", "-H", "Content-Type: application/json", "-d", "{}", "--json"}, ExitOK, true},
		{[]string{"check", url, "--origin", "http://localhost:3001", "--json"}, ExitFail, false},
		{[]string{"check", "http://" + closedAddr(t) + "/data", "--origin", "http://localhost:3000", "--json", "--timeout", "2s"}, ExitUsage, false},
		// A port browsers never connect to: blocked, not a network error.
		{[]string{"check", "http://127.0.0.1:6000/data", "--origin", "http://localhost:3000", "--json", "--timeout", "2s"}, ExitFail, false},
	} {
		var out, errb bytes.Buffer
		code := Run(tc.args, &out, &errb)
		var j check.JSON
		if err := json.Unmarshal(out.Bytes(), &j); err != nil {
			t.Fatalf("%q: no JSON: %v\n%s%s", tc.args, err, out.String(), errb.String())
		}
		if code != tc.code || j.Allowed != tc.allowed {
			t.Errorf("%q: got exit %d allowed=%v; want %d %v", tc.args, code, j.Allowed, tc.code, tc.allowed)
		}
		var raw map[string]any
		json.Unmarshal(out.Bytes(), &raw)
		for _, key := range []string{"allowed", "message", "code", "preflight", "actual", "readable_headers", "warnings", "fix"} {
			if _, ok := raw[key]; !ok {
				t.Errorf("%q: JSON lacks %q", tc.args, key)
			}
		}
	}
	var out bytes.Buffer
	if code := Run([]string{"check", url, "--origin", "http://localhost:3000/", "--json"}, &out, &out); code != ExitUsage || !strings.Contains(out.String(), `use "http://localhost:3000"`) {
		t.Errorf("bad origin: got %d %q", code, out.String())
	}
}

func TestCheckMatrix(t *testing.T) {
	t.Parallel()
	url := apiServer(t)
	var out, errb bytes.Buffer
	code := Run([]string{"check", url, "--origin", "http://localhost:3000", "--origin", "https://evil.test", "-X", "GET", "-X", "PUT"}, &out, &errb)
	if code != ExitFail {
		t.Errorf("got exit %d; want 1 (a row is blocked)", code)
	}
	for _, want := range []string{"ORIGIN", "http://localhost:3000  GET", "https://evil.test", "blocked  allowed (FAIL)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}

	file := filepath.Join(t.TempDir(), "matrix.yaml")
	os.WriteFile(file, []byte(`- origin: http://localhost:3000
  method: PUT
  headers: {Content-Type: application/json}
- origin: https://evil.test
  expect: blocked
- origin: http://localhost:3000
  method: DELETE
  expect: blocked
`), 0o600)
	out.Reset()
	if code := Run([]string{"check", url, "--matrix", file}, &out, &errb); code != ExitOK {
		t.Errorf("matrix with expectations: got exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := Run([]string{"check", url, "--matrix", file, "--json"}, &out, &errb); code != ExitOK {
		t.Errorf("--json: got exit %d", code)
	}
	var rows []matrixRow
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 3 || !rows[0].Result.Allowed || rows[1].Result.Allowed || len(rows[0].Result.Engines) != 3 {
		t.Errorf("matrix JSON: got %v %+v", err, rows)
	}
	// --browser applies to every row: one engine judges.
	out.Reset()
	if code := Run([]string{"check", url, "--matrix", file, "--json", "--browser", "firefox"}, &out, &errb); code != ExitOK {
		t.Errorf("--browser firefox: got exit %d", code)
	}
	rows = nil
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 3 || len(rows[0].Result.Engines) != 1 || rows[0].Result.Engines["firefox"].Product != "Firefox 153" {
		t.Errorf("matrix --browser firefox JSON: got %v %+v", err, rows)
	}
	os.WriteFile(file, []byte("- origin: http://localhost:3000\n  expect: maybe\n"), 0o600)
	out.Reset()
	if code := Run([]string{"check", url, "--matrix", file}, &out, &out); code != ExitUsage || !strings.Contains(out.String(), `expect "maybe"`) {
		t.Errorf("bad matrix: got %d %q", code, out.String())
	}
}

// closedAddr returns a loopback address where nothing listens: a port
// reserved below the kernel's ephemeral range, where no :0 listener lands.
func closedAddr(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", servertest.FreePort(t))
}

func TestDemo(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := Run([]string{"demo"}, &out, &errb); code != ExitOK {
		t.Fatalf("demo: exit %d\n%s%s", code, out.String(), errb.String())
	}
	s := out.String()
	for _, want := range []string{"--credentials include --stack go", "BLOCKED  PUT", "must not be the wildcard '*' when the request's credentials mode is 'include'", "1. wildcard with credentials (preflight, 405)", "2. credentials not allowed (preflight, 405)", "The PUT itself was not sent", "3. preflight not handled (preflight, 405)", "4. method not allowed (preflight, 405)", "5. JSON content type (preflight, 405)",
		"ALLOWED  PUT", "Blocked before, allowed through the gateway."} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	if code := Run([]string{"demo", "extra"}, &out, &errb); code != ExitUsage {
		t.Errorf("demo extra: got %d", code)
	}
}

func TestAuditCommand(t *testing.T) {
	t.Parallel()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Vary", "Origin")
	}))
	defer s.Close()
	sarif := filepath.Join(t.TempDir(), "audit.sarif")
	var out, errb bytes.Buffer
	// Reflected without credentials: low findings only.
	if code := Run([]string{"audit", s.URL + "/me", "--rate", "500", "--sarif", sarif}, &out, &errb); code != ExitOK {
		t.Errorf("--fail-on high with low findings: got exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "low       reflect-any-origin") {
		t.Errorf("table:\n%s", out.String())
	}
	if b, err := os.ReadFile(sarif); err != nil || !strings.Contains(string(b), `"version": "2.1.0"`) {
		t.Errorf("--sarif: %v", err)
	}
	out.Reset()
	if code := Run([]string{"audit", s.URL + "/me", "--rate", "500", "--fail-on", "low", "--json"}, &out, &errb); code != ExitFail {
		t.Errorf("--fail-on low: got exit %d", code)
	}
	var res []map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 {
		t.Errorf("--json: %v", err)
	}
	if code := Run([]string{"audit", s.URL, "--fail-on", "critical"}, &out, &errb); code != ExitUsage {
		t.Errorf("bad --fail-on: got %d", code)
	}
}

func TestLintCommand(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	sarif := filepath.Join(t.TempDir(), "lint.sarif")
	code := Run([]string{"lint", "../../lint/testdata/bad/nginx-classic.conf", "../../lint/testdata/good/app.js", "--sarif", sarif}, &out, &errb)
	if code != ExitFail || !strings.Contains(out.String(), "nginx-classic.conf:8:9: high [nginx-origin-echo]") {
		t.Errorf("got exit %d:\n%s%s", code, out.String(), errb.String())
	}
	if b, err := os.ReadFile(sarif); err != nil || !strings.Contains(string(b), `"startLine": 8`) {
		t.Errorf("--sarif: %v\n%s", err, b)
	}
	out.Reset()
	if code := Run([]string{"lint", "../../lint/testdata/good/nginx-correct.conf", "../../lint/testdata/good/gateway.yaml", "--fail-on", "info"}, &out, &errb); code != ExitOK {
		t.Errorf("clean files: got exit %d\n%s", code, out.String())
	}
	if code := Run([]string{"lint", "nope.conf"}, &out, &errb); code != ExitUsage {
		t.Errorf("missing file: got %d", code)
	}
	// A file of no known kind is not read: exit 2, the file named, and no
	// "No findings" that would cover it.
	unknown := filepath.Join(t.TempDir(), "cors.txt")
	os.WriteFile(unknown, []byte("CORS_ALLOW_ALL_ORIGINS = True\n"), 0o600)
	out.Reset()
	errb.Reset()
	if code := Run([]string{"lint", unknown, "../../lint/testdata/good/app.py"}, &out, &errb); code != ExitUsage || strings.Contains(out.String(), "No findings") || !strings.Contains(errb.String(), unknown) {
		t.Errorf("unknown kind of file: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

func TestGenCommand(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := Run([]string{"gen", "nginx", "--allow-origin", "https://app.example.com", "--allow-method", "PUT", "--allow-credentials", "--upstream", "http://127.0.0.1:5000"}, &out, &errb)
	if code != ExitOK || !strings.Contains(out.String(), `"https://app.example.com" $http_origin;`) || !strings.Contains(out.String(), "proxy_pass http://127.0.0.1:5000;") {
		t.Errorf("gen nginx: exit %d\n%s%s", code, out.String(), errb.String())
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "cors.yaml")
	os.WriteFile(file, []byte("allow_origins: [https://app.example.com]\nallow_methods: ['*']\n"), 0o600)
	errb.Reset()
	if code := Run([]string{"gen", "express", "--config", file}, &out, &errb); code != ExitUsage || !strings.Contains(errb.String(), "allow_methods: *") {
		t.Errorf("gen refusing: exit %d %q", code, errb.String())
	}
	target := filepath.Join(dir, "app.js")
	if code := Run([]string{"gen", "express", "--config", file, "--best-effort", "-o", target}, &out, &errb); code != ExitOK {
		t.Errorf("gen --best-effort: exit %d %q", code, errb.String())
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "LEFT OUT (best effort)") || !strings.Contains(string(b), "from "+file) {
		t.Errorf("-o file:\n%s", b)
	}
	if code := Run([]string{"gen", "iis"}, &out, &errb); code != ExitUsage {
		t.Errorf("unknown target: exit %d", code)
	}
}

// TestCheckExplainsForbiddenHeaders: a Cookie copied into -H is explained
// (the browser sends cookies itself: --credentials include), not silently
// dropped; so is any other header page script cannot set.
func TestCheckExplainsForbiddenHeaders(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	defer api.Close()
	var out, errb bytes.Buffer
	Run([]string{"check", api.URL, "--origin", "http://localhost:3000", "-H", "Cookie: session=1", "-H", "Host: evil"}, &out, &errb)
	for _, want := range []string{"-H 'Cookie: ...' is left out", "add --credentials include", "-H 'Host: ...' is left out"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

// TestCheckFromError: corskit check starts from the console line a user
// copied. Chromium's names the URL and the origin; Firefox's names no origin,
// so --origin must fill it (and its absence is asked for); "-" reads the text
// from standard input; a line that is no CORS failure is named as such.
func TestCheckFromError(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})) // no CORS headers
	defer api.Close()
	chromium := "Access to fetch at '" + api.URL + "/data' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
	firefox := "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + api.URL + "/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."
	for _, tc := range []struct {
		desc    string
		args    []string
		stdin   string
		code    int
		out     string // in stdout
		errPart string // in stderr
	}{
		{"chromium line", []string{"--from-error", chromium, "--json"}, "", ExitFail, `"code": "missing_allow_origin"`, "origin http://localhost:3000"},
		{"firefox line needs --origin", []string{"--from-error", firefox}, "", ExitUsage, "", "add --origin"},
		{"firefox line with --origin", []string{"--from-error", firefox, "--origin", "http://localhost:5173", "--json"}, "", ExitFail, `"code": "missing_allow_origin"`, "from firefox's console line"},
		{"stdin", []string{"--from-error", "-", "--json"}, chromium + "\n", ExitFail, `"url": "` + api.URL + `/data"`, ""},
		{"not CORS", []string{"--from-error", "GET " + api.URL + "/x net::ERR_CONNECTION_REFUSED"}, "", ExitFail, "NOT A CORS ERROR", ""},
		{"a preflight without its method", []string{"--from-error", "Access to fetch at '" + api.URL + "/data' from origin 'http://localhost:3000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status."}, "", ExitFail, "NOT REPRODUCED", ""},
	} {
		var out, errb bytes.Buffer
		code := runCheckWithStdin(append([]string{}, tc.args...), strings.NewReader(tc.stdin), &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.errPart) {
			t.Errorf("%s: exit %d (want %d)\nstdout %s\nstderr %s", tc.desc, code, tc.code, out.String(), errb.String())
		}
	}
}

// TestCheckFromCopiedRequest: corskit check repeats a request copied from
// DevTools, after -- (Copy as cURL) or with --fetch (Copy as fetch, "-" for
// standard input), judged against a real server that allows the page's
// origin for GET only.
func TestCheckFromCopiedRequest(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "http://localhost:3000")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Vary", "Origin")
	}))
	defer api.Close()
	curl := []string{"check", "--json", "--", "curl", api.URL + "/data", "-X", "PUT", "-H", "content-type: application/json",
		"-H", "origin: http://localhost:3000", "-b", "session=1", "--data-raw", "{}"}
	fetch := `fetch("` + api.URL + `/data", {"headers": {"accept": "*/*"}, "referrer": "http://localhost:3000/", "method": "GET", "mode": "cors", "credentials": "include"});`
	for _, tc := range []struct {
		desc  string
		args  []string
		stdin string
		code  int
		out   []string
	}{
		{"Copy as cURL, a JSON PUT with a cookie", curl, "", ExitFail, []string{`"code": "method_not_allowed"`}},
		{"Copy as fetch, a credentialed GET", []string{"check", "--json", "--fetch", "-"}, fetch, ExitOK, []string{`"allowed": true`}},
	} {
		var out, errb bytes.Buffer
		code := runCheckWithStdin(tc.args[1:], strings.NewReader(tc.stdin), &out, &errb)
		if !strings.Contains(errb.String(), "from http://localhost:3000, credentials include") {
			t.Errorf("%s: the origin or the credentials mode was not taken from the copy:\n%s", tc.desc, errb.String())
		}
		for _, want := range tc.out {
			if code != tc.code || !strings.Contains(out.String(), want) {
				t.Errorf("%s: exit %d (want %d), stdout lacks %q\n%s\n%s", tc.desc, code, tc.code, want, out.String(), errb.String())
			}
		}
	}
}

// TestEngineFlagErrors: a bad --browser or --page-address-space is named,
// in flag terms, with the values to use.
func TestEngineFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "http://127.0.0.1:1/", "--origin", "http://localhost:3000", "--browser", "edge"}, `--browser "edge" is not an engine: use chromium, firefox, safari or all`},
		{[]string{"check", "http://127.0.0.1:1/", "--origin", "http://localhost:3000", "--page-address-space", "lan"}, `--page-address-space "lan" is not an address space: use public, private or loopback`},
		{[]string{"audit", "http://127.0.0.1:1/", "--browser", "ie"}, `--browser "ie" is not an engine`},
	} {
		var out, errb bytes.Buffer
		if code := Run(tc.args, &out, &errb); code != ExitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// TestCheckRulesAreLinted: --rules keeps the bucket's rules in the fix and
// reports what lint finds in them.
func TestCheckRulesAreLinted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Server", "AmazonS3") }))
	defer srv.Close()
	rules := filepath.Join(t.TempDir(), "rules.json")
	os.WriteFile(rules, []byte(`{"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}, {"AllowedOrigins": ["https://a.example"], "AllowedMethods": ["GET"]}]}`), 0o600)
	var stdout, stderr bytes.Buffer
	code := Run([]string{"check", srv.URL + "/k", "--origin", "http://localhost:3000", "-X", "PUT", "-d", "{}", "--browser", "chromium", "--rules", rules}, &stdout, &stderr)
	if code != ExitFail || !strings.Contains(stderr.String(), "storage-rule-shadowed") {
		t.Errorf("exit %d; stderr lacks the shadowed rule:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "https://a.example") || !strings.Contains(stdout.String(), "http://localhost:3000") {
		t.Errorf("the fix does not keep the bucket's rules beside the new origin:\n%s", stdout.String())
	}
	os.WriteFile(rules, []byte(`<html></html>`), 0o600)
	stderr.Reset()
	if code := Run([]string{"check", srv.URL + "/k", "--origin", "http://localhost:3000", "--rules", rules}, &stdout, &stderr); code != ExitUsage || !strings.Contains(stderr.String(), "--rules") {
		t.Errorf("--rules with no rules: exit %d, %s; want a usage error naming --rules", code, stderr.String())
	}
}

// TestMatrixFileIsReadAsWritten: a --matrix entry keeps its headers in the
// file's order, and a credentials mode or header list the browser has no
// meaning for is refused, naming the entry.
func TestMatrixFileIsReadAsWritten(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	entries, err := loadMatrix(write("ok.yaml", "- origin: http://a.test\n  headers: {X-Zeta: 1, Authorization: b, X-Alpha: c}\n"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("loadMatrix: %v %v", entries, err)
	}
	var names []string
	for _, h := range entries[0].Headers {
		names = append(names, h.Name)
	}
	if got := strings.Join(names, ","); got != "X-Zeta,Authorization,X-Alpha" {
		t.Errorf("headers in the order %s; want the file's X-Zeta,Authorization,X-Alpha", got)
	}
	for _, tc := range []struct{ body, want string }{
		{"- origin: http://a.test\n  credentials: includ\n", `entry 1: credentials "includ": use omit, same-origin or include`},
		{"- origin: http://a.test\n  headers: [X-A]\n", "headers must be a mapping"},
		{"- origin: http://a.test\n  headers: {X-A: [1, 2]}\n", `header "X-A": its name and value must be plain text`},
	} {
		if _, err := loadMatrix(write("bad.yaml", tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v; want an error with %q", tc.body, err, tc.want)
		}
	}
}
