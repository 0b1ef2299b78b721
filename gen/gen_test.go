package gen_test

import (
	"context"
	"fmt"
	"github.com/corskit/corskit/gen"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/cors/unstable/origin"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
	"github.com/corskit/corskit/proxy"
)

// policies are the shapes every runnable target is proved with.
// policyCase is a policy every target is proved with.
type policyCase struct {
	name string
	cfg  cors.Config
}

var policies = []policyCase{
	{"credentialed", cors.Config{AllowOrigins: []string{"https://app.example.com", "http://localhost:3000"}, AllowMethods: []string{"PUT", "DELETE"},
		AllowHeaders: []string{"Content-Type"}, ExposeHeaders: []string{"X-Request-Id"}, AllowCredentials: true, MaxAge: 600}},
	{"patterns", cors.Config{AllowOrigins: []string{"https://*.example.com", "http://localhost:*"}, AllowMethods: []string{"PATCH"},
		AllowHeaders: []string{"X-Custom"}, ExposeHeaders: []string{"X-Request-Id"}}},
	{"public", cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}, MaxAge: 60}},
	// The cors package's own documented pattern, with backslashes: each
	// target must quote it as its language defines.
	{"regexp", cors.Config{AllowOrigins: []string{`re:https://(app|admin)\.example\.com`, "http://localhost:3000"}, AllowMethods: []string{"PUT"},
		AllowHeaders: []string{"Content-Type"}, AllowCredentials: true}},
	// allow_headers: *, with the middleware's meaning: every header but
	// Authorization, unless it is listed by name.
	{"anyheader", cors.Config{AllowOrigins: []string{"https://app.example.com", "http://localhost:3000"}, AllowMethods: []string{"PUT", "DELETE"},
		AllowHeaders: []string{"*"}, AllowCredentials: true}},
	{"anyheader-auth", cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"*", "Authorization"}}},
}

// serverPolicies are the policies each stack's real server runs with under
// go test: three that take every writer through its branches (exact origins
// with credentials, max-age and exposed headers; origin patterns; * with
// any header and Authorization), so that go test ./... stays within its
// budget. CORSKIT_SLOW=1, which .ci/run sets in a step of its own, runs
// all six.
func serverPolicies() []policyCase {
	if slow() {
		return policies
	}
	var out []policyCase
	for _, p := range policies {
		if slices.Contains([]string{"credentialed", "patterns", "anyheader-auth"}, p.name) {
			out = append(out, p)
		}
	}
	return out
}

// anyHeader reports whether the policy allows headers with *, which only
// nginx, Caddy, Express, Flask, PHP and Go express.
func anyHeader(c cors.Config) bool { return slices.Contains(c.AllowHeaders, "*") }

var (
	reqOrigins = []string{"https://app.example.com", "https://a.b.example.com", "https://example.com", "http://localhost:3000", "http://localhost:5173", "https://evil.test"}
	reqMethods = []string{"GET", "PUT", "DELETE", "PATCH"}
	reqHeaders = [][]browser.Header{nil, {{Name: "Content-Type", Value: "application/json"}}, {{Name: "X-Custom", Value: "1"}},
		{{Name: "Authorization", Value: "Bearer t"}}, {{Name: "X-Custom", Value: "1"}, {Name: "Authorization", Value: "Bearer t"}}}
	reqCreds = []browser.Credentials{browser.Omit, browser.Include}
)

// allows is the policy's own answer, read independently of any server.
func allows(c cors.Config, r browser.Request) bool {
	var ps []origin.Pattern
	for _, o := range c.AllowOrigins {
		p, _ := origin.Parse(o)
		ps = append(ps, p)
	}
	if !origin.NewSet(ps).Contains(r.Origin) || r.Credentials == browser.Include && !c.AllowCredentials {
		return false
	}
	m := headers.NormalizeMethod(r.Method)
	if !headers.IsSafelistedMethod(m) && !slices.Contains(c.AllowMethods, m) && !slices.Contains(c.AllowMethods, "*") {
		return false
	}
	for _, n := range browser.UnsafeHeaderNames(r.Headers) {
		listed := slices.ContainsFunc(c.AllowHeaders, func(h string) bool { return strings.EqualFold(h, n) })
		if !listed && !(anyHeader(c) && n != "authorization") {
			return false
		}
	}
	return true
}

