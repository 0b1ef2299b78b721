package web_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corskit/corskit/internal/web"
)

// TestAllowRemoteAnswersItsOwnHosts: listening on every interface
// (--allow-remote --listen 0.0.0.0:PORT), the URL printed is one a
// browser opens (127.0.0.1, not [::]), the page answers the Hosts of this
// machine, 127.0.0.1 included, and refuses any other name with 421.
func TestAllowRemoteAnswersItsOwnHosts(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:7071", "[::]:7071"} {
		addr, _ := net.ResolveTCPAddr("tcp", listen)
		s, err := web.New(addr)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s.URL(), "http://127.0.0.1:7071/?token=") {
			t.Errorf("%s: URL %s", listen, s.URL())
		}
		h := s.Handler()
		get := func(host, path string) int {
			r := httptest.NewRequest("GET", path, nil)
			r.Host = host
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code
		}
		for _, host := range s.Hosts() {
			if code := get(host, "/?token="+s.Token()); code != http.StatusOK {
				t.Errorf("%s: Host %s: %d, want 200", listen, host, code)
			}
		}
		for _, host := range []string{"127.0.0.1:7071", "localhost:7071"} {
			if code := get(host, "/?token="+s.Token()); code != http.StatusOK {
				t.Errorf("%s: Host %s: %d, want 200", listen, host, code)
			}
		}
		if code := get("rebind.example:7071", "/?token="+s.Token()); code != http.StatusMisdirectedRequest {
			t.Errorf("%s: a foreign Host: %d, want 421", listen, code)
		}
	}
}

// TestFavicon: /favicon.ico is an icon, not a 404 in the console.
func TestFavicon(t *testing.T) {
	s, base := startServe(t)
	_ = s
	resp, err := http.Get(base + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("/favicon.ico: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
