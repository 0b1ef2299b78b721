package corstest

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/headers"
)

var (
	propOrigins = []string{"https://app.example.com", "https://a.b.example.com", "https://example.com", "http://localhost:3000",
		"http://localhost:5173", "https://evil.test", "https://app.example.com.evil.test", "http://app.example.com", "null"}
	propPatterns = []string{"https://app.example.com", "https://*.example.com", "http://localhost:*", "http://localhost:3000", "*", "https://evil.test"}
	propMethods  = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "patch", "PURGE", "OPTIONS", "*"}
	propHeaders  = []string{"Content-Type", "Authorization", "X-Custom", "X-Requested-With", "*"}
	propReqHdrs  = []browser.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Content-Type", Value: "text/plain"},
		{Name: "Authorization", Value: "Bearer x"}, {Name: "X-Custom", Value: "1"}, {Name: "X-Requested-With", Value: "XMLHttpRequest"},
		{Name: "Accept-Language", Value: "en-US"}}
	propReqMethods = []string{"GET", "POST", "PUT", "delete", "PATCH", "patch", "PURGE", "OPTIONS", "HEAD"}
)

func subset[T any](r *rand.Rand, pool []T, max int) []T {
	var out []T
	for _, i := range r.Perm(len(pool))[:r.IntN(max+1)] {
		out = append(out, pool[i])
	}
	return out
}

// TestMiddlewarePassesBrowserModel is the project's oracle property: for random
// policies and random requests, the browser model lets the page read the
// middleware's answer exactly when the policy allows the request, and the
// page can read exactly the safelisted and exposed headers.
func TestMiddlewarePassesBrowserModel(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	checked, allowedCount := 0, 0
	for i := 0; checked < 4000 && i < 40000; i++ {
		cfg := cors.Config{
			AllowOrigins:     subset(r, propPatterns, 3),
			AllowMethods:     subset(r, propMethods, 3),
			AllowHeaders:     subset(r, propHeaders, 3),
			ExposeHeaders:    subset(r, []string{"X-Request-Id", "X-Secret"}, 2),
			AllowCredentials: r.IntN(2) == 0,
			MaxAge:           r.IntN(3) * 300,
		}
		m, err := cors.New(cfg)
		if err != nil {
			continue // an invalid policy: New's own tests cover it
		}
		req := browser.Request{
			Origin:      propOrigins[r.IntN(len(propOrigins))],
			URL:         "https://api.example.net/data",
			Method:      propReqMethods[r.IntN(len(propReqMethods))],
			Credentials: []browser.Credentials{browser.Omit, browser.SameOrigin, browser.Include}[r.IntN(3)],
		}
		for _, hd := range subset(r, propReqHdrs, 3) {
			if !slices.ContainsFunc(req.Headers, func(x browser.Header) bool { return strings.EqualFold(x.Name, hd.Name) }) {
				req.Headers = append(req.Headers, hd)
			}
		}
		// Skew towards requests the policy may allow, so both sides are tested.
		if r.IntN(10) < 7 {
			var near []string
			for _, o := range propOrigins {
				if listed(cfg.AllowOrigins, o) {
					near = append(near, o)
				}
			}
			if len(near) > 0 {
				req.Origin = near[r.IntN(len(near))]
			}
			if len(cfg.AllowMethods) > 0 && cfg.AllowMethods[0] != "*" {
				req.Method = cfg.AllowMethods[r.IntN(len(cfg.AllowMethods))]
			}
			req.Headers = slices.DeleteFunc(req.Headers, func(x browser.Header) bool {
				return !slices.ContainsFunc(cfg.AllowHeaders, func(a string) bool { return strings.EqualFold(a, x.Name) })
			})
		}
		req.Body = req.Method != "GET" && req.Method != "HEAD"
		checked++

		v := browser.Fetch(req, handlerTransport(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Request-Id", "1")
			w.Header().Set("X-Secret", "s")
			w.Header().Set("Content-Type", "text/plain")
		}))))
		want := policyAllows(cfg, req)
		if v.Allowed {
			allowedCount++
		}
		if v.Allowed != want {
			t.Fatalf("policy %+v\nrequest %+v\nbrowser model: allowed=%v (%s)\npolicy allows: %v\nexchanges: %+v", cfg, req, v.Allowed, v.Message, want, v.Exchanges)
		}
		if v.Allowed {
			wantRead := []string{"content-type"}
			for _, e := range cfg.ExposeHeaders {
				wantRead = append(wantRead, strings.ToLower(e))
			}
			slices.Sort(wantRead)
			if !slices.Equal(v.Readable, wantRead) {
				t.Fatalf("policy %+v\nrequest %+v\nreadable %q; want %q", cfg, req, v.Readable, wantRead)
			}
		}
	}
	if allowedCount < checked/10 || allowedCount > checked*9/10 {
		t.Errorf("%d of %d requests allowed: the generator no longer tests both sides", allowedCount, checked)
	}
	t.Logf("%d policy/request pairs, %d allowed", checked, allowedCount)
}

// handlerTransport answers the model's requests with an http.Handler.
func handlerTransport(hd http.Handler) browser.RoundTripper {
	return func(o browser.Outgoing) (browser.Incoming, error) {
		req := httptest.NewRequest(o.Method, o.URL, nil)
		req.Header = o.Header.Clone()
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, req)
		return browser.Incoming{Status: rec.Code, Header: rec.Result().Header}, nil
	}
}

// policyAllows is the independent reading of a policy: does it allow this
// request?
func policyAllows(cfg cors.Config, req browser.Request) bool {
	if req.Origin == "null" {
		if !slices.Contains(cfg.AllowOrigins, "*") {
			return false
		}
	} else if !listed(cfg.AllowOrigins, req.Origin) {
		return false
	}
	if req.Credentials == browser.Include && !cfg.AllowCredentials {
		return false
	}
	method := headers.NormalizeMethod(req.Method)
	methodOK := headers.IsSafelistedMethod(method) || slices.Contains(cfg.AllowMethods, "*")
	for _, m := range cfg.AllowMethods {
		methodOK = methodOK || headers.NormalizeMethod(m) == method
	}
	if !methodOK {
		return false
	}
	for _, n := range browser.UnsafeHeaderNames(req.Headers) {
		ok := slices.ContainsFunc(cfg.AllowHeaders, func(h string) bool { return strings.EqualFold(h, n) }) ||
			n != "authorization" && slices.Contains(cfg.AllowHeaders, "*")
		if !ok {
			return false
		}
	}
	return true
}
