package urls

import (
	"net/url"
	"testing"
)

func TestHostPort(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://127.0.0.1:5000/x", "127.0.0.1:5000"},
		{"http://api.example.com", "api.example.com:80"},
		{"https://api.example.com/", "api.example.com:443"},
		{"http://[::1]", "[::1]:80"},
		{"https://[::1]:8443", "[::1]:8443"},
	} {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := HostPort(u); got != tc.want {
			t.Errorf("HostPort(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
