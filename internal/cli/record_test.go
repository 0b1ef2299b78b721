package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/record"
	"github.com/corskit/corskit/internal/servertest"
)

// init keeps the browsers corskit record opens in this package's tests
// off the network: in Chromium no name resolves but loopback's; Firefox
// sends everything else to a proxy on 127.0.0.1:9, where nothing listens.
// Set once, before any test, so that the record tests can run in parallel
// with the package's others. Under the broken-server suite's load, corskit
// record's Firefox once took over 30 s to answer session.new (CI): these
// tests give record --timeout 60s, which gives the browser's start 120 s.
func init() {
	recordFlagsForTests = []string{"host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"}
	recordPrefsForTests = []string{
		`user_pref("network.proxy.type", 1);`,
		`user_pref("network.proxy.http", "127.0.0.1");`, `user_pref("network.proxy.http_port", 9);`,
		`user_pref("network.proxy.ssl", "127.0.0.1");`, `user_pref("network.proxy.ssl_port", 9);`,
		`user_pref("network.proxy.socks", "127.0.0.1");`, `user_pref("network.proxy.socks_port", 9);`,
		`user_pref("network.proxy.no_proxies_on", "127.0.0.1, localhost, [::1]");`,
		`user_pref("network.proxy.allow_hijacking_localhost", false);`,
	}
}

// keepOnLoopback needs the browsers corskit record opens (kept off the
// network by init): a missing one skips the test loudly, or fails it under
// CORSKIT_REQUIRE_BROWSER=1.
func keepOnLoopback(t *testing.T, engines ...string) {
	t.Helper()
	for _, e := range engines {
		path, install := record.ChromiumPath(), "apt-get install chromium, or set CORSKIT_CHROMIUM"
		if e == "firefox" {
			path, install = record.FirefoxPath(), "apt-get install firefox-esr, or set CORSKIT_FIREFOX"
		}
		if path != "" {
			continue
		}
		msg := fmt.Sprintf("\n\n*** %s not found: corskit record tests SKIPPED. Install it (%s). ***\n\n", e, install)
		if os.Getenv("CORSKIT_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg + "CORSKIT_REQUIRE_BROWSER=1: failing instead of skipping.")
		}
		t.Skip(msg)
	}
}

// appPage serves the app under test: on load it makes the credentialed
// JSON PUT of each URL of onLoad; its button #save makes it to onClick and
// then shows "saved".
func appPage(t *testing.T, onLoad []string, onClick string) string {
	t.Helper()
	load, _ := json.Marshal(append([]string{}, onLoad...))
	click, _ := json.Marshal(onClick)
	page := fmt.Sprintf(`<!doctype html><meta charset=utf-8><title>app</title>
<p id=state>loading</p><button id=save>Save</button>
<script>
const put = u => fetch(u, {method: 'PUT', headers: {'Content-Type': 'application/json'}, credentials: 'include', body: '{"n":1}'});
Promise.allSettled(%s.map(put)).then(() => { document.getElementById('state').textContent = 'loaded'; });
document.getElementById('save').onclick = () => put(%s).then(r => r.json()).then(() => { document.getElementById('state').textContent = 'saved'; });
</script>`, load, click)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(s.Close)
	return s.URL + "/"
}

