package gen_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

// pythonStacks are the Python stacks of the registry, with the Debian
// packages and modules their generated app needs.
var pythonStacks = []struct {
	target, packages string
	modules          []string
	errorPaths       []string
}{
	{"django", "python3-django and python3-django-cors-headers", []string{"django", "corsheaders"}, []string{"/missing"}},
	{"fastapi", "python3-fastapi and python3-uvicorn", []string{"fastapi", "uvicorn"}, []string{"/missing"}},
	// aiohttp-cors covers only the routes given to cors.add: a 404 has no
	// CORS headers (the target's Supports says so).
	{"aiohttp", "python3-aiohttp-cors", []string{"aiohttp", "aiohttp_cors"}, nil},
}

// startPython runs a generated Python app until the test ends and returns
// its base URL.
func startPython(t *testing.T, python, src string) string {
	t.Helper()
	dir, port := t.TempDir(), servertest.FreePort(t)
	os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o600)
	servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, python, "app.py")
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// TestDjangoFastAPIAiohttp runs each Python stack's generated app, for
// every policy the target expresses, on its real server: every verdict of
// the request matrix (the three engines' models) must equal the policy's
// and corskit proxy's. The policies a target refuses are checked refused.
func TestDjangoFastAPIAiohttp(t *testing.T) {
	t.Parallel()
	for _, st := range pythonStacks {
		t.Run(st.target, func(t *testing.T) {
			t.Parallel()
			python := servertest.Python(t, st.packages, st.modules...)
			proved := 0
			for _, p := range policies {
				out, omitted, err := gen.Generate(st.target, gen.Options{Policy: p.cfg})
				if err != nil || len(omitted) > 0 {
					if err == nil {
						t.Errorf("%s %s: omissions %v without an error", st.target, p.name, omitted)
					}
					continue // refused, and says why
				}
				if proved == 3 && !slow() {
					break // go test: the first three it expresses; CORSKIT_SLOW=1: all
				}
				t.Run(p.name, func(t *testing.T) {
					verify(t, st.target, p.cfg, startPython(t, python, out), st.errorPaths...)
				})
				proved++
			}
			if proved < 2 {
				t.Errorf("%s: only %d policies expressed", st.target, proved)
			}
		})
	}
}

// TestDjangoFastAPIAiohttpInRealEngines runs each Python stack's generated
// app with a policy naming the three engines' page origins, PUT, and the
// headers Content-Type and X-Custom, without credentials; a page in
// Chromium, Firefox and WebKit sends requests the policy allows (GET, PUT
// with the listed headers) and refuses (DELETE, Authorization,
// credentials). Each outcome must equal the policy's and the engine's
// model. The browsers are started once and shared by the three stacks.
func TestDjangoFastAPIAiohttpInRealEngines(t *testing.T) {
	t.Parallel()
	engines := map[string]browsertest.Engine{}
	var origins []string
	for _, name := range browsertest.Names {
		engines[name] = browsertest.StartEngine(t, name)
		origins = append(origins, engines[name].Origin())
	}
	cfg := cors.Config{AllowOrigins: origins, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type", "X-Custom"}, ExposeHeaders: []string{"X-Request-Id"}}
	servers := map[string]string{}
	for _, st := range pythonStacks {
		python := servertest.Python(t, st.packages, st.modules...)
		servers[st.target] = startPython(t, python, generate(t, st.target, gen.Options{Policy: cfg}))
	}
	cases := []struct {
		name, method string
		headers      map[string]string
		creds        string
	}{
		{"GET", "GET", nil, "omit"},
		{"PUT JSON", "PUT", map[string]string{"Content-Type": "application/json"}, "omit"},
		{"PUT custom header", "PUT", map[string]string{"X-Custom": "1", "Content-Type": "application/json"}, "omit"},
		{"DELETE", "DELETE", nil, "omit"},
		{"Authorization", "PUT", map[string]string{"Authorization": "Bearer t"}, "omit"},
		{"credentialed", "GET", nil, "include"},
	}
	for _, name := range browsertest.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := engines[name]
			model, _ := browser.EngineNamed(e.Name())
			var reqs []browsertest.Request
			for _, st := range pythonStacks {
				for _, c := range cases {
					reqs = append(reqs, browsertest.Request{URL: servers[st.target] + "/data?" + url.QueryEscape(c.name), Method: c.method, Headers: c.headers, Credentials: c.creds})
				}
			}
			results := e.FetchAll(t, reqs)
			allowed := 0
			for i, r := range reqs {
				req := browsertest.ModelRequest(e.Origin(), r)
				want := allows(cfg, req)
				v := model.Fetch(req, check.Transport(context.Background(), check.Options{Timeout: 5 * time.Second}))
				if results[i].OK != want || v.Allowed != want {
					t.Errorf("%s: %s %s (%s): ok=%v %q, its model %v, the policy %v", e.Name(), r.Method, r.URL, r.Credentials, results[i].OK, results[i].Console, v.Allowed, want)
				}
				if want {
					allowed++
				}
			}
			if allowed == 0 || allowed == len(reqs) {
				t.Errorf("%s: %d of %d allowed: the cases must mix allowed and refused", e.Name(), allowed, len(reqs))
			}
		})
	}
}

// TestHostileValuesOnPythonStacks: the hostile policy's values (quotes,
// interpolations, comment ends) written by django, fastapi and aiohttp
// reach their real servers as the same bytes, and run nothing.
func TestHostileValuesOnPythonStacks(t *testing.T) {
	t.Parallel()
	for _, st := range pythonStacks {
		t.Run(st.target, func(t *testing.T) {
			t.Parallel()
			python := servertest.Python(t, st.packages, st.modules...)
			dir, port := t.TempDir(), servertest.FreePort(t)
			os.WriteFile(filepath.Join(dir, "app.py"), []byte(hostileGenerate(t, st.target, gen.Options{})), 0o600)
			servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, python, "app.py")
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			switch st.target {
			case "fastapi": // Starlette always allows these three besides the list
				roundTripFrom(t, base, dir, false, false, "https://x.example.com", []string{"Accept", "Accept-Language", "Content-Language"})
			case "aiohttp": // no origin patterns; it answers the method and headers asked for
				roundTripFrom(t, base, dir, true, true, "https://app.example.com", nil)
			default:
				roundTrip(t, base, dir, false)
			}
		})
	}
}
