package browser

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestRuleBoundaries holds rules of the Fetch standard at their edges, where
// a flipped comparison or a dropped case fold used to pass every test
// (issue 24): each case sits on the last value a rule allows and the first
// it refuses.
func TestRuleBoundaries(t *testing.T) {
	t.Parallel()
	t.Run("safelisted values over 1024 bytes in total are all unsafe", func(t *testing.T) {
		// Eight Accept-Language values of 128 bytes make 1024: safelisted;
		// one byte more makes every one of them unsafe (Fetch, "CORS-unsafe
		// request-header names", step 3).
		v := strings.Repeat("a", 128)
		hs := slices.Repeat([]Header{{"Accept-Language", v}}, 8)
		if got := UnsafeHeaderNames(hs); len(got) != 0 {
			t.Errorf("1024 bytes of safelisted values: unsafe %q; want none", got)
		}
		hs = append(hs, Header{"Content-Language", "b"})
		if got := UnsafeHeaderNames(hs); !slices.Equal(got, []string{"accept-language", "content-language"}) {
			t.Errorf("1025 bytes of safelisted values: unsafe %q; want both names", got)
		}
	})
	t.Run("DEL is a CORS-unsafe byte, ~ is not", func(t *testing.T) {
		// Fetch, "CORS-unsafe request-header byte": controls but tab,
		// "():<>?@[\]{} and 0x7F.
		for _, tc := range []struct {
			name, value string
			safe        bool
		}{
			{"accept", "text/html~", true}, {"accept", "text/html\x7f", false},
			{"content-type", "text/plain;x=~", true}, {"content-type", "text/plain;x=\x7f", false},
			{"accept", "a\tb", true}, {"accept", "a\x1fb", false},
		} {
			if got := IsSafelistedHeader(tc.name, tc.value); got != tc.safe {
				t.Errorf("%s: %q: safelisted=%v; want %v", tc.name, tc.value, got, tc.safe)
			}
		}
	})
	t.Run("a preflight passes only with a 2xx status", func(t *testing.T) {
		for _, status := range []int{200, 204, 299, 300, 304, 400} {
			ok := status <= 299
			for _, e := range Engines() {
				var sent []Outgoing
				v := e.Fetch(Request{Origin: page, URL: api, Method: "PUT"}, server{
					"OPTIONS " + api: {status, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "PUT")},
					api:              {200, hdr("Access-Control-Allow-Origin", page)},
				}.rt(&sent))
				if v.Allowed != ok || !ok && v.Reason != PreflightStatus {
					t.Errorf("%s, preflight answered %d: allowed=%v reason %s; want allowed=%v", e.Name, status, v.Allowed, v.Reason, ok)
				}
			}
		}
	})
	t.Run("Authorization is dropped on a cross-origin redirect whatever its case", func(t *testing.T) {
		for _, name := range []string{"Authorization", "authorization", "AUTHORIZATION"} {
			var sent []Outgoing
			v := Chromium().Fetch(Request{Origin: page, URL: api, Headers: []Header{{name, "Bearer x"}}}, server{
				"OPTIONS " + api:      {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Headers", "authorization")},
				api:                   {302, hdr("Location", "http://other.test/x", "Access-Control-Allow-Origin", page)},
				"http://other.test/x": {200, hdr("Access-Control-Allow-Origin", "*")},
			}.rt(&sent))
			if last := sent[len(sent)-1]; !v.Allowed || last.URL != "http://other.test/x" || last.Header.Get("Authorization") != "" {
				t.Errorf("header %q: allowed=%v, last request %+v; want it sent to other.test without Authorization", name, v.Allowed, last)
			}
		}
	})
	t.Run("a fetch follows 20 redirects and fails at the 21st", func(t *testing.T) {
		for _, hops := range []int{MaxRedirects, MaxRedirects + 1} {
			srv := server{}
			for i := range hops {
				srv[fmt.Sprintf("http://api.test/%d", i)] = answer{302, hdr("Location", fmt.Sprintf("/%d", i+1), "Access-Control-Allow-Origin", page)}
			}
			srv[fmt.Sprintf("http://api.test/%d", hops)] = answer{200, hdr("Access-Control-Allow-Origin", page)}
			var sent []Outgoing
			v := Fetch(Request{Origin: page, URL: "http://api.test/0"}, srv.rt(&sent))
			if want := hops <= 20; v.Allowed != want || !want && v.Reason != TooManyRedirects {
				t.Errorf("%d redirects: allowed=%v reason %s; want allowed=%v", hops, v.Allowed, v.Reason, want)
			}
		}
	})
}