// TestRecordBrokenServers records, as CI would (--headless
// --fail-on-blocked), an app whose page calls real broken servers (Flask,
// php -S, nginx, Caddy from the broken-server suite), in Chromium and
// Firefox at once: every request is reported blocked, with the engine's
// own console line (and Chromium's error code), the model's line for that
// engine is the line the engine printed, the problems are those the doctor
// names from a HAR, and the run exits 1.
func TestRecordBrokenServers(t *testing.T) {
	t.Parallel()
	if raceEnabled {
		t.Skip("two browsers on five real servers: this runs in the pass without -race; TestRecordScript covers the recorder under -race")
	}
	keepOnLoopback(t, "chromium", "firefox")
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/fail" {
			w.WriteHeader(500)
		}
		fmt.Fprint(w, `{"upstream": true}`)
	}))
	t.Cleanup(upstream.Close)
	want := map[string]brokenServer{}
	var urls []string
	for _, bs := range brokenServers {
		if !slices.Contains([]string{"flask", "php", "nginx", "caddy"}, bs.stack) || bs.name == "flask supports_credentials=False" || bs.name == "php origin echoed, 405 on OPTIONS" {
			continue // one or two of each of these stacks are enough; the others' proofs are in TestBrokenServersFromEvidenceToAWorkingApp
		}
		port := servertest.FreePort(t)
		u := fmt.Sprintf("http://127.0.0.1:%d%s", port, bs.path)
		startBroken(t, bs.stack, "", "", port, bs.app(port, upstream.URL, nil, nil))
		want[u] = bs
		urls = append(urls, u)
	}
	page := appPage(t, urls, urls[0])
	pageOrigin := strings.TrimSuffix(page, "/")
	script := filepath.Join(t.TempDir(), "load.txt")
	os.WriteFile(script, []byte("open "+page+"\nwait text loaded\n"), 0o600)
	engines := []string{"chromium", "firefox"}
	type run struct {
		code     int
		out, err bytes.Buffer
		har      string
	}
	runs := make([]*run, len(engines))
	var wg sync.WaitGroup
	for i, e := range engines {
		runs[i] = &run{har: filepath.Join(t.TempDir(), e+".har")}
		wg.Go(func() {
			r := runs[i]
			r.code = Run([]string{"record", "--browser", e, "--headless", "--timeout", "60s", "--fail-on-blocked", "--json", "--credentials", "include", "--har", r.har, "--script", script}, &r.out, &r.err)
		})
	}
	wg.Wait()
	for i, e := range engines {
		t.Run(e, func(t *testing.T) {
			checkSession(t, e, runs[i].code, runs[i].out.Bytes(), runs[i].err.String(), runs[i].har, maps.Clone(want), pageOrigin)
		})
	}
}

// checkSession checks one engine's recorded session of the broken servers.
func checkSession(t *testing.T, engine string, code int, out []byte, stderr, harFile string, want map[string]brokenServer, pageOrigin string) {
	if code != ExitFail {
		t.Fatalf("exit %d, want %d (blocked); stderr:\n%s\nstdout:\n%s", code, ExitFail, stderr, out)
	}
	var got struct {
		Engine   string          `json:"engine"`
		Blocked  int             `json:"blocked"`
		Requests []record.Result `json:"requests"`
		Summary  []record.OriginSummary
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("the JSON: %v\n%s", err, out)
	}
	n := len(want)
	if got.Engine != engine || got.Blocked != n || len(got.Summary) != n {
		t.Errorf("%s: blocked %d in %d origins, want %d: %s", got.Engine, got.Blocked, len(got.Summary), n, out)
	}
	for _, r := range got.Requests {
		bs, ok := want[r.URL]
		if !ok {
			t.Errorf("a request the page did not make to a server: %s %s", r.Method, r.URL)
			continue
		}
		delete(want, r.URL)
		t.Run(bs.name, func(t *testing.T) {
			checkRecorded(t, engine, r, bs, pageOrigin)
		})
	}
	for u, bs := range want {
		t.Errorf("%s (%s): not in the report", u, bs.name)
	}
	if h, err := check.ParseHAR(mustRead(t, harFile)); err != nil || h.CrossOrigin != n {
		t.Errorf("--har: %d cross-origin requests, err %v; want %d", h.CrossOrigin, err, n)
	}
}

