package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/pastetest"
	"github.com/corskit/corskit/internal/servertest"
)

// brokenServer is a real server with a CORS mistake users make, and the
// request a page makes that fails on it.
type brokenServer struct {
	name, stack string
	// app is the server's source or configuration. port is where it
	// listens, upstream the API behind a proxy, origins the app's allowed
	// origins where it lists them (the test pages' and the other origins).
	app func(port int, upstream string, origins, others []string) string
	// path is the failing request's path: a credentialed JSON PUT.
	path string
	// worked are requests from the app's other origin that the broken
	// server already allowed: the fix must keep them working.
	worked []browsertest.Request
	// problems are the problems' names, in order, as the doctor must name
	// them.
	problems string
	// harProblems, when set, are the problems named from a HAR judged
	// offline (corskit record's), which holds no response body and no
	// probe: a refusal told only in the body is not seen.
	harProblems string
	// detect: corskit check is not told the stack (no --stack) and must
	// recognise it from the server's answers.
	detect bool
}

// theRequest is the page's failing request: a credentialed JSON PUT.
func theRequest(url string) browsertest.Request {
	return browsertest.Request{URL: url, Method: "PUT", Headers: map[string]string{"Content-Type": "application/json"}, Credentials: "include", Body: `{"n":1}`}
}

func jsList(xs []string) string { return "['" + strings.Join(xs, "', '") + "']" }
func pyList(xs []string) string { return `["` + strings.Join(xs, `", "`) + `"]` }
func getReq(creds string) browsertest.Request {
	return browsertest.Request{Method: "GET", Credentials: creds}
}

// phpEndpoint is the PHP scripts' endpoint, after their own CORS lines: it
// answers GET, POST and PUT, and 405 to anything else, OPTIONS included.
const phpEndpoint = `header('Content-Type: application/json');
if (!in_array($_SERVER['REQUEST_METHOD'], ['GET', 'POST', 'PUT'], true)) {
    http_response_code(405);
    echo json_encode(['error' => 'method not allowed']);
    exit;
}
echo json_encode(['ok' => true]);
`

// flaskApp is a Flask app configured by corsLine, answering /data.
func flaskApp(corsLine string, port int) string {
	return fmt.Sprintf(`from flask import Flask, jsonify
from flask_cors import CORS
app = Flask(__name__)
%s

@app.route("/data", methods=["GET", "PUT", "DELETE"])
def data():
    return jsonify(ok=True)

app.run(host="127.0.0.1", port=%d)
`, corsLine, port)
}

