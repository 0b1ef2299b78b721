package hooks_test

import (
	"bufio"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/hooks"
)

// TestAppendPreflightEqualsHandler: for random policies and preflights,
// AppendPreflight answers exactly when Decide allows the preflight and
// Handler would answer it with the
// policy's permission (allowed, not passed through), with Handler's status
// and headers, byte for byte once parsed.
func TestAppendPreflightEqualsHandler(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 5))
	answered, declined := 0, 0
	for i := 0; i < 20000; i++ {
		cfg := cors.Config{
			AllowOrigins:         subset(r, propPatterns, 3),
			AllowMethods:         subset(r, propMethods, 3),
			AllowHeaders:         subset(r, propHeaders, 3),
			AllowCredentials:     r.IntN(2) == 0,
			AllowPrivateNetwork:  r.IntN(4) == 0,
			PreflightPassthrough: r.IntN(8) == 0,
			MaxAge:               r.IntN(3) * 300,
		}
		if r.IntN(4) == 0 {
			cfg.PreflightStatus = http.StatusOK
		}
		m, err := cors.New(cfg)
		if err != nil {
			continue
		}
		req := httptest.NewRequest(http.MethodOptions, "http://api.example.net/data", nil)
		req.Header["Origin"] = []string{propOrigins[r.IntN(len(propOrigins))]}
		req.Header["Access-Control-Request-Method"] = []string{propReqMethods[r.IntN(len(propReqMethods))]}
		if names := subset(r, []string{"content-type", "authorization", "x-custom", "x-requested-with", "accept-language"}, 3); len(names) > 0 {
			req.Header["Access-Control-Request-Headers"] = []string{strings.Join(names, ",")}
		}
		if r.IntN(4) == 0 {
			req.Header["Access-Control-Request-Private-Network"] = []string{"true"}
		}
		rec := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot) // passthrough's answer
		})).ServeHTTP(rec, req)
		d := hooks.Of(m).Decide(req)
		outcome := d.Outcome()

		lines, status, ok := hooks.Of(m).AppendPreflight([]byte("X: y\r\n"), req.Header["Origin"], req.Header["Access-Control-Request-Method"],
			req.Header["Access-Control-Request-Headers"], req.Header["Access-Control-Request-Private-Network"])
		want := outcome == hooks.PreflightAllowed && !cfg.PreflightPassthrough
		if ok != want {
			t.Fatalf("config %+v, request %v: AppendPreflight ok = %v, want %v (outcome %s)", cfg, req.Header, ok, want, outcome)
		}
		if !ok {
			declined++
			if string(lines) != "X: y\r\n" {
				t.Fatalf("declined, yet dst changed to %q", lines)
			}
			continue
		}
		answered++
		if status != rec.Code {
			t.Fatalf("config %+v, request %v: status %d, Handler's %d", cfg, req.Header, status, rec.Code)
		}
		got, err := textproto.NewReader(bufio.NewReader(strings.NewReader(string(lines) + "\r\n"))).ReadMIMEHeader()
		if err != nil {
			t.Fatalf("%q does not parse as header lines: %v", lines, err)
		}
		delete(got, "X")
		wantH := rec.Header()
		if len(got) != len(wantH) {
			t.Fatalf("config %+v, request %v:\nAppendPreflight %v\nHandler %v", cfg, req.Header, got, wantH)
		}
		for k, v := range wantH {
			if !slices.Equal(got[k], v) {
				t.Fatalf("config %+v, request %v: %s = %q, Handler's %q", cfg, req.Header, k, got[k], v)
			}
		}
	}
	if answered < 300 || declined < 300 {
		t.Fatalf("only %d answered and %d declined: the generator no longer covers both", answered, declined)
	}
}
