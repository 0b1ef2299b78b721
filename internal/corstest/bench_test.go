package corstest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	rscors "github.com/rs/cors"

	"github.com/corskit/corskit/cors"
)

// benchPolicy is one policy written for both libraries.
type benchPolicy struct {
	name    string
	origins []string
}

func benchPolicies() []benchPolicy {
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("https://app%d.example.com", i)
	}
	return []benchPolicy{
		{"single", []string{"https://app.example.com"}},
		{"origins=1000", many},
		{"subdomains", []string{"https://*.example.com"}},
	}
}

// benchRequests are the scenarios of the table in docs/benchmarks.md. Each names the
// policy it runs under.
var benchRequests = []struct {
	cfg, name, method string
	req               http.Header
}{
	{"single", "non-CORS", "GET", h()},
	{"single", "actual-allowed", "GET", h("Origin", "https://app.example.com")},
	{"single", "actual-disallowed", "GET", h("Origin", "https://evil.test")},
	{"single", "preflight-allowed", "OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type")},
	{"single", "preflight-disallowed", "OPTIONS", h("Origin", "https://evil.test", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type")},
	{"single", "preflight-1MiB-request-headers", "OPTIONS", h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", strings.Repeat("a", 1<<20))},
	{"origins=1000", "actual-allowed", "GET", h("Origin", "https://app999.example.com")},
	{"origins=1000", "preflight-allowed", "OPTIONS", h("Origin", "https://app999.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type")},
	{"subdomains", "actual-allowed", "GET", h("Origin", "https://app.eu.example.com")},
	{"subdomains", "preflight-allowed", "OPTIONS", h("Origin", "https://app.eu.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type")},
}

// BenchmarkMiddleware measures corskit's middleware beside rs/cors v1.11.1 on
// the same policies, requests and handler. Compare with benchstat:
//
//	go test ./cors -run '^$' -bench Middleware -count 10 > bench.txt
//	benchstat -col /lib bench.txt
func BenchmarkMiddleware(b *testing.B) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, pol := range benchPolicies() {
		ours, err := cors.New(cors.Config{
			AllowOrigins: pol.origins, AllowMethods: []string{"GET", "POST", "PUT", "DELETE"},
			AllowHeaders: []string{"Content-Type", "Authorization"}, ExposeHeaders: []string{"X-Request-Id"},
			AllowCredentials: true, MaxAge: 600,
		})
		if err != nil {
			b.Fatal(err)
		}
		theirs := rscors.New(rscors.Options{
			AllowedOrigins: pol.origins, AllowedMethods: []string{"GET", "POST", "PUT", "DELETE"},
			AllowedHeaders: []string{"Content-Type", "Authorization"}, ExposedHeaders: []string{"X-Request-Id"},
			AllowCredentials: true, MaxAge: 600,
		})
		libs := []struct {
			name string
			h    http.Handler
		}{{"corskit", ours.Handler(handler)}, {"rs-cors", theirs.Handler(handler)}}
		for _, rq := range benchRequests {
			if rq.cfg != pol.name {
				continue
			}
			for _, lib := range libs {
				b.Run(fmt.Sprintf("cfg=%s/req=%s/lib=%s", pol.name, rq.name, lib.name), func(b *testing.B) {
					r := httptest.NewRequest(rq.method, "http://api.example.com/data", nil)
					r.Header = rq.req
					w := newDiscardWriter()
					b.ReportAllocs()
					for b.Loop() {
						w.reset()
						lib.h.ServeHTTP(w, r)
					}
				})
			}
		}
	}
}