var brokenServers = []brokenServer{
	{name: "express cors after the routes", stack: "express", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return fmt.Sprintf(`const express = require('express');
const cors = require('cors');
const app = express();
app.use(express.json());
app.get('/data', (req, res) => res.json({items: []}));
app.put('/data', (req, res) => res.json({saved: true}));
app.delete('/data', (req, res) => res.json({deleted: true}));
app.use(cors({origin: true, credentials: true}));
app.listen(%d, '127.0.0.1');
`, port)
		},
		problems: "CORS after the route"},
	{name: "express origin callback that throws", stack: "express", path: "/data",
		app: func(port int, _ string, _, others []string) string {
			return fmt.Sprintf(`const express = require('express');
const cors = require('cors');
const app = express();
const allowed = %s;
app.use(cors({
  origin: (origin, callback) => {
    if (!origin || allowed.includes(origin)) return callback(null, true);
    callback(new Error('Not allowed by CORS'));
  },
  credentials: true,
}));
app.use(express.json());
app.get('/data', (req, res) => res.json({items: []}));
app.put('/data', (req, res) => res.json({saved: true}));
app.listen(%d, '127.0.0.1');
`, jsList(others), port)
		},
		worked:      []browsertest.Request{theRequest(""), getReq("include")},
		problems:    "origin refused by the CORS code",
		harProblems: "preflight not handled"},
	{name: "express credentials with the default *", stack: "express", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return fmt.Sprintf(`const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors());
app.use(express.json());
app.get('/data', (req, res) => res.json({items: []}));
app.put('/data', (req, res) => res.json({saved: true}));
app.delete('/data', (req, res) => res.json({deleted: true}));
app.listen(%d, '127.0.0.1');
`, port)
		},
		worked:   []browsertest.Request{getReq("omit"), {Method: "DELETE"}},
		problems: "wildcard with credentials,credentials not allowed"},
	{name: "flask default CORS with credentials", stack: "flask", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return flaskApp("CORS(app)", port)
		},
		worked: []browsertest.Request{getReq("omit"), {Method: "DELETE"}},
		// Flask-CORS echoes the origin rather than sending * (send_wildcard
		// is off by default): the one problem is the credentials.
		problems: "credentials not allowed"},
	{name: "flask supports_credentials=False", stack: "flask", path: "/data",
		app: func(port int, _ string, origins, _ []string) string {
			return flaskApp(fmt.Sprintf("CORS(app, origins=%s, supports_credentials=False)", pyList(origins)), port)
		},
		worked:   []browsertest.Request{{Method: "DELETE", Headers: map[string]string{"Content-Type": "application/json"}}},
		problems: "credentials not allowed"},
	{name: "php * only, no OPTIONS", stack: "php", path: "/data",
		app: func(int, string, []string, []string) string {
			return "<?php\nheader('Access-Control-Allow-Origin: *');\n" + phpEndpoint
		},
		worked:   []browsertest.Request{getReq("omit")},
		problems: "wildcard with credentials,credentials not allowed,preflight not handled,method not allowed,JSON content type"},
	{name: "php origin echoed, 405 on OPTIONS", stack: "php", path: "/data",
		app: func(int, string, []string, []string) string {
			return "<?php\nheader('Access-Control-Allow-Origin: ' . ($_SERVER['HTTP_ORIGIN'] ?? '*'));\nheader('Access-Control-Allow-Credentials: true');\n" + phpEndpoint
		},
		worked:   []browsertest.Request{getReq("include")},
		problems: "preflight not handled,method not allowed,JSON content type"},
	{name: "nginx add_header inside if", stack: "nginx", path: "/data",
		app: func(port int, upstream string, _, _ []string) string {
			return fmt.Sprintf(`server {
    listen 127.0.0.1:%d;
    location / {
        add_header Access-Control-Allow-Origin $http_origin;
        add_header Access-Control-Allow-Credentials true;
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE";
            add_header Access-Control-Allow-Headers "Content-Type";
            return 204;
        }
        proxy_pass %s;
    }
}
`, port, upstream)
		},
		worked:   []browsertest.Request{getReq("include")},
		problems: "add_header inside if,credentials not allowed"},
	{name: "nginx without always on a 500", stack: "nginx", path: "/fail",
		app: func(port int, upstream string, _, _ []string) string {
			return fmt.Sprintf(`map $http_origin $allowed_origin {
    default "";
    "~^http://(localhost|127\.0\.0\.1):[0-9]+$" $http_origin;
}
server {
    listen 127.0.0.1:%d;
    location / {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin $allowed_origin always;
            add_header Access-Control-Allow-Credentials true always;
            add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
            add_header Access-Control-Allow-Headers "Content-Type" always;
            return 204;
        }
        add_header Access-Control-Allow-Origin $allowed_origin;
        add_header Access-Control-Allow-Credentials true;
        proxy_pass %s;
    }
}
`, port, upstream)
		},
		worked:   []browsertest.Request{{URL: "/data", Method: "GET", Credentials: "include"}},
		problems: "errors without CORS headers"},
	{name: "caddy * with credentials", stack: "caddy", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return fmt.Sprintf(`{
	admin off
	auto_https off
}
http://127.0.0.1:%d {
	header Access-Control-Allow-Origin "*"
	header Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
	header Access-Control-Allow-Headers "Content-Type"
	@options method OPTIONS
	respond @options 204
	respond /data "{\"ok\": true}" 200
}
`, port)
		},
		worked:   []browsertest.Request{getReq("omit")},
		problems: "wildcard with credentials,credentials not allowed"},
}

