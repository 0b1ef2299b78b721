package origin

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

var containsTests = []struct {
	desc     string
	patterns []string
	origin   string
	want     bool
}{
	{"exact", []string{"https://app.example.com"}, "https://app.example.com", true},
	{"exact other host", []string{"https://app.example.com"}, "https://api.example.com", false},
	{"exact other scheme", []string{"https://app.example.com"}, "http://app.example.com", false},
	{"exact needs port", []string{"http://localhost:3000"}, "http://localhost:3001", false},
	{"upper case never matches", []string{"https://app.example.com"}, "https://APP.example.com", false},
	{"trailing slash never matches", []string{"https://app.example.com"}, "https://app.example.com/", false},
	{"wildcard", []string{"*"}, "https://anything.test", true},
	{"wildcard null", []string{"*"}, "null", true},
	{"null not allowed", []string{"https://app.example.com"}, "null", false},
	{"null allowed", []string{"null"}, "null", true},
	{"subdomain one label", []string{"https://*.example.com"}, "https://app.example.com", true},
	{"subdomain two labels", []string{"https://*.example.com"}, "https://a.b.example.com", true},
	{"subdomain never apex", []string{"https://*.example.com"}, "https://example.com", false},
	{"subdomain suffix attack", []string{"https://*.example.com"}, "https://evilexample.com", false},
	{"subdomain prefix attack", []string{"https://*.example.com"}, "https://app.example.com.evil.test", false},
	{"subdomain other scheme", []string{"https://*.example.com"}, "http://app.example.com", false},
	{"subdomain with port not matched", []string{"https://*.example.com"}, "https://app.example.com:8443", false},
	{"subdomain fixed port", []string{"https://*.example.com:8443"}, "https://app.example.com:8443", true},
	{"subdomain any port", []string{"https://*.example.com:*"}, "https://app.example.com:8443", true},
	{"subdomain any port needs a port", []string{"https://*.example.com:*"}, "https://app.example.com", false},
	{"subdomain empty label", []string{"https://*.example.com"}, "https://.example.com", false},
	{"subdomain double dot", []string{"https://*.example.com"}, "https://a..example.com", false},
	{"port pattern", []string{"http://localhost:*"}, "http://localhost:5173", true},
	{"port pattern needs explicit port", []string{"http://localhost:*"}, "http://localhost", false},
	{"port pattern other host", []string{"http://localhost:*"}, "http://localhost.evil.test:80", false},
	{"port pattern bad port", []string{"http://localhost:*"}, "http://localhost:0123", false},
	{"port pattern IPv6", []string{"http://[::1]:*"}, "http://[::1]:8080", true},
	{"regexp", []string{`re:https://(app|admin)\.example\.com`}, "https://admin.example.com", true},
	{"regexp anchored end", []string{`re:https://(app|admin)\.example\.com`}, "https://admin.example.com.evil.test", false},
	{"regexp anchored start", []string{`re:https://app\.example\.com`}, "xhttps://app.example.com", false},
	{"too long", []string{"https://*.example.com"}, "https://" + strings.Repeat("a.", 300) + "example.com", false},
	{"empty", []string{"https://*.example.com"}, "", false},
}

func TestContains(t *testing.T) {
	t.Parallel()
	for _, tc := range containsTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			s := mustSet(t, tc.patterns...)
			if got := s.Contains(tc.origin); got != tc.want {
				t.Errorf("Set(%q).Contains(%q): got %v; want %v", tc.patterns, tc.origin, got, tc.want)
			}
			// The same with enough entries to take the hashed path.
			big := mustSet(t, append(slices.Clone(tc.patterns), padding...)...)
			if got := big.Contains(tc.origin); got != tc.want {
				t.Errorf("Set(%q + padding).Contains(%q): got %v; want %v", tc.patterns, tc.origin, got, tc.want)
			}
		})
	}
}

func TestContainsManyOrigins(t *testing.T) {
	t.Parallel()
	var patterns []string
	for i := range 5000 {
		patterns = append(patterns, fmt.Sprintf("https://app%d.example.com", i), fmt.Sprintf("https://*.tenant%d.example.net", i))
	}
	s := mustSet(t, patterns...)
	for _, tc := range []struct {
		origin string
		want   bool
	}{
		{"https://app4999.example.com", true},
		{"https://app5000.example.com", false},
		{"https://x.tenant1234.example.net", true},
		{"https://tenant1234.example.net", false},
	} {
		if got := s.Contains(tc.origin); got != tc.want {
			t.Errorf("Contains(%q) over 10000 patterns: got %v; want %v", tc.origin, got, tc.want)
		}
	}
}

func TestContainsAllocatesNothing(t *testing.T) {
	s := mustSet(t, "https://app.example.com", "https://*.example.com", "http://localhost:*")
	for _, o := range []string{"https://app.example.com", "https://a.b.example.com", "http://localhost:3000", "https://evil.test"} {
		if n := testing.AllocsPerRun(100, func() { s.Contains(o) }); n != 0 {
			t.Errorf("Contains(%q): got %v allocations; want 0", o, n)
		}
	}
}

// padding are entries that match nothing in the tests, enough of each kind to
// make a Set switch from linear scans to map look-ups.
var padding = func() []string {
	var out []string
	for i := range smallSet + 1 {
		out = append(out, fmt.Sprintf("https://pad%d.invalid", i), fmt.Sprintf("https://*.pad%d.invalid", i))
	}
	return out
}()

func mustSet(t testing.TB, entries ...string) *Set {
	t.Helper()
	var ps []Pattern
	for _, e := range entries {
		p, err := Parse(e)
		if err != nil {
			t.Fatalf("Parse(%q): %v", e, err)
		}
		ps = append(ps, p)
	}
	return NewSet(ps)
}