// checkRecorded compares a recorded request's report with what Chromium
// said about it.
func checkRecorded(t *testing.T, engine string, r record.Result, bs brokenServer, pageOrigin string) {
	t.Helper()
	if r.Origin != pageOrigin || r.Method != "PUT" || !r.BlockedHere || (engine == "chromium" && r.EngineError == "") || len(r.Console) == 0 || r.Report == nil {
		t.Fatalf("recorded: %+v", r)
	}
	prefix := map[string]string{
		"chromium": "Access to fetch at '" + r.URL + "' from origin '" + pageOrigin + "' has been blocked by CORS policy: ",
		"firefox":  "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ",
	}[engine]
	i := slices.IndexFunc(r.Console, func(l string) bool { return strings.HasPrefix(l, prefix) })
	if i < 0 || !strings.Contains(r.Console[i], r.URL) {
		t.Fatalf("%s's lines lack its CORS line for %s: %q", engine, r.URL, r.Console)
	}
	line := r.Console[i]
	model := r.Report.Engines[engine]
	first := ""
	if len(model.Messages) > 0 {
		first = model.Messages[0]
	}
	if model.Allowed || (first != line && !slices.Contains(r.Report.Alternatives, line)) {
		t.Errorf("the model's line differs from %s's:\nmodel  %q\nengine %q", engine, first, line)
	}
	if len(r.Differences) > 0 {
		t.Errorf("differences reported: %q", r.Differences)
	}
	var names []string
	for _, p := range r.Report.Problems {
		names = append(names, p.Name)
	}
	want := bs.problems
	if bs.harProblems != "" {
		want = bs.harProblems
	}
	if strings.Join(names, ",") != want {
		t.Errorf("problems %q, want %q", strings.Join(names, ","), want)
	}
	if r.Report.Fix == nil || !strings.HasPrefix(r.Command, "corskit check "+r.URL) {
		t.Errorf("no fix, or the command %q", r.Command)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRecordScript covers a flow behind a button: the page makes its
// request only when #save is clicked; the script clicks it and waits for
// the page's "saved". The API allows it: the human report shows it, the
// summary counts it, and --fail-on-blocked exits 0.
func TestRecordScript(t *testing.T) {
	t.Parallel()
	keepOnLoopback(t, "chromium")
	var page string
	mw, err := cors.New(cors.Config{AllowOrigins: []string{"http://127.0.0.1:*"}, AllowCredentials: true, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"saved": true}`)
	})))
	t.Cleanup(api.Close)
	page = appPage(t, nil, api.URL+"/save")
	script := filepath.Join(t.TempDir(), "flow.txt")
	os.WriteFile(script, []byte("# save once\nopen "+page+"\nwait text loaded\nclick #save\nwait text saved\nwait idle\n"), 0o600)
	var out, errOut bytes.Buffer
	code := Run([]string{"record", "--headless", "--timeout", "60s", "--fail-on-blocked", "--script", script}, &out, &errOut)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, errOut.String(), out.String())
	}
	for _, want := range []string{
		"-> line 4: click #save\n",
		"ok       PUT " + api.URL + "/save from " + strings.TrimSuffix(page, "/") + "\n",
		"recorded in chromium: 1 cross-origin requests, 0 blocked in some engine\n",
		"    ok       PUT     /save  (1)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRecordScriptErrors: a bad script is refused before any browser
// starts, naming the line and the format.
func TestRecordScriptErrors(t *testing.T) {
	for script, want := range map[string]string{
		"click\n":                 `--script line 1 "click": click needs a CSS selector`,
		"\n\nwait forever\n":      `--script line 3 "wait forever": wait is "wait text TEXT" or "wait idle"`,
		"# nothing\n":             "--script has no step",
		"open ftp://example/\n":   `"ftp://example/" is not an http(s) URL`,
		"hover #x\n":              `unknown step "hover"`,
		strings.Repeat("x", 9000): "a line is at most 8 KiB",
	} {
		file := filepath.Join(t.TempDir(), "s.txt")
		os.WriteFile(file, []byte(script), 0o600)
		var out, errOut bytes.Buffer
		if code := Run([]string{"record", "--headless", "--script", file}, &out, &errOut); code != ExitUsage || !strings.Contains(errOut.String(), want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", script, code, errOut.String(), ExitUsage, want)
		}
	}
}
