package cors_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
)

var (
	credentialed = cors.Config{
		AllowOrigins:     []string{"https://app.example.com", "https://*.example.org", "http://localhost:*"},
		AllowMethods:     []string{"GET", "POST", "PUT", "DELETE", "PATCH"},
		AllowHeaders:     []string{"Content-Type", "Authorization"},
		ExposeHeaders:    []string{"X-Request-Id"},
		AllowCredentials: true,
		MaxAge:           600,
	}
	public = cors.Config{
		AllowOrigins:  []string{"*"},
		AllowMethods:  []string{"PUT"},
		AllowHeaders:  []string{"*"},
		ExposeHeaders: []string{"X-Total"},
	}
	wildCredentialed = cors.Config{
		AllowOrigins:     []string{"https://app.example.com"},
		AllowMethods:     []string{"*"},
		AllowHeaders:     []string{"*"},
		AllowCredentials: true,
	}
)

const varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

// h builds a header map from name/value pairs.
func h(kv ...string) http.Header {
	out := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		out.Add(kv[i], kv[i+1])
	}
	return out
}

var middlewareTests = []struct {
	desc       string
	cfg        cors.Config
	method     string
	req        http.Header
	wantStatus int
	wantNext   bool
	want       http.Header // every Access-Control-* and Vary header of the answer
}{
	{desc: "non-CORS request", cfg: credentialed, method: "GET", req: h(),
		wantStatus: 200, wantNext: true, want: h("Vary", "Origin")},
	{desc: "non-CORS request, public policy needs no Vary", cfg: public, method: "GET", req: h(),
		wantStatus: 200, wantNext: true, want: h()},
	{desc: "actual from allowed origin", cfg: credentialed, method: "GET", req: h("Origin", "https://app.example.com"),
		wantStatus: 200, wantNext: true, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Expose-Headers", "X-Request-Id", "Vary", "Origin")},
	{desc: "actual from subdomain", cfg: credentialed, method: "POST", req: h("Origin", "https://a.b.example.org"),
		wantStatus: 200, wantNext: true, want: h("Access-Control-Allow-Origin", "https://a.b.example.org", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Expose-Headers", "X-Request-Id", "Vary", "Origin")},
	{desc: "actual from disallowed origin still runs the handler", cfg: credentialed, method: "DELETE", req: h("Origin", "https://evil.test"),
		wantStatus: 200, wantNext: true, want: h("Vary", "Origin")},
	{desc: "actual from apex of subdomain pattern", cfg: credentialed, method: "GET", req: h("Origin", "https://example.org"),
		wantStatus: 200, wantNext: true, want: h("Vary", "Origin")},
	{desc: "actual with two Origin lines", cfg: credentialed, method: "GET", req: h("Origin", "https://app.example.com", "Origin", "https://app.example.com"),
		wantStatus: 200, wantNext: true, want: h("Vary", "Origin")},
	{desc: "actual, public policy", cfg: public, method: "GET", req: h("Origin", "https://anyone.test"),
		wantStatus: 200, wantNext: true, want: h("Access-Control-Allow-Origin", "*", "Access-Control-Expose-Headers", "X-Total")},
	{desc: "exposed headers listed twice in different case are sent once", cfg: cors.Config{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"X-Total", "X-Page", "x-total"}},
		method: "GET", req: h("Origin", "https://anyone.test"),
		wantStatus: 200, wantNext: true, want: h("Access-Control-Allow-Origin", "*", "Access-Control-Expose-Headers", "X-Total, X-Page")},
	{desc: "OPTIONS without request method is not a preflight", cfg: credentialed, method: "OPTIONS", req: h("Origin", "https://app.example.com"),
		wantStatus: 200, wantNext: true, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Expose-Headers", "X-Request-Id", "Vary", "Origin")},

	{desc: "preflight allowed", cfg: credentialed, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH", "Access-Control-Allow-Headers", "Content-Type, Authorization",
			"Access-Control-Max-Age", "600", "Vary", varyPreflight)},
	{desc: "preflight with port pattern", cfg: credentialed, method: "OPTIONS",
		req:        h("Origin", "http://localhost:5173", "Access-Control-Request-Method", "PATCH"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "http://localhost:5173", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH", "Access-Control-Allow-Headers", "Content-Type, Authorization",
			"Access-Control-Max-Age", "600", "Vary", varyPreflight)},
	{desc: "preflight headers in any case, order and lines", cfg: credentialed, method: "OPTIONS",
		req: h("Origin", "https://app.example.com", "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "Content-Type ,", "Access-Control-Request-Headers", " AUTHORIZATION"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH", "Access-Control-Allow-Headers", "Content-Type, Authorization",
			"Access-Control-Max-Age", "600", "Vary", varyPreflight)},
	{desc: "preflight from disallowed origin", cfg: credentialed, method: "OPTIONS",
		req:        h("Origin", "https://evil.test", "Access-Control-Request-Method", "PUT"),
		wantStatus: 403, want: h("Vary", varyPreflight)},
	{desc: "preflight method not allowed names the method", cfg: credentialed, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PURGE"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH", "Vary", varyPreflight)},
	{desc: "preflight method is case-sensitive", cfg: credentialed, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "patch"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH", "Vary", varyPreflight)},
	{desc: "preflight header not allowed names the header", cfg: credentialed, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type,x-debug"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH", "Access-Control-Allow-Headers", "Content-Type, Authorization", "Vary", varyPreflight)},
	{desc: "preflight safelisted method needs no listing", cfg: public, method: "OPTIONS",
		req:        h("Origin", "https://anyone.test", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-anything"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "*", "Vary", varyPreflight)},
	{desc: "preflight wildcard headers never cover authorization", cfg: public, method: "OPTIONS",
		req:        h("Origin", "https://anyone.test", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,x-anything"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "x-anything", "Vary", varyPreflight)},
	{desc: "preflight wildcard headers with authorization alone", cfg: public, method: "OPTIONS",
		req:        h("Origin", "https://anyone.test", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT", "Vary", varyPreflight)},
	{desc: "preflight wildcard with credentials echoes method and headers", cfg: wildCredentialed, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PURGE", "Access-Control-Request-Headers", "x-a,x-b"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "PURGE", "Access-Control-Allow-Headers", "x-a,x-b", "Vary", varyPreflight)},
	{desc: "preflight wildcard with credentials refuses unlisted authorization", cfg: wildCredentialed, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization,x-a"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET", "Access-Control-Allow-Headers", "x-a", "Vary", varyPreflight)},
	{desc: "preflight over the header limit", cfg: credentialed, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", strings.Repeat("content-type,", 1000)),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Credentials", "true",
			"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH", "Access-Control-Allow-Headers", "Content-Type, Authorization", "Vary", varyPreflight)},
	{desc: "preflight private network allowed", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowPrivateNetwork: true}, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "GET", "Access-Control-Request-Private-Network", "true"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Allow-Private-Network", "true",
			"Vary", varyPreflight+", Access-Control-Request-Private-Network")},
	{desc: "preflight private network not allowed", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com"}}, method: "OPTIONS",
		req:        h("Origin", "https://app.example.com", "Access-Control-Request-Method", "GET", "Access-Control-Request-Private-Network", "true"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "https://app.example.com", "Vary", varyPreflight)},
	{desc: "preflight status 200", cfg: cors.Config{AllowOrigins: []string{"*"}, PreflightStatus: 200, MaxAge: -1}, method: "OPTIONS",
		req:        h("Origin", "https://a.test", "Access-Control-Request-Method", "GET"),
		wantStatus: 200, want: h("Access-Control-Allow-Origin", "*", "Access-Control-Max-Age", "0", "Vary", varyPreflight)},
	{desc: "preflight passthrough", cfg: cors.Config{AllowOrigins: []string{"*"}, PreflightPassthrough: true}, method: "OPTIONS",
		req:        h("Origin", "https://a.test", "Access-Control-Request-Method", "GET"),
		wantStatus: 200, wantNext: true, want: h("Access-Control-Allow-Origin", "*", "Vary", varyPreflight)},
	{desc: "preflight null origin opt-in", cfg: cors.Config{AllowOrigins: []string{"null"}, DangerouslyAllowNullOrigin: true}, method: "OPTIONS",
		req:        h("Origin", "null", "Access-Control-Request-Method", "GET"),
		wantStatus: 204, want: h("Access-Control-Allow-Origin", "null", "Vary", varyPreflight)},
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	for _, tc := range middlewareTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			m := mustNew(t, tc.cfg)
			called := false
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true })
			req := httptest.NewRequest(tc.method, "http://api.example.com/data", nil)
			req.Header = tc.req.Clone()
			rec := httptest.NewRecorder()
			m.Handler(next).ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Errorf("%s %v: got status %d; want %d", tc.method, tc.req, rec.Code, tc.wantStatus)
			}
			if called != tc.wantNext {
				t.Errorf("%s %v: next handler called = %v; want %v", tc.method, tc.req, called, tc.wantNext)
			}
			if got := corsHeaders(rec.Header()); !equalHeaders(got, tc.want) {
				t.Errorf("%s %v:\n got  %v\n want %v", tc.method, tc.req, got, tc.want)
			}
		})
	}
}