// TestBrokenServersFromEvidenceToAWorkingApp is issue 12's proof. For each
// real broken server (Express 4 with cors 2, Flask with Flask-CORS, php -S,
// nginx, Caddy): the failing request runs in Chromium, Firefox and WebKit;
// each engine's console text, and a "Copy as cURL", go to corskit check
// exactly as a user pastes them; the problems it names are checked; the fix
// it prints for the stack is pasted into the app as its text says
// (internal/pastetest); then, on the fixed server, the failing request is
// allowed in the three engines, and the requests that worked before from
// the app's other origin still work, in Chromium and Firefox, and those
// that worked from WebKit's own page still work there (WebKit's shared
// page cannot move to another origin).
//
// go test runs defaultCases, one of each kind of mistake; .ci/run runs the
// others in a step of its own (CORSKIT_BROKEN_ALL=rest); =1 runs them all.
func TestBrokenServersFromEvidenceToAWorkingApp(t *testing.T) {
	if raceEnabled {
		t.Skip("the broken-server suite runs real browsers and servers for minutes; it runs in the pass without -race")
	}
	t.Parallel()
	if recordsHARForm(firefoxDevToolsHARForm) {
		browsertest.PrestartFirefoxDevTools() // its start overlaps the first cases'
	}
	npmDir := t.TempDir()
	var npmMu sync.Mutex
	var node string
	expressNode := func(t *testing.T) string {
		npmMu.Lock()
		defer npmMu.Unlock()
		if node == "" {
			node = servertest.NPMInstall(t, npmDir, "express@4", "cors@2")
		}
		return node
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/fail" {
			w.WriteHeader(500)
		}
		fmt.Fprint(w, `{"upstream": true}`)
	}))
	t.Cleanup(upstream.Close)
	pasted := &pasteTable{}
	t.Cleanup(func() { writePasteTable(t, pasted) })

	// Cases at a time, each with its own three engines from the package's
	// pool: a case mostly waits for its servers and corskit. Three in go
	// test ./..., where other packages' tests share the machine; four when
	// the suite runs alone (CI's every-case step).
	cases := casesToRun(t, brokenServers)
	n := 3
	if os.Getenv("CORSKIT_BROKEN_ALL") != "" {
		n = 4
	}
	browsertest.AllowInstances(n)
	// The cases are subtests started from goroutines, n at a time, not
	// parallel subtests: a parallel subtest waiting for its turn would hold
	// one of go test's parallel slots, which the package's other tests
	// need, for minutes.
	slots := make(chan struct{}, n)
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, bs := range cases {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			t.Run(bs.name, func(t *testing.T) { brokenCase(t, bs, npmDir, expressNode, upstream.URL, pasted) })
		})
	}
}

