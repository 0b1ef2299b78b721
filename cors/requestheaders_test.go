package cors

import (
	"slices"
	"strings"
	"testing"
)

var namesTests = []struct {
	desc  string
	lines []string
	want  []string
	ok    bool
}{
	{"browser form", []string{"authorization,content-type"}, []string{"authorization", "content-type"}, true},
	{"spaces and tabs", []string{" X-A ,\tx-b\t"}, []string{"x-a", "x-b"}, true},
	{"several lines", []string{"x-a", "X-B, x-c"}, []string{"x-a", "x-b", "x-c"}, true},
	{"empty elements", []string{",,x-a,,", ""}, []string{"x-a"}, true},
	{"not a token", []string{"x-a,x b"}, []string{"x-a"}, false},
	{"too many names", []string{strings.Repeat("x,", maxRequestHeaderNames+1)}, nil, false},
	{"at the limit", []string{strings.TrimSuffix(strings.Repeat("x,", maxRequestHeaderNames), ",")}, slices.Repeat([]string{"x"}, maxRequestHeaderNames), true},
}

func TestForEachName(t *testing.T) {
	t.Parallel()
	for _, tc := range namesTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var got []string
			ok := forEachName(tc.lines, func(n string) bool { got = append(got, n); return true })
			if ok != tc.ok || tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("forEachName(%q): got %q, %v; want %q, %v", tc.lines, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// FuzzForEachName checks that parsing never panics, yields lower-case tokens,
// stays within the name limit, and that a parsed list round-trips.
func FuzzForEachName(f *testing.F) {
	for _, tc := range namesTests {
		f.Add(strings.Join(tc.lines, "\n"))
	}
	f.Fuzz(func(t *testing.T, in string) {
		lines := strings.Split(in, "\n")
		var names []string
		ok := forEachName(lines, func(n string) bool { names = append(names, n); return true })
		if len(names) > maxRequestHeaderNames {
			t.Fatalf("got %d names; want at most %d", len(names), maxRequestHeaderNames)
		}
		for _, n := range names {
			if n != strings.ToLower(n) || n == "" {
				t.Fatalf("got name %q; want a non-empty lower-case token", n)
			}
		}
		if !ok {
			return
		}
		var again []string
		if !forEachName([]string{strings.Join(names, ",")}, func(n string) bool { again = append(again, n); return true }) || !slices.Equal(again, names) {
			t.Fatalf("round trip of %q: got %q", names, again)
		}
	})
}
