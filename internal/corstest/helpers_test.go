package corstest

import (
	"net/http"
	"testing"

	"github.com/corskit/corskit/cors"
)

// credentialed is the policy most tests run under, as in the cors module's
// own tests.
var credentialed = cors.Config{
	AllowOrigins:     []string{"https://app.example.com", "https://*.example.org", "http://localhost:*"},
	AllowMethods:     []string{"GET", "POST", "PUT", "DELETE", "PATCH"},
	AllowHeaders:     []string{"Content-Type", "Authorization"},
	ExposeHeaders:    []string{"X-Request-Id"},
	AllowCredentials: true,
	MaxAge:           600,
}

// h builds a header map from name/value pairs.
func h(kv ...string) http.Header {
	out := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		out.Add(kv[i], kv[i+1])
	}
	return out
}

func mustNew(t testing.TB, cfg cors.Config) *cors.Middleware {
	t.Helper()
	m, err := cors.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return m
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
