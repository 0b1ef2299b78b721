package hooks_test

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/hooks"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	p := hooks.Of(mustNew(t, credentialed))
	for _, tc := range []struct {
		method string
		req    map[string]string
		want   hooks.Outcome
		reason string
	}{
		{"GET", nil, hooks.NotCORS, ""},
		{"GET", map[string]string{"Origin": "https://app.example.com"}, hooks.ActualAllowed, ""},
		{"POST", map[string]string{"Origin": "https://evil.test"}, hooks.ActualDenied, "origin not allowed"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com"}, hooks.ActualAllowed, ""},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}, hooks.PreflightAllowed, ""},
		{"OPTIONS", map[string]string{"Origin": "https://evil.test", "Access-Control-Request-Method": "PUT"}, hooks.PreflightDenied, "origin not allowed"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "patch"}, hooks.PreflightDenied, "case-sensitive"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-debug"}, hooks.PreflightDenied, "request header x-debug"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Private-Network": "true"}, hooks.PreflightDenied, "private network"},
	} {
		r := httptest.NewRequest(tc.method, "http://api.example.com/", nil)
		for k, v := range tc.req {
			r.Header.Set(k, v)
		}
		d := p.Decide(r)
		if d.Outcome() != tc.want || !strings.Contains(d.Reason(), tc.reason) {
			t.Errorf("Decide(%s %v): got %s %q; want %s %q", tc.method, tc.req, d.Outcome(), d.Reason(), tc.want, tc.reason)
		}
	}
	if !p.AllowsOrigin("https://x.y.example.org") || p.AllowsOrigin("https://evil.test") {
		t.Error("AllowsOrigin disagrees with the policy")
	}
}

// TestZeroMiddleware: the zero Middleware decides NotCORS, allows no
// origin, answers no preflight, and Apply passes the request on untouched.
func TestZeroMiddleware(t *testing.T) {
	t.Parallel()
	p := hooks.Of(&cors.Middleware{})
	r := httptest.NewRequest("OPTIONS", "http://api.example.com/", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	d := p.Decide(r)
	if d.Outcome() != hooks.NotCORS || p.AllowsOrigin("https://app.example.com") {
		t.Errorf("zero Middleware: outcome %s, AllowsOrigin %v; want non_cors, false", d.Outcome(), p.AllowsOrigin("https://app.example.com"))
	}
	if _, _, ok := p.AppendPreflight(nil, r.Header["Origin"], r.Header["Access-Control-Request-Method"], nil, nil); ok {
		t.Error("the zero Middleware answered a preflight")
	}
	rec := httptest.NewRecorder()
	p.Apply(rec, r, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }), &d)
	if rec.Code != http.StatusTeapot || len(rec.Header()) != 0 {
		t.Errorf("zero Middleware: Apply answered %d %v; want the next handler's 418 and no header", rec.Code, rec.Header())
	}
}

// TestDecideApplyEqualsHandler: for random policies and requests (preflights,
// other requests, none, one or two Origin lines), Decide then Apply answers
// exactly as Handler does, status, headers and the next handler's call
// alike, and Decide's outcome agrees with the answer.
func TestDecideApplyEqualsHandler(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	seen := map[hooks.Outcome]int{}
	for i := 0; i < 20000; i++ {
		m, err := cors.New(randomConfig(r))
		if err != nil {
			continue
		}
		req := randomRequest(r)
		want, wantNext := serve(m.Handler, req)
		p := hooks.Of(m)
		d := p.Decide(req)
		got, gotNext := serve(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.Apply(w, r, next, &d) })
		}, req)
		if got.Code != want.Code || gotNext != wantNext || !equalHeaders(got.Header(), want.Header()) {
			t.Fatalf("config %+v, %s %v:\nDecide+Apply %d next=%v %v\nHandler      %d next=%v %v",
				m.Config(), req.Method, req.Header, got.Code, gotNext, got.Header(), want.Code, wantNext, want.Header())
		}
		allowOrigin := want.Header().Get("Access-Control-Allow-Origin") != ""
		switch o := d.Outcome(); {
		case o == hooks.PreflightAllowed && !allowOrigin, o == hooks.PreflightDenied && want.Code == http.StatusForbidden && allowOrigin:
			t.Fatalf("config %+v, %s %v: outcome %s, yet the answer is %d %v", m.Config(), req.Method, req.Header, o, want.Code, want.Header())
		}
		seen[d.Outcome()]++
	}
	for _, o := range []hooks.Outcome{hooks.NotCORS, hooks.PreflightAllowed, hooks.PreflightDenied, hooks.ActualAllowed, hooks.ActualDenied} {
		if seen[o] < 200 {
			t.Errorf("only %d requests decided %s: the generator no longer covers it (%v)", seen[o], o, seen)
		}
	}
}

// randomRequest draws a request: a preflight or not, with zero, one or two
// Origin lines.
func randomRequest(r *rand.Rand) *http.Request {
	method := propReqMethods[r.IntN(len(propReqMethods))]
	preflight := r.IntN(2) == 0
	if preflight {
		method = http.MethodOptions
	}
	req := httptest.NewRequest(method, "http://api.example.net/data", nil)
	for range []int{0, 1, 1, 1, 1, 2}[r.IntN(6)] {
		req.Header.Add("Origin", propOrigins[r.IntN(len(propOrigins))])
	}
	if preflight {
		req.Header["Access-Control-Request-Method"] = []string{propReqMethods[r.IntN(len(propReqMethods))]}
		if names := subset(r, []string{"content-type", "authorization", "x-custom", "x-requested-with", "accept-language"}, 3); len(names) > 0 {
			req.Header["Access-Control-Request-Headers"] = []string{strings.Join(names, ",")}
		}
		if r.IntN(4) == 0 {
			req.Header["Access-Control-Request-Private-Network"] = []string{"true"}
		}
	}
	return req
}

// serve runs req through wrap(next), next answering 418, and says whether
// next ran.
func serve(wrap func(http.Handler) http.Handler, req *http.Request) (*httptest.ResponseRecorder, bool) {
	called := false
	rec := httptest.NewRecorder()
	wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
		w.WriteHeader(http.StatusTeapot)
	})).ServeHTTP(rec, req)
	return rec, called
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