// upstream is the API behind the proxy targets: it sets a wrong CORS header
// of its own, and fails on /fail.
func upstream(t *testing.T) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://wrong.example")
		w.Header().Set("X-Request-Id", "42")
		switch r.URL.Path {
		case "/data":
			io.WriteString(w, `{"message": "Hello from API!"}`)
		case "/fail":
			w.WriteHeader(500)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// verify runs the request matrix against base and against corskit proxy
// with the same policy: every verdict must equal the policy's, and allowed
// origins must get CORS headers on errors.
func verify(t *testing.T, target string, cfg cors.Config, base string, errorPaths ...string) {
	t.Helper()
	up, _ := url.Parse(upstream(t))
	g, err := proxy.New(proxy.Config{Upstream: up, Policy: cfg})
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(g)
	defer gw.Close()
	// Each distinct request goes over the wire once: the three engines'
	// models judge the same answers (browser.Memo).
	tr := check.Transport(context.Background(), check.Options{Timeout: 5 * time.Second})
	server, gateway := browser.Memo(tr), browser.Memo(tr)
	rt := func(b string) browser.RoundTripper {
		if b == gw.URL {
			return gateway
		}
		return server
	}
	n := 0
	for _, o := range reqOrigins {
		for _, m := range reqMethods {
			for _, hs := range reqHeaders {
				for _, c := range reqCreds {
					// The servers run on loopback, standing in for the deployed API.
					req := browser.Request{Origin: o, Method: m, Headers: hs, Credentials: c, Body: m != "GET", StandIn: true}
					want := allows(cfg, req)
					for _, e := range browser.Engines() {
						req.URL = base + "/data"
						got := e.Fetch(req, rt(base))
						req.URL = gw.URL + "/data"
						ref := e.Fetch(req, rt(gw.URL))
						n++
						if got.Allowed != want || ref.Allowed != want {
							t.Errorf("%s in %s: %s %s %v %s: %s says allowed=%v (%s), corskit proxy %v, the policy %v",
								target, e.Product, o, m, hs, c, target, got.Allowed, got.Message, ref.Allowed, want)
						}
					}
				}
			}
		}
	}
	for _, path := range errorPaths {
		allowedOrigin := "https://app.example.com"
		req := browser.Request{Origin: allowedOrigin, URL: base + path, Method: "GET", StandIn: true}
		if v := browser.Fetch(req, rt(base)); !v.Allowed {
			t.Errorf("%s: GET %s from %s: blocked (%s); an error response must carry the CORS headers", target, path, allowedOrigin, v.Message)
		}
	}
	t.Logf("%s: %d requests (each judged by the three engines' models), verdicts equal to the policy and to corskit proxy", target, n)
}

func generate(t *testing.T, target string, o gen.Options) string {
	t.Helper()
	out, omitted, err := gen.Generate(target, o)
	if err != nil || len(omitted) > 0 {
		t.Fatalf("gen.Generate(%s): %v %v", target, err, omitted)
	}
	return out
}

func TestNginx(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "nginx")
	for _, p := range serverPolicies() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			port := servertest.FreePort(t)
			servertest.Nginx(t, port, generate(t, "nginx", gen.Options{Policy: p.cfg, Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)}))
			verify(t, "nginx", p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), "/missing", "/fail")
		})
	}
}

