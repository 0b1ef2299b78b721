package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProxyGuardFlags: --body-read-timeout (default 60 s, positive) and
// case-sensitive routes (--case-sensitive-routes, or case_sensitive_routes
// in the file) reach the gateway's options.
func TestProxyGuardFlags(t *testing.T) {
	t.Parallel()
	none := func(string) (string, bool) { return "", false }
	base := []string{"--upstream", "http://127.0.0.1:1", "--allow-origin", "https://a.example.com"}
	o, err := parseProxy(base, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.load(none)
	if err != nil {
		t.Fatal(err)
	}
	if o.bodyReadTimeout != 60*time.Second || s.cfg.CaseSensitiveRoutes {
		t.Errorf("defaults: body read timeout %v, case-sensitive routes %v; want 60s, false", o.bodyReadTimeout, s.cfg.CaseSensitiveRoutes)
	}
	o, err = parseProxy(append(base, "--body-read-timeout", "5s", "--case-sensitive-routes"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = o.load(none); err != nil {
		t.Fatal(err)
	}
	if o.bodyReadTimeout != 5*time.Second || !s.cfg.CaseSensitiveRoutes {
		t.Errorf("set: body read timeout %v, case-sensitive routes %v", o.bodyReadTimeout, s.cfg.CaseSensitiveRoutes)
	}
	for _, bad := range []string{"0s", "-1s"} {
		if _, err := parseProxy(append(base, "--body-read-timeout", bad), io.Discard); err == nil || !strings.Contains(err.Error(), "--body-read-timeout "+strings.TrimSuffix(bad, "s")) {
			t.Errorf("--body-read-timeout %s: %v; want an error naming it", bad, err)
		}
	}

	file := filepath.Join(t.TempDir(), "gw.yaml")
	for _, tc := range []struct {
		yaml, want string
		set        bool
	}{
		{"case_sensitive_routes: true\n", "", true},
		{"case_sensitive_routes: yes please\n", `case_sensitive_routes: got "yes please"; want true or false`, false},
		{"routes:\n  - prefix: /api/\n    allow_origins: ['*']\n  - prefix: /API/\n    allow_origins: ['*']\n", `route prefixes "/api/" and "/API/" differ only in case`, false},
		{"case_sensitive_routes: true\nroutes:\n  - prefix: /api/\n    allow_origins: ['*']\n  - prefix: /API/\n    allow_origins: ['*']\n", "", true},
	} {
		os.WriteFile(file, []byte("upstream: http://127.0.0.1:1\nallow_origins: ['*']\n"+tc.yaml), 0o600)
		o, err := parseProxy([]string{"--config", file}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		s, err := o.load(none)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.yaml, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: %v; want %q", tc.yaml, err, tc.want)
		case tc.want == "" && s.cfg.CaseSensitiveRoutes != tc.set:
			t.Errorf("%q: case-sensitive routes %v; want %v", tc.yaml, s.cfg.CaseSensitiveRoutes, tc.set)
		}
	}
}
