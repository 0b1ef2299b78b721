package proxy

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkGateway measures the gateway in process, its upstream on loopback.
// bench/run.sh measures it over the network beside nginx.
func BenchmarkGateway(b *testing.B) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"message": "Hello from API!"}`))
	})
	up := httptest.NewServer(handler)
	defer up.Close()
	tlsUp := httptest.NewUnstartedServer(handler)
	tlsUp.TLS = &tls.Config{Certificates: []tls.Certificate{testCertificate}}
	tlsUp.StartTLS()
	defer tlsUp.Close()
	gateways := map[string]*Gateway{}
	for _, gc := range []struct {
		name, url string
		std       bool
	}{{"", up.URL, false}, {"std-transport", up.URL, true}, {"https-upstream", tlsUp.URL, false}} {
		u, _ := url.Parse(gc.url)
		g, err := New(Config{Upstream: u, Policy: credentialed, StandardTransport: gc.std})
		if err != nil {
			b.Fatal(err)
		}
		gateways[gc.name] = g
	}
	const payload = `{"name": "corskit", "items": [1, 2, 3], "note": "a small JSON body"}`
	for _, bc := range []struct {
		name, method, body string
		hdr                []string
	}{
		{"req=preflight", "OPTIONS", "", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"}},
		{"req=get", "GET", "", []string{"Origin", app}},
		{"req=put", "PUT", "", []string{"Origin", app, "Content-Type", "application/json"}},
		{"req=post", "POST", payload, []string{"Origin", app, "Content-Type", "application/json"}},
		// StandardTransport: net/http's Transport, a connection per request.
		{"req=get/std-transport", "GET", "", []string{"Origin", app}},
		{"req=post/std-transport", "POST", payload, []string{"Origin", app, "Content-Type", "application/json"}},
		{"req=get/https-upstream", "GET", "", []string{"Origin", app}},
		{"req=post/https-upstream", "POST", payload, []string{"Origin", app, "Content-Type", "application/json"}},
	} {
		_, variant, _ := strings.Cut(bc.name, "/")
		g := gateways[variant]
		b.Run(bc.name, func(b *testing.B) {
			body := strings.NewReader(bc.body)
			r := httptest.NewRequest(bc.method, "http://gw.test/data", body)
			for i := 0; i < len(bc.hdr); i += 2 {
				r.Header.Set(bc.hdr[i], bc.hdr[i+1])
			}
			b.ReportAllocs()
			for b.Loop() {
				body.Reset(bc.body)
				w := httptest.NewRecorder()
				g.ServeHTTP(w, r)
				if w.Code >= 300 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