func TestCaddy(t *testing.T) {
	t.Parallel()
	bin := servertest.Need(t, "caddy")
	for _, p := range serverPolicies() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			dir, port := t.TempDir(), servertest.FreePort(t)
			conf := generate(t, "caddy", gen.Options{Policy: p.cfg, Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)})
			file := filepath.Join(dir, "Caddyfile")
			os.WriteFile(file, []byte(conf), 0o600)
			env := []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir}
			servertest.Start(t, dir, port, env, bin, "run", "--config", file, "--adapter", "caddyfile")
			verify(t, "caddy", p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), "/missing", "/fail")
		})
	}
}

func TestApache(t *testing.T) {
	t.Parallel()
	bin := servertest.Need(t, "/usr/sbin/apache2")
	for _, p := range serverPolicies() {
		if anyHeader(p.cfg) {
			continue // refused: see TestRefusalsAndBestEffort
		}
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			dir, port := t.TempDir(), servertest.FreePort(t)
			os.Chmod(dir, 0o755)
			conf := generate(t, "apache", gen.Options{Policy: p.cfg, Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)})
			file := filepath.Join(dir, "httpd.conf")
			os.WriteFile(file, []byte(conf), 0o644)
			if out, err := exec.Command(bin, "-d", dir, "-f", file, "-t").CombinedOutput(); err != nil {
				t.Fatalf("apache2 -t: %v\n%s\n%s", err, out, conf)
			}
			servertest.Start(t, dir, port, nil, bin, "-d", dir, "-f", file, "-DFOREGROUND")
			verify(t, "apache", p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), "/missing", "/fail")
		})
	}
}

func TestPHP(t *testing.T) {
	t.Parallel()
	bin := servertest.Need(t, "php")
	for _, p := range serverPolicies() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			dir, port := t.TempDir(), servertest.FreePort(t)
			os.WriteFile(filepath.Join(dir, "app.php"), []byte(generate(t, "php", gen.Options{Policy: p.cfg})), 0o600)
			servertest.Start(t, dir, port, nil, bin, "-S", fmt.Sprintf("127.0.0.1:%d", port), "app.php")
			verify(t, "php", p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), "/missing")
		})
	}
}

func TestFlask(t *testing.T) {
	t.Parallel()
	python := servertest.Flask(t)
	for _, p := range serverPolicies() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			dir, port := t.TempDir(), servertest.FreePort(t)
			os.WriteFile(filepath.Join(dir, "app.py"), []byte(generate(t, "flask", gen.Options{Policy: p.cfg})), 0o600)
			servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, python, "app.py")
			verify(t, "flask", p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), "/missing")
		})
	}
}

func TestExpress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	node := servertest.NPMInstall(t, dir, "express@4", "cors@2")
	for _, p := range serverPolicies() {
		t.Run(p.name, func(t *testing.T) {
			port := servertest.FreePort(t)
			file := filepath.Join(dir, p.name+".js")
			os.WriteFile(file, []byte(generate(t, "express", gen.Options{Policy: p.cfg})), 0o600)
			servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, node, file)
			verify(t, "express", p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), "/missing")
		})
	}
}

func TestGo(t *testing.T) {
	t.Parallel()
	root, _ := filepath.Abs("..")
	for _, p := range serverPolicies() {
		t.Run(p.name, func(t *testing.T) {
			port := servertest.FreePort(t)
			app := servertest.BuildGo(t, root, generate(t, "go", gen.Options{Policy: p.cfg}))
			servertest.Start(t, filepath.Dir(app), port, []string{fmt.Sprintf("PORT=%d", port)}, app)
			verify(t, "go", p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), "/missing")
		})
	}
}

