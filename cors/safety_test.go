package cors_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/corskit/cors"
)

func serve(t testing.TB, hd http.Handler, method string, req http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://api.example.com/data", nil)
	r.Header = req.Clone()
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, r)
	return rec
}

func TestVaryIsAppendedNeverOverwritten(t *testing.T) {
	t.Parallel()
	m := mustNew(t, credentialed)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Language")
	})
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", "Accept-Encoding")
			next.ServeHTTP(w, r)
		})
	}
	for _, tc := range []struct {
		desc, method string
		req          http.Header
		want         []string
	}{
		{"non-CORS", "GET", h(), []string{"Accept-Encoding", "Origin", "Accept-Language"}},
		{"allowed", "GET", h("Origin", "https://app.example.com"), []string{"Accept-Encoding", "Origin", "Accept-Language"}},
		{"preflight", "OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT"), []string{"Accept-Encoding", varyPreflight}},
	} {
		rec := serve(t, outer(m.Handler(inner)), tc.method, tc.req)
		if got := rec.Header()["Vary"]; strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: got Vary %q; want %q", tc.desc, got, tc.want)
		}
	}
}

// TestNoSharedSlices proves that no slice written into one response's header
// map is shared with another response or with a neighbouring header: a handler
// that edits its values in place or appends to them changes nothing else.
func TestNoSharedSlices(t *testing.T) {
	t.Parallel()
	for _, tc := range middlewareTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			m := mustNew(t, tc.cfg)
			vandal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range w.Header() {
					if cap(v) != len(v) {
						t.Errorf("%s: slice of %s has spare capacity: an append would write into another header", tc.desc, k)
					}
					for i := range v {
						v[i] = "vandalised"
					}
				}
			})
			hd := m.Handler(vandal)
			first := serve(t, hd, tc.method, tc.req)
			for _, v := range first.Header() {
				for i := range v {
					v[i] = "vandalised"
				}
				_ = append(v, "appended")
			}
			second := serve(t, m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})), tc.method, tc.req)
			if got := corsHeaders(second.Header()); !equalHeaders(got, tc.want) {
				t.Errorf("after vandalising an earlier response: got %v; want %v", got, tc.want)
			}
		})
	}
}

func TestReconfigure(t *testing.T) {
	t.Parallel()
	m := mustNew(t, cors.Config{AllowOrigins: []string{"https://old.example.com"}})
	hd := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	allowed := func(o string) bool {
		return serve(t, hd, "GET", h("Origin", o)).Header().Get("Access-Control-Allow-Origin") == o
	}
	if !allowed("https://old.example.com") || allowed("https://new.example.com") {
		t.Fatal("before Reconfigure: want old allowed, new refused")
	}
	if err := m.Reconfigure(cors.Config{AllowOrigins: []string{"https://new.example.com"}}); err != nil {
		t.Fatalf("Reconfigure(valid): %v", err)
	}
	if allowed("https://old.example.com") || !allowed("https://new.example.com") {
		t.Fatal("after Reconfigure: want new allowed, old refused")
	}
	if err := m.Reconfigure(cors.Config{AllowOrigins: []string{"https://bad.example.com/"}}); err == nil {
		t.Fatal("Reconfigure(invalid): got no error")
	}
	if !allowed("https://new.example.com") || m.Config().AllowOrigins[0] != "https://new.example.com" {
		t.Fatal("after a failed Reconfigure: want the previous policy in force")
	}
}

func TestReconfigureWhileServing(t *testing.T) {
	t.Parallel()
	a := cors.Config{AllowOrigins: []string{"https://a.example.com"}}
	b := cors.Config{AllowOrigins: []string{"https://b.example.com"}}
	m := mustNew(t, a)
	hd := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if g == 0 {
					cfg := a
					if i%2 == 0 {
						cfg = b
					}
					if err := m.Reconfigure(cfg); err != nil {
						t.Error(err)
					}
					continue
				}
				got := serve(t, hd, "GET", h("Origin", "https://a.example.com")).Header().Get("Access-Control-Allow-Origin")
				if got != "" && got != "https://a.example.com" {
					t.Errorf("got Access-Control-Allow-Origin %q mid-reconfiguration", got)
				}
			}
		})
	}
	wg.Wait()
}

