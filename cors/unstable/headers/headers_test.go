package headers

import "testing"

func TestIsToken(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"X-Custom": true, "content-type": true, "!#$%&'*+-.^_`|~09": true,
		"": false, "a b": false, "a,b": false, "a:b": false, "é": false, "a\x00": false,
	} {
		if got := IsToken(in); got != want {
			t.Errorf("IsToken(%q): got %v; want %v", in, got, want)
		}
	}
}

func TestNormalizeMethod(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"get": "GET", "Delete": "DELETE", "options": "OPTIONS", "put": "PUT",
		"patch": "patch", "PATCH": "PATCH", "Purge": "Purge",
	} {
		if got := NormalizeMethod(in); got != want {
			t.Errorf("NormalizeMethod(%q): got %q; want %q", in, got, want)
		}
	}
}

func TestForbidden(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"Cookie": true, "host": true, "Sec-Fetch-Mode": true, "Proxy-Authorization": true,
		"Origin": true, "Content-Type": false, "Authorization": false, "X-Sec": false,
	} {
		if got := IsForbiddenRequestHeader(in); got != want {
			t.Errorf("IsForbiddenRequestHeader(%q): got %v; want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{"CONNECT": true, "trace": true, "Track": true, "GET": false} {
		if got := IsForbiddenMethod(in); got != want {
			t.Errorf("IsForbiddenMethod(%q): got %v; want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{"Set-Cookie": true, "set-cookie2": true, "X-Set-Cookie": false} {
		if got := IsForbiddenResponseHeader(in); got != want {
			t.Errorf("IsForbiddenResponseHeader(%q): got %v; want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{"Content-Type": true, "pragma": true, "X-Request-Id": false, "Date": false} {
		if got := IsSafelistedResponseHeader(in); got != want {
			t.Errorf("IsSafelistedResponseHeader(%q): got %v; want %v", in, got, want)
		}
	}
}