// TestEnvoyAndTraefik: neither server is packaged for this machine, so their
// output is checked to be well-formed YAML whose origin strings and regular
// expressions admit exactly the policy's origins.
func TestEnvoyAndTraefik(t *testing.T) {
	t.Parallel()
	quotedString := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	for _, target := range []string{"envoy", "traefik"} {
		for _, p := range policies {
			if anyHeader(p.cfg) {
				continue // refused: see TestRefusalsAndBestEffort
			}
			out := generate(t, target, gen.Options{Policy: p.cfg, Upstream: "http://127.0.0.1:5000", Listen: "127.0.0.1:8080"})
			var doc map[string]any
			if err := yaml.Unmarshal([]byte(out), &doc); err != nil || len(doc) == 0 {
				t.Errorf("%s %s: not YAML: %v\n%s", target, p.name, err, out)
				continue
			}
			if slices.Contains(p.cfg.AllowOrigins, "*") {
				continue
			}
			var exact []string
			var res []*regexp.Regexp
			for _, m := range quotedString.FindAllStringSubmatch(out, -1) {
				v, err := strconv.Unquote(`"` + m[1] + `"`)
				if err != nil {
					continue
				}
				if strings.HasPrefix(v, "^") && strings.HasSuffix(v, "$") {
					res = append(res, regexp.MustCompile(v))
				} else if strings.Contains(v, "://") {
					exact = append(exact, v)
				}
			}
			for _, o := range reqOrigins {
				got := slices.Contains(exact, o) || slices.ContainsFunc(res, func(r *regexp.Regexp) bool { return r.MatchString(o) })
				if want := allows(p.cfg, browser.Request{Origin: o, Method: "GET"}); got != want {
					t.Errorf("%s %s: origin %s admitted=%v; the policy says %v", target, p.name, o, got, want)
				}
			}
		}
	}
}

func TestRefusalsAndBestEffort(t *testing.T) {
	t.Parallel()
	cfg := cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowHeaders: []string{"*"}, AllowMethods: []string{"*"}, AllowPrivateNetwork: true}
	_, omitted, err := gen.Generate("apache", gen.Options{Policy: cfg, Upstream: "http://127.0.0.1:5000"})
	if err == nil || len(omitted) != 3 || !strings.Contains(err.Error(), "allow_headers: *") || !strings.Contains(err.Error(), "Options.BestEffort") {
		t.Errorf("refusal: got %v %v", err, omitted)
	}
	out, omitted, err := gen.Generate("apache", gen.Options{Policy: cfg, Upstream: "http://127.0.0.1:5000", BestEffort: true})
	if err != nil || len(omitted) != 3 || !strings.Contains(out, "LEFT OUT (best effort): allow_headers: *") {
		t.Errorf("best effort: got %v %v\n%s", err, omitted, out)
	}
	// The targets that can read Access-Control-Request-Headers express *
	// and refuse only the rest.
	for _, target := range []string{"nginx", "caddy", "express", "flask", "php"} {
		_, omitted, err := gen.Generate(target, gen.Options{Policy: cfg, Upstream: "http://127.0.0.1:5000"})
		if err == nil || len(omitted) != 2 || strings.Contains(err.Error(), "allow_headers") {
			t.Errorf("%s: allow_headers: * must be expressed; got %v %v", target, err, omitted)
		}
	}
	if _, _, err := gen.Generate("flask", gen.Options{Policy: cors.Config{AllowOrigins: []string{`re:https://(?i)app\.example\.com`}}}); err == nil || !strings.Contains(err.Error(), "RE2") {
		t.Errorf("non-portable regex: got %v", err)
	}
	if _, _, err := gen.Generate("flask", gen.Options{Policy: cors.Config{AllowOrigins: []string{`re:https://(app|admin)\.example\.com`}}}); err != nil {
		t.Errorf("portable regex: got %v", err)
	}
	if _, _, err := gen.Generate("go", gen.Options{Policy: cfg}); err != nil {
		t.Errorf("go expresses everything: %v", err)
	}
	for _, bad := range []struct {
		target string
		o      gen.Options
		want   string
	}{
		{"no-such-server", gen.Options{Policy: cfg}, `unknown target "no-such-server"`},
		{"nginx", gen.Options{Policy: cors.Config{AllowOrigins: []string{"https://app.example.com"}}}, "set Options.Upstream"},
		{"php", gen.Options{Policy: cors.Config{AllowOrigins: []string{"https://app.example.com/"}}}, "trailing slash"},
	} {
		if _, _, err := gen.Generate(bad.target, bad.o); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("gen.Generate(%s): got %v; want %q", bad.target, err, bad.want)
		}
	}
}

