package hooks_test

import (
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/corskit/corskit/cors"
)

// The pools random policies and requests are drawn from.
var (
	propOrigins = []string{"https://app.example.com", "https://a.b.example.com", "https://example.com", "http://localhost:3000",
		"http://localhost:5173", "https://evil.test", "https://app.example.com.evil.test", "http://app.example.com", "null"}
	propPatterns   = []string{"https://app.example.com", "https://*.example.com", "http://localhost:*", "http://localhost:3000", "*", "https://evil.test"}
	propMethods    = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "patch", "PURGE", "OPTIONS", "*"}
	propHeaders    = []string{"Content-Type", "Authorization", "X-Custom", "X-Requested-With", "*"}
	propReqMethods = []string{"GET", "POST", "PUT", "delete", "PATCH", "patch", "PURGE", "OPTIONS", "HEAD"}
)

func subset[T any](r *rand.Rand, pool []T, max int) []T {
	var out []T
	for _, i := range r.Perm(len(pool))[:r.IntN(max+1)] {
		out = append(out, pool[i])
	}
	return out
}

var credentialed = cors.Config{
	AllowOrigins:     []string{"https://app.example.com", "https://*.example.org", "http://localhost:*"},
	AllowMethods:     []string{"GET", "POST", "PUT", "DELETE", "PATCH"},
	AllowHeaders:     []string{"Content-Type", "Authorization"},
	ExposeHeaders:    []string{"X-Request-Id"},
	AllowCredentials: true,
	MaxAge:           600,
}

func mustNew(t testing.TB, cfg cors.Config) *cors.Middleware {
	t.Helper()
	m, err := cors.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return m
}

// randomConfig draws a policy, often an invalid one.
func randomConfig(r *rand.Rand) cors.Config {
	cfg := cors.Config{
		AllowOrigins:         subset(r, propPatterns, 3),
		AllowMethods:         subset(r, propMethods, 3),
		AllowHeaders:         subset(r, propHeaders, 3),
		ExposeHeaders:        subset(r, []string{"X-Request-Id", "X-Total"}, 2),
		AllowCredentials:     r.IntN(2) == 0,
		AllowPrivateNetwork:  r.IntN(4) == 0,
		PreflightPassthrough: r.IntN(8) == 0,
		MaxAge:               r.IntN(3) * 300,
	}
	if r.IntN(4) == 0 {
		cfg.PreflightStatus = http.StatusOK
	}
	return cfg
}