// corsHeaders keeps the Access-Control-* and Vary headers of h.
func corsHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") || k == "Vary" {
			out[k] = v
		}
	}
	return out
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func mustNew(t testing.TB, cfg cors.Config) *cors.Middleware {
	t.Helper()
	m, err := cors.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return m
}

// TestZeroMiddleware: the zero Middleware is a pass-through (no CORS header,
// preflights reach the handler), safe in every method, until Reconfigure
// gives it a policy.
func TestZeroMiddleware(t *testing.T) {
	var m cors.Middleware
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Next", r.Method) })
	for _, method := range []string{"GET", "OPTIONS"} {
		r := httptest.NewRequest(method, "/", nil)
		r.Header.Set("Origin", "https://app.example.com")
		r.Header.Set("Access-Control-Request-Method", "PUT")
		w := httptest.NewRecorder()
		m.Handler(next).ServeHTTP(w, r)
		if w.Header().Get("X-Next") != method || len(w.Header()) != 1 {
			t.Errorf("%s through the zero Middleware: headers %v; want the handler's alone", method, w.Header())
		}
	}
	if c := m.Config(); c.AllowOrigins != nil || c.AllowCredentials {
		t.Errorf("Config() = %+v; want the zero Config", c)
	}
	if err := m.Reconfigure(cors.Config{AllowOrigins: []string{"https://app.example.com"}}); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "https://app.example.com")
	w := httptest.NewRecorder()
	m.Handler(next).ServeHTTP(w, r)
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("after Reconfigure: Access-Control-Allow-Origin %q; want the origin: the policy is not in force", got)
	}
}