// TestGoQuotesEveryOriginForm: the go target's output parses for every
// origin form the middleware takes, each origin reaching the AllowOrigins
// literal unchanged (re:https://(app|admin)\.example\.com was once written
// as an invalid Go string literal; TestGo builds and runs it).
func TestGoQuotesEveryOriginForm(t *testing.T) {
	t.Parallel()
	forms := [][]string{
		{"https://app.example.com", "http://localhost:3000"},
		{"*"},
		{"https://*.example.com", "http://localhost:*"},
		{`re:https://(app|admin)\.example\.com`},
		{`re:https://[a-z]+\.example\.com(:\d+)?`, "https://app.example.com"},
	}
	for _, origins := range forms {
		out, _, err := gen.Generate("go", gen.Options{Policy: cors.Config{AllowOrigins: origins}})
		if err != nil {
			t.Fatalf("%q: %v", origins, err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), "main.go", out, 0)
		if err != nil {
			t.Fatalf("%q: the output does not parse: %v\n%s", origins, err, out)
		}
		var got []string
		ast.Inspect(f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if id, isID := kv.Key.(*ast.Ident); !isID || id.Name != "AllowOrigins" {
				return true
			}
			for _, e := range kv.Value.(*ast.CompositeLit).Elts {
				s, err := strconv.Unquote(e.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatalf("%q: %v", origins, err)
				}
				got = append(got, s)
			}
			return false
		})
		if !slices.Equal(got, origins) {
			t.Errorf("AllowOrigins in the output: got %q; want %q", got, origins)
		}
	}
}

// TestAnyHeaderInRealEngines proves allow_headers: * in Chromium, Firefox and
// Safari's WebKit: each of nginx, Caddy, Express, Flask and PHP runs the
// generated configuration, and a page in each engine sends requests with a
// custom header (allowed), with Authorization (refused: not listed), with
// both, with and without credentials. Each outcome must equal the policy's
// and the engine's model.
func TestAnyHeaderInRealEngines(t *testing.T) {
	t.Parallel()
	cfg := cors.Config{AllowOrigins: []string{"http://127.0.0.1:*"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"*"}, AllowCredentials: true}
	servers := map[string]string{}
	start := func(target string, run func(port int, conf string)) {
		port := servertest.FreePort(t)
		run(port, generate(t, target, gen.Options{Policy: cfg, Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)}))
		servers[target] = fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	servertest.Need(t, "nginx")
	start("nginx", func(port int, conf string) { servertest.Nginx(t, port, conf) })
	caddy := servertest.Need(t, "caddy")
	start("caddy", func(port int, conf string) {
		dir := t.TempDir()
		file := filepath.Join(dir, "Caddyfile")
		os.WriteFile(file, []byte(conf), 0o600)
		servertest.Start(t, dir, port, []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir}, caddy, "run", "--config", file, "--adapter", "caddyfile")
	})
	php := servertest.Need(t, "php")
	start("php", func(port int, conf string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "app.php"), []byte(conf), 0o600)
		servertest.Start(t, dir, port, nil, php, "-S", fmt.Sprintf("127.0.0.1:%d", port), "app.php")
	})
	python := servertest.Flask(t)
	start("flask", func(port int, conf string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "app.py"), []byte(conf), 0o600)
		servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, python, "app.py")
	})
	nodeDir := t.TempDir()
	node := servertest.NPMInstall(t, nodeDir, "express@4", "cors@2")
	start("express", func(port int, conf string) {
		file := filepath.Join(nodeDir, "app.js")
		os.WriteFile(file, []byte(conf), 0o600)
		servertest.Start(t, nodeDir, port, []string{fmt.Sprintf("PORT=%d", port)}, node, file)
	})

	cases := []struct {
		name    string
		headers map[string]string
		creds   string
	}{
		{"custom header", map[string]string{"X-Custom": "1"}, "omit"},
		{"custom header, credentialed", map[string]string{"X-Custom": "1"}, "include"},
		{"Authorization", map[string]string{"Authorization": "Bearer t"}, "omit"},
		{"custom header and Authorization, credentialed", map[string]string{"X-Custom": "1", "Authorization": "Bearer t"}, "include"},
	}
	targets := slices.Sorted(maps.Keys(servers))
	browsertest.EachEngine(t, func(t *testing.T, e browsertest.Engine) {
		model, _ := browser.EngineNamed(e.Name())
		var reqs []browsertest.Request
		for _, target := range targets {
			for _, c := range cases {
				reqs = append(reqs, browsertest.Request{URL: servers[target] + "/data?" + url.QueryEscape(c.name), Method: "PUT", Headers: c.headers, Credentials: c.creds, Body: "{}"})
			}
		}
		results := e.FetchAll(t, reqs)
		for i, r := range reqs {
			req := browsertest.ModelRequest(e.Origin(), r)
			want := allows(cfg, req)
			v := model.Fetch(req, check.Transport(context.Background(), check.Options{Body: "{}", Timeout: 5 * time.Second}))
			if results[i].OK != want || v.Allowed != want {
				t.Errorf("%s: %s (%s): %s ok=%v %q, its model %v, the policy %v", e.Name(), r.URL, r.Credentials, e.Name(), results[i].OK, results[i].Console, v.Allowed, want)
			}
		}
		t.Logf("%s: %d requests to %v, each equal to the policy and to the model", e.Name(), len(reqs), targets)
	})
}

