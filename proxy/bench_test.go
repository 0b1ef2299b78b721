package proxy

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkGateway measures the gateway in process, its upstream on loopback.
// bench/run.sh measures it over the network beside nginx.
func BenchmarkGateway(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"message": "Hello from API!"}`))
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	g, err := New(Config{Upstream: u, Policy: credentialed})
	if err != nil {
		b.Fatal(err)
	}
	std, err := New(Config{Upstream: u, Policy: credentialed, StandardTransport: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name, method string
		hdr          []string
	}{
		{"req=preflight", "OPTIONS", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"}},
		{"req=get", "GET", []string{"Origin", app}},
		// A PUT goes to the upstream through net/http's Transport.
		{"req=put", "PUT", []string{"Origin", app, "Content-Type", "application/json"}},
		// StandardTransport: net/http's Transport, a connection per request.
		{"req=get/std-transport", "GET", []string{"Origin", app}},
	} {
		g := g
		if strings.HasSuffix(bc.name, "std-transport") {
			g = std
		}
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(bc.method, "http://gw.test/data", nil)
			for i := 0; i < len(bc.hdr); i += 2 {
				r.Header.Set(bc.hdr[i], bc.hdr[i+1])
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				g.ServeHTTP(w, r)
				if w.Code >= 300 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
