package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/hooks"
)

// BenchmarkGatewayPath is the gateway's CORS work per request: Decide, then
// Apply, against a handler that does nothing. Before hooks it was Classify
// and then the middleware's Handler, which decided a second time.
func BenchmarkGatewayPath(b *testing.B) {
	m, _ := cors.New(cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}, AllowCredentials: true, MaxAge: 600})
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	p := hooks.Of(m)
	for _, bc := range []struct {
		name, method string
		hdr          []string
	}{
		{"req=preflight", "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"}},
		{"req=get", "GET", []string{"Origin", "https://app.example.com"}},
		{"req=get-denied", "GET", []string{"Origin", "https://evil.test"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(bc.method, "http://api.example.com/data", nil)
			for i := 0; i < len(bc.hdr); i += 2 {
				r.Header.Set(bc.hdr[i], bc.hdr[i+1])
			}
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				clear(w.Header())
				d := p.Decide(r)
				p.Apply(w, r, next, &d)
			}
		})
	}
}