// TestPartsArePasteSafe holds every target's marked pieces to what pasting
// into an existing app needs: a place named, no marker left, and none of the
// scaffolding an app already has (a second require, an opening <?php, a
// listen or proxy_pass, a package clause).
func TestPartsArePasteSafe(t *testing.T) {
	t.Parallel()
	policy := cors.Config{AllowOrigins: []string{"http://localhost:3000", "https://*.example.com"}, AllowMethods: []string{"PUT", "DELETE"},
		AllowHeaders: []string{"Content-Type", "X-Debug"}, ExposeHeaders: []string{"X-Request-Id"}, AllowCredentials: true, MaxAge: 600}
	forbidden := map[string][]string{
		"express": {"require(", "app.listen", "express()"},
		"flask":   {"import ", "Flask(__name__)", "app.run"},
		"php":     {"<?php", "json_encode"},
		"nginx":   {"listen ", "proxy_pass", "server {"},
		"caddy":   {"admin off", "auto_https", "reverse_proxy 127"},
		"go":      {"package main", "import", "ListenAndServe"},
	}
	for target, bad := range forbidden {
		parts, _, err := gen.Parts(target, gen.Options{Policy: policy})
		if err != nil || len(parts) == 0 {
			t.Errorf("%s: %d parts, error %v", target, len(parts), err)
			continue
		}
		whole, _, _ := gen.Generate(target, gen.Options{Policy: policy, Upstream: "http://127.0.0.1:5000"})
		for _, p := range parts {
			if p.Where == "" || strings.Contains(p.Text, "corskit CORS") || strings.TrimSpace(p.Text) == "" {
				t.Errorf("%s: part %+v: want a place, a text, and no marker", target, p)
			}
			for _, b := range bad {
				if strings.Contains(p.Text, b) {
					t.Errorf("%s: part %q holds %q, which an existing app already has:\n%s", target, p.Where, b, p.Text)
				}
			}
			if first := strings.SplitN(strings.TrimSpace(p.Text), "\n", 2)[0]; !strings.Contains(whole, first) {
				t.Errorf("%s: part %q starts with %q, which the whole output lacks", target, p.Where, first)
			}
		}
	}
	if _, _, err := gen.Parts("nope", gen.Options{Policy: policy}); err == nil {
		t.Error("Parts of an unknown target: no error")
	}
}