// brokenCase runs one planted mistake from the evidence to a working app:
// see TestBrokenServersFromEvidenceToAWorkingApp.
func brokenCase(t *testing.T, bs brokenServer, npmDir string, expressNode func(*testing.T) string, upstreamURL string, pasted *pasteTable) {
	if bs.stack == "nextjs" {
		lockNext(t)
	}
	engines, pages, others, other := appEngines(t)
	var node string
	if bs.stack == "express" {
		node = expressNode(t)
	}
	port := servertest.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	src := bs.app(port, upstreamURL, append(slices.Clone(pages), others...), others)
	var fixes []*check.JSONFix
	var webkitWorked []browsertest.Request
	t.Run("broken", func(t *testing.T) {
		// Tomcat's apps live on the shared Tomcat, under a path.
		base = startBroken(t, bs.stack, npmDir, node, port, src)
		fromOther(t, engines, other, base, bs.worked, "before the fix")
		webkitWorked = worksIn(t, engines["safari"], base, bs.worked)
		t.Logf("webkit: %d of the %d requests that worked from the other origin work from its own page before the fix", len(webkitWorked), len(bs.worked))
		for _, name := range browsertest.Names {
			e := engines[name]
			res := e.Fetch(t, theRequest(base+bs.path))
			if res.OK || len(res.Console) == 0 {
				t.Fatalf("%s: the broken server allowed the request, or the console is empty: %+v %q", name, res, res.Console)
			}
			j := diagnose(t, bs, e.Origin(), withoutOwn(append(slices.Clone(pages), others...), e.Origin()), []string{"--from-error", "-"}, strings.Join(res.Console, "\n"))
			if j.Request.URL != base+bs.path || j.Request.Origin != e.Origin() || j.Request.Method != "PUT" {
				t.Errorf("%s: request reconstructed from the console text: %+v", name, j.Request)
			}
			fixes = append(fixes, j.Fix)
		}
		chromium := engines["chromium"].Origin()
		curl := []string{"--", "curl", base + bs.path, "-X", "PUT", "-H", "Accept: */*", "-H", "Content-Type: application/json",
			"-H", "Origin: " + chromium, "-H", "Referer: " + chromium + "/", "-b", "session=1", "--data-raw", `{"n":1}`}
		fixes = append(fixes, diagnose(t, bs, chromium, withoutOwn(append(slices.Clone(pages), others...), chromium), curl, "").Fix)
		// A HAR recorded in Chromium, judged offline: --credentials
		// include, which a HAR cannot record without a cookie.
		_, har := engines["chromium"].(*browsertest.Browser).RecordHAR(t, []browsertest.Request{theRequest(base + bs.path)})
		harFile := filepath.Join(t.TempDir(), "recorded.har")
		os.WriteFile(harFile, har, 0o600)
		// The HAR's fix allows the same origins and credentials; it may
		// know fewer of the server's methods (no preflight recorded
		// when the browser had it cached).
		if f := diagnoseHAR(t, bs, harFile, withoutOwn(append(slices.Clone(pages), others...), chromium)); !sameSet(f.Policy.AllowOrigins, fixes[0].Policy.AllowOrigins) || f.Policy.AllowCredentials != fixes[0].Policy.AllowCredentials {
			t.Errorf("the HAR gives another policy: %+v, want the origins and credentials of %+v", f.Policy, fixes[0].Policy)
		}
		for i, f := range fixes[1:] {
			if !samePolicy(fixes[0], f) {
				t.Errorf("evidence %d gives another policy: %+v, want %+v", i+1, f.Policy, fixes[0].Policy)
			}
		}
		pasteAlone(t, pasted, bs, engines, base, withoutOwn(append(slices.Clone(pages), others...), chromium), fixes[0])
		moreHARForms(t, pasted, bs, engines, base)
	})
	if t.Failed() {
		return
	}
	fixed, err := pastetest.Apply(src, fixes[0].Pieces[bs.stack])
	if err != nil {
		t.Fatalf("pasting the fix as its text says: %v\n%s", err, fixes[0].Snippets[bs.stack])
	}
	t.Run("fixed", func(t *testing.T) {
		base := startBroken(t, bs.stack, npmDir, node, port, fixed)
		for _, name := range browsertest.Names {
			if res := engines[name].Fetch(t, theRequest(base+bs.path)); !res.OK {
				t.Errorf("%s: after the fix, the request is still blocked: %q\nthe app:\n%s", name, res.Console, fixed)
			}
		}
		fromOther(t, engines, other, base, append([]browsertest.Request{theRequest(bs.path)}, bs.worked...), "after the fix")
		for _, r := range webkitWorked {
			r.URL = base + cmpPath(r.URL)
			if res := engines["safari"].Fetch(t, r); !res.OK {
				t.Errorf("webkit, after the fix, from its own page: %s %s worked before and is blocked: %q", r.Method, r.URL, res.Console)
			}
		}
	})
}

// worksIn runs the requests that worked from the app's other origin in e
// from its own page, which the app allows too, and returns those e
// allowed: the fix must keep them working. It is how WebKit, whose shared
// page cannot move to another origin, holds the fix to narrowing nothing.
func worksIn(t *testing.T, e browsertest.Engine, base string, reqs []browsertest.Request) []browsertest.Request {
	t.Helper()
	var ok []browsertest.Request
	for _, r := range reqs {
		sent := r
		sent.URL = base + cmpPath(r.URL)
		if e.Fetch(t, sent).OK {
			ok = append(ok, r)
		}
	}
	return ok
}

// appEngines lends the test Chromium, Firefox and WebKit, and returns them
// with their page origins and the app's other origin: the same page server
// under the name localhost, which Chromium and Firefox can open.
func appEngines(t *testing.T) (engines map[string]browsertest.Engine, pages, others []string, other map[string]string) {
	t.Helper()
	engines, other = map[string]browsertest.Engine{}, map[string]string{}
	for _, name := range browsertest.Names {
		engines[name] = browsertest.StartEngine(t, name)
		pages = append(pages, engines[name].Origin())
	}
	for _, name := range []string{"chromium", "firefox"} {
		other[name] = strings.Replace(engines[name].Origin(), "127.0.0.1", "localhost", 1)
		others = append(others, other[name])
	}
	return engines, pages, others, other
}

