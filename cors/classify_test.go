package cors_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	m := mustNew(t, credentialed)
	for _, tc := range []struct {
		method string
		req    map[string]string
		want   cors.Outcome
		reason string
	}{
		{"GET", nil, cors.NotCORS, ""},
		{"GET", map[string]string{"Origin": "https://app.example.com"}, cors.ActualAllowed, ""},
		{"POST", map[string]string{"Origin": "https://evil.test"}, cors.ActualDenied, "origin not allowed"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com"}, cors.ActualAllowed, ""},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}, cors.PreflightAllowed, ""},
		{"OPTIONS", map[string]string{"Origin": "https://evil.test", "Access-Control-Request-Method": "PUT"}, cors.PreflightDenied, "origin not allowed"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "patch"}, cors.PreflightDenied, "case-sensitive"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-debug"}, cors.PreflightDenied, "request header x-debug"},
		{"OPTIONS", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Private-Network": "true"}, cors.PreflightDenied, "private network"},
	} {
		r := httptest.NewRequest(tc.method, "http://api.example.com/", nil)
		for k, v := range tc.req {
			r.Header.Set(k, v)
		}
		got, reason := m.Classify(r)
		if got != tc.want || !strings.Contains(reason, tc.reason) {
			t.Errorf("Classify(%s %v): got %s %q; want %s %q", tc.method, tc.req, got, reason, tc.want, tc.reason)
		}
	}
	if !m.AllowsOrigin("https://x.y.example.org") || m.AllowsOrigin("https://evil.test") {
		t.Error("AllowsOrigin disagrees with the policy")
	}
}