func TestConfigIsACopy(t *testing.T) {
	t.Parallel()
	in := cors.Config{AllowOrigins: []string{"https://a.example.com"}, AllowMethods: []string{"PUT"}}
	m := mustNew(t, in)
	in.AllowOrigins[0] = "https://changed.example.com"
	out := m.Config()
	if out.AllowOrigins[0] != "https://a.example.com" {
		t.Fatalf("Config(): got %q after the caller changed its slice; want the original", out.AllowOrigins[0])
	}
	out.AllowMethods[0] = "DELETE"
	if m.Config().AllowMethods[0] != "PUT" {
		t.Fatal("Config(): changing the returned slice changed the middleware's policy")
	}
}

func TestLoggerNamesWhatWasRefused(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	cfg := credentialed
	cfg.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := mustNew(t, cfg)
	hd := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range []struct {
		method string
		req    http.Header
		want   []string
	}{
		{"GET", h("Origin", "https://evil.test"), []string{"origin not allowed", "https://evil.test"}},
		{"OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "patch"), []string{"method not allowed", "the policy lists PATCH, the page sent patch"}},
		{"OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-debug"), []string{"request header not allowed", "refused=x-debug"}},
	} {
		buf.Reset()
		serve(t, hd, tc.method, tc.req)
		for _, w := range tc.want {
			if !strings.Contains(buf.String(), w) || !strings.Contains(buf.String(), "level=DEBUG") {
				t.Errorf("%s %v: got log %q; want a debug record containing %q", tc.method, tc.req, buf.String(), w)
			}
		}
	}
	buf.Reset()
	serve(t, hd, "GET", h("Origin", "https://app.example.com"))
	if buf.Len() != 0 {
		t.Errorf("allowed request: got log %q; want nothing", buf.String())
	}
}

// TestAllocations holds the hot path to one allocation per response (the array
// that backs the header values it writes), and to none where nothing is written.
func TestAllocations(t *testing.T) {
	huge := strings.Repeat("a", 1<<20)
	for _, tc := range []struct {
		desc   string
		cfg    cors.Config
		method string
		req    http.Header
		want   float64
	}{
		{"non-CORS, public", public, "GET", h(), 0},
		{"non-CORS", credentialed, "GET", h(), 1},
		{"actual allowed", credentialed, "GET", h("Origin", "https://app.example.com"), 1},
		{"actual disallowed", credentialed, "GET", h("Origin", "https://evil.test"), 1},
		{"actual subdomain", credentialed, "GET", h("Origin", "https://a.b.example.org"), 1},
		{"preflight allowed", credentialed, "OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type"), 1},
		{"preflight disallowed", credentialed, "OPTIONS", h("Origin", "https://evil.test", "Access-Control-Request-Method", "PUT"), 1},
		{"preflight 1 MiB request headers", credentialed, "OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", huge), 1},
		{"preflight wildcard with credentials", wildCredentialed, "OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-a,x-b"), 1},
	} {
		m := mustNew(t, tc.cfg)
		hd := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		r := httptest.NewRequest(tc.method, "http://api.example.com/data", nil)
		r.Header = tc.req
		w := newDiscardWriter()
		got := testing.AllocsPerRun(100, func() {
			w.reset()
			hd.ServeHTTP(w, r)
		})
		if got != tc.want {
			t.Errorf("%s: got %v allocations per request; want %v", tc.desc, got, tc.want)
		}
	}
}

// discardWriter is a ResponseWriter whose header map is reused, as a server
// would reuse its own, so that only the middleware's allocations are counted.
type discardWriter struct {
	header http.Header
	status int
}

func newDiscardWriter() *discardWriter { return &discardWriter{header: make(http.Header)} }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) reset()                      { clear(w.header); w.status = 0 }
