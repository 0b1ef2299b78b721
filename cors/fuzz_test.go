package cors_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
)

// FuzzConfig feeds New random entries: it must never panic, every error must
// be a *ConfigError that quotes its value, and a valid policy must answer any
// request without panicking and only ever allow origins it lists.
func FuzzConfig(f *testing.F) {
	for _, tc := range configTests {
		f.Add(strings.Join(tc.cfg.AllowOrigins, "\n"), strings.Join(tc.cfg.AllowMethods, "\n"), strings.Join(tc.cfg.AllowHeaders, "\n"), tc.cfg.AllowCredentials, "https://app.example.com", "PUT", "content-type")
	}
	f.Fuzz(func(t *testing.T, origins, methods, hdrs string, creds bool, reqOrigin, reqMethod, reqHeaders string) {
		cfg := cors.Config{
			AllowOrigins:     strings.Split(origins, "\n"),
			AllowMethods:     strings.Split(methods, "\n"),
			AllowHeaders:     strings.Split(hdrs, "\n"),
			AllowCredentials: creds,
		}
		m, err := cors.New(cfg)
		if err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var ce *cors.ConfigError
				if !errors.As(e, &ce) || !strings.HasPrefix(e.Error(), "cors: "+ce.Field+": ") {
					t.Fatalf("error %q is not a *ConfigError naming its field", e)
				}
			}
			return
		}
		hd := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		for _, method := range []string{"GET", "OPTIONS"} {
			req := h("Origin", reqOrigin, "Access-Control-Request-Method", reqMethod, "Access-Control-Request-Headers", reqHeaders)
			got := serve(t, hd, method, req).Header().Get("Access-Control-Allow-Origin")
			if got == "" || got == "*" && !creds {
				continue
			}
			if got != reqOrigin {
				t.Fatalf("%s from %q: got Access-Control-Allow-Origin %q", method, reqOrigin, got)
			}
			if !listed(cfg.AllowOrigins, reqOrigin) {
				t.Fatalf("%s from %q allowed by %q, which does not list it", method, reqOrigin, cfg.AllowOrigins)
			}
		}
	})
}

// listed is a slow, independent reading of the origin rules, used as the
// fuzz test's oracle.
func listed(entries []string, o string) bool {
	scheme, rest, _ := strings.Cut(o, "://")
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:i], rest[i+1:]
	}
	for _, e := range entries {
		switch {
		case e == "*", e == o:
			return true
		case e == "null":
			continue
		case strings.HasPrefix(e, "re:"):
			return true // checked by the origin package's own tests
		}
		es, erest, _ := strings.Cut(e, "://")
		if es != scheme {
			continue
		}
		ehost, eport := erest, ""
		if i := strings.LastIndexByte(erest, ':'); i >= 0 && !strings.HasSuffix(erest, "]") {
			ehost, eport = erest[:i], erest[i+1:]
		}
		portOK := eport == port || eport == "*" && port != ""
		if !portOK {
			continue
		}
		if ehost == host {
			return true
		}
		if strings.HasPrefix(ehost, "*.") && strings.HasSuffix(host, ehost[1:]) && len(host) > len(ehost)-1 {
			return true
		}
	}
	return false
}