// diagnose runs corskit check on the evidence as a user would: the flags
// the page's code knows (method, header, credentials, body) for console
// text, --origin only when corskit asks for it, the app's other origins
// with --also-origin. It checks the problems named and returns the JSON.
func diagnose(t *testing.T, bs brokenServer, origin string, also []string, evidence []string, stdin string) check.JSON {
	t.Helper()
	args := []string{"--json", "--stack", bs.stack}
	if bs.detect {
		args = []string{"--json"}
	}
	for _, a := range also {
		args = append(args, "--also-origin", a)
	}
	if evidence[0] == "--from-error" {
		args = append(args, "-X", "PUT", "-H", "Content-Type: application/json", "--credentials", "include", "-d", `{"n":1}`)
	}
	run := func(args []string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runCheckWithStdin(append(args, evidence...), strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := run(args)
	if code == ExitUsage && strings.Contains(errOut, "add --origin") {
		code, out, errOut = run(append(args, "--origin", origin))
	}
	if code != ExitFail {
		t.Fatalf("corskit check %q: exit %d, want 1 (blocked)\n%s\n%s\nevidence:\n%s", append(args, evidence...), code, errOut, out, stdin)
	}
	var j check.JSON
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	var names []string
	for _, p := range j.Problems {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, ","); got != bs.problems {
		t.Errorf("problems %q, want %q; the problems:\n%+v", got, bs.problems, j.Problems)
	}
	if j.Fix == nil || len(j.Fix.Pieces[bs.stack]) == 0 || !strings.Contains(j.Fix.Snippet, strings.TrimSpace(j.Fix.Pieces[bs.stack][0].Text[:min(20, len(j.Fix.Pieces[bs.stack][0].Text))])) {
		t.Fatalf("no fix for %s: %+v", bs.stack, j.Fix)
	}
	if bs.detect && j.Fix.Stack != bs.stack {
		t.Errorf("the stack recognised from the answers: %q (%s), want %s", j.Fix.Stack, j.Fix.StackFrom, bs.stack)
	}
	return j
}

// diagnoseHAR runs corskit check --har on a recorded HAR and checks that
// it finds the one cross-origin request, blocked, with the problems.
func diagnoseHAR(t *testing.T, bs brokenServer, file string, also []string) *check.JSONFix {
	t.Helper()
	args := []string{"--har", file, "--credentials", "include", "--json", "--stack", bs.stack}
	for _, a := range also {
		args = append(args, "--also-origin", a)
	}
	var out, errOut bytes.Buffer
	if code := runCheckWithStdin(args, nil, &out, &errOut); code != ExitFail {
		t.Fatalf("corskit check %q: exit %d, want 1\n%s\n%s", args, code, errOut.String(), out.String())
	}
	var j struct {
		Requests []struct {
			PreflightEntry int         `json:"preflight_entry"`
			Report         *check.JSON `json:"report"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out.String())
	}
	if len(j.Requests) != 1 || j.Requests[0].Report == nil {
		t.Fatalf("the HAR's cross-origin requests: %s", out.String())
	}
	r := j.Requests[0].Report
	var names []string
	for _, p := range r.Problems {
		names = append(names, p.Name)
	}
	// A HAR holds what the browser sent: after a refused preflight, no
	// request; so its problems are the first ones of the live check, which
	// the live fill names where the file alone cannot (harProblems is what
	// the file alone names: corskit record judges its own HAR offline).
	want := bs.problems
	if got := strings.Join(names, ","); got == "" || !strings.HasPrefix(want, got) {
		t.Errorf("problems from the HAR %q, want %q or its start", got, want)
	}
	if r.Fix == nil {
		t.Fatalf("no fix from the HAR: %s", out.String())
	}
	return r.Fix
}

// samePolicy compares two fixes' policies as sets.
func samePolicy(a, b *check.JSONFix) bool {
	pa, pb := a.Policy, b.Policy
	return sameSet(pa.AllowOrigins, pb.AllowOrigins) && sameSet(pa.AllowMethods, pb.AllowMethods) &&
		sameSet(pa.AllowHeaders, pb.AllowHeaders) && pa.AllowCredentials == pb.AllowCredentials
}

func sameSet(a, b []string) bool {
	set := func(xs []string) string { s := slices.Clone(xs); slices.Sort(s); return strings.Join(s, ",") }
	return set(a) == set(b)
}

func withoutOwn(origins []string, own string) []string {
	return slices.DeleteFunc(origins, func(o string) bool { return o == own })
}

// fromOther runs requests from the app's other origin in Chromium and
// Firefox, each of which must be allowed; it opens the page there, and the
// engine's own page again after.
func fromOther(t *testing.T, engines map[string]browsertest.Engine, other map[string]string, base string, reqs []browsertest.Request, when string) {
	t.Helper()
	for name, origin := range other {
		e := engines[name]
		e.Navigate(t, origin+"/")
		for _, r := range reqs {
			r.URL = base + cmpPath(r.URL)
			if res := e.Fetch(t, r); !res.OK {
				t.Errorf("%s, %s, from %s: %s %s blocked: %q", name, when, origin, r.Method, r.URL, res.Console)
			}
		}
		e.Navigate(t, e.Origin()+"/")
	}
}

func cmpPath(p string) string {
	if p == "" {
		return "/data"
	}
	return p
}

// startBroken runs a server of the stack with src until the test ends,
// and returns its base URL: http://127.0.0.1:port, or the app's URL on
// the shared Tomcat.
func startBroken(t *testing.T, stack, npmDir, node string, port int, src string) string {
	t.Helper()
	switch stack {
	case "express":
		file := filepath.Join(npmDir, fmt.Sprintf("app-%d-%d.js", port, len(src)))
		os.WriteFile(file, []byte(src), 0o600)
		servertest.Start(t, npmDir, port, nil, node, file)
	case "flask":
		python := servertest.Flask(t)
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o600)
		servertest.Start(t, dir, port, nil, python, "app.py")
	case "php":
		bin := servertest.Need(t, "php")
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "index.php"), []byte(src), 0o600)
		servertest.Start(t, dir, port, nil, bin, "-S", fmt.Sprintf("127.0.0.1:%d", port), "index.php")
	case "nginx":
		servertest.Nginx(t, port, src)
	case "caddy":
		bin := servertest.Need(t, "caddy")
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Caddyfile"), []byte(src), 0o600)
		servertest.Start(t, dir, port, []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir}, bin, "run", "--config", filepath.Join(dir, "Caddyfile"), "--adapter", "caddyfile")
	case "django", "fastapi", "aiohttp":
		startPython(t, stack, port, src)
	default:
		if base := startMoreStack(t, stack, port, src); base != "" {
			return base
		}
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// defaultCases are the cases go test ./... runs: the kinds of mistake the
// suite plants (CORS after the routes, * with credentials and no preflight
// handling, a server's header rule, a path the CORS code does not cover, a
// framework's refusal with its body, a silent refusal), on six stacks,
// recognised from the answers or named with --stack. Every other case runs
// in CI's every-case step (CORSKIT_BROKEN_ALL=rest), Flask's * with
// credentials and Tomcat's filter 403 among them (check's
// TestFrameworkRefusalTomcat runs a real Tomcat in go test ./...); go test
// ./... stays within its budget.
var defaultCases = []string{
	"express cors after the routes",
	"php * only, no OPTIONS",
	"nginx add_header inside if",
	"django CORS_URLS_REGEX misses the path",
	"fastapi default allow_methods",
	"rack-cors methods default",
}

// casesToRun is every case with CORSKIT_BROKEN_ALL=1 or a -run filter that
// names cases, else defaultCases; CORSKIT_BROKEN_ALL=rest runs the others,
// for CI, whose go test ./... step has run defaultCases. It says which in
// the test's log. Next.js's cases share one slow next dev: they are never
// default cases; CORSKIT_SLOW=1 adds them to the default run (nextSlow).
func casesToRun(t *testing.T, all []brokenServer) []brokenServer {
	mode := os.Getenv("CORSKIT_BROKEN_ALL")
	if mode == "1" || strings.Contains(flagRun(), "/") {
		return all
	}
	var first, rest []brokenServer
	for _, bs := range all {
		switch {
		case slices.Contains(defaultCases, bs.name):
			first = append(first, bs)
		case mode != "rest" && bs.stack == "nextjs" && nextSlow():
			first = append(first, bs)
		default:
			rest = append(rest, bs)
		}
	}
	if len(first) < len(defaultCases) {
		t.Fatalf("defaultCases names a case the suite does not have: %d of %q found", len(first), defaultCases)
	}
	if mode == "rest" {
		t.Logf("%d of the %d cases: all but defaultCases (go test ./... runs those)", len(rest), len(all))
		return rest
	}
	t.Logf("%d of the %d cases, defaultCases (Next.js's too with CORSKIT_SLOW=1); CORSKIT_BROKEN_ALL=1 runs all, =rest the others", len(first), len(all))
	return first
}

// flagRun is go test's -run pattern.
func flagRun() string {
	if f := flag.Lookup("test.run"); f != nil {
		return f.Value.String()
	}
	return ""
}
