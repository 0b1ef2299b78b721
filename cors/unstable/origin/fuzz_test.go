package origin

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that a valid entry round-trips,
// that an exact origin matches itself, and that a suggested fix is valid.
func FuzzParse(f *testing.F) {
	for _, tc := range parseTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := Parse(in)
		if err != nil {
			if fix := err.(*Error).Fix; fix != "" {
				if _, err := Parse(fix); err != nil {
					t.Fatalf("Parse(%q): suggested fix %q is itself invalid: %v", in, fix, err)
				}
			}
			return
		}
		if p.String() != in {
			t.Fatalf("Parse(%q).String(): got %q", in, p.String())
		}
		if p.Kind == Exact && p.Port != "*" && !NewSet([]Pattern{p}).Contains(in) && len(in) <= MaxLen {
			t.Fatalf("exact origin %q does not match itself", in)
		}
	})
}

// FuzzContains checks that a pattern never matches an origin of another
// scheme, and that a subdomain pattern never matches its own domain.
func FuzzContains(f *testing.F) {
	for _, tc := range containsTests {
		f.Add(tc.patterns[0], tc.origin)
	}
	f.Fuzz(func(t *testing.T, entry, o string) {
		p, err := Parse(entry)
		if err != nil || p.Kind == Any || p.Kind == Null {
			return
		}
		small := NewSet([]Pattern{p}).Contains(o)
		ps := []Pattern{p}
		for _, e := range padding {
			pad, _ := Parse(e)
			ps = append(ps, pad)
		}
		if big := NewSet(ps).Contains(o); big != small && !strings.Contains(o, ".pad") {
			t.Fatalf("%q and %q: the linear scan says %v, the map look-up %v", entry, o, small, big)
		}
		if !small {
			return
		}
		if !strings.HasPrefix(o, p.Scheme+"://") {
			t.Fatalf("%q matches %q, an origin of another scheme", entry, o)
		}
		if p.Kind == Subdomains && (o == p.Scheme+"://"+p.Host || strings.HasPrefix(o, p.Scheme+"://"+p.Host+":")) {
			t.Fatalf("subdomain pattern %q matches its apex %q", entry, o)
		}
	})
}
