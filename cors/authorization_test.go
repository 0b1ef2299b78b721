package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
)

// TestWildcardNamesAListedAuthorization: with AllowHeaders `*` and
// Authorization listed, in any case, a preflight asking for authorization
// is answered with Authorization named beside the `*`: the Fetch standard
// lets `*` cover every name but Authorization. The engines tested today
// let `*` cover it anyway, so no engine test sees the difference; this
// one holds the rule (a case-sensitive compare of the listed name passed
// every cors test, issue 24).
func TestWildcardNamesAListedAuthorization(t *testing.T) {
	t.Parallel()
	for _, spelling := range []string{"Authorization", "authorization", "AUTHORIZATION"} {
		m, err := cors.New(cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"},
			AllowHeaders: []string{"*", spelling}})
		if err != nil {
			t.Fatal(err)
		}
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		req := httptest.NewRequest("OPTIONS", "/x", nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", "PUT")
		req.Header.Set("Access-Control-Request-Headers", "authorization,x-custom")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		acah := strings.Join(rec.Header().Values("Access-Control-Allow-Headers"), ",")
		named := false
		for item := range strings.SplitSeq(acah, ",") {
			named = named || strings.EqualFold(strings.TrimSpace(item), "authorization")
		}
		if !named {
			t.Errorf("AllowHeaders [* %s]: Access-Control-Allow-Headers %q; want Authorization named", spelling, acah)
		}
	}
}
