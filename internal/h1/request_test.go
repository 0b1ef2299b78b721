package h1

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

var headSeeds = []string{
	"GET /data HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com\r\n\r\n",
	"OPTIONS /data?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type, x-a\r\nAccess-Control-Request-Headers: x-b\r\n\r\n",
	"GET / HTTP/1.1\r\nhost: [::1]:80\r\nconnection: close\r\nx-dup: 1\r\nX-Dup: 2\r\nPragma: no-cache\r\n\r\n",
	"DELETE /a%20b HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n",
	"GET /f HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n",
	"GET http://h/abs HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Obs: caf\xe9\r\n\r\n",
}

// FuzzParseHead holds the fast path to net/http's reading: whatever head the
// fast path takes, net/http's server would take too, and read as the same
// request: method, target, Host, Connection and every header value.
func FuzzParseHead(f *testing.F) {
	for _, s := range headSeeds {
		f.Add(s)
	}
	// net/http's server, alone, for what ReadRequest does not check (Host).
	std := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer std.Close()
	f.Fuzz(func(t *testing.T, raw string) {
		n := headEnd([]byte(raw))
		if n < 0 {
			return
		}
		head := []byte(raw[:n])
		var sh simpleHead
		if !parseHead(head, &sh) {
			return
		}
		got := sh.request("192.0.2.1:1234")
		if got == nil {
			// The server hands it off, unless it is a preflight it answers
			// from the raw path.
			if path, _, _ := strings.Cut(sh.target, "?"); sh.isPreflight() && !strings.ContainsAny(path, "%#") {
				t.Fatalf("%q: a preflight the fast path would answer, with a target that does not parse", head)
			}
			return
		}
		want, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
		if err != nil {
			t.Fatalf("the fast path takes %q, which net/http refuses: %v", head, err)
		}
		if status := serverStatus(t, std.Listener.Addr().String(), head); status != "200" {
			t.Fatalf("the fast path takes %q, to which net/http's server answers %s", head, status)
		}
		delete(want.Header, "Host") // as net/http's server does
		if got.Method != want.Method || got.RequestURI != want.RequestURI || got.URL.String() != want.URL.String() ||
			got.Host != want.Host || got.Close != want.Close || !reflect.DeepEqual(got.Header, want.Header) {
			t.Fatalf("%q:\nfast path %s %s host %q close %v %v\nnet/http  %s %s host %q close %v %v", head,
				got.Method, got.RequestURI, got.Host, got.Close, got.Header, want.Method, want.RequestURI, want.Host, want.Close, want.Header)
		}
		for key, lines := range map[string]headerLines{"Origin": sh.origin, "Access-Control-Request-Method": sh.acrm,
			"Access-Control-Request-Headers": sh.acrh, "Access-Control-Request-Private-Network": sh.pna} {
			if v, ok := lines.values(); ok && !reflect.DeepEqual(v, []string(want.Header[key])) && !(len(v) == 0 && want.Header[key] == nil) {
				t.Fatalf("%q: %s kept as %q, net/http reads %q", head, key, v, want.Header[key])
			}
		}
	})
}

// serverStatus sends head to the server at addr and returns its status code.
func serverStatus(t *testing.T, addr string, head []byte) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write(head)
	b := make([]byte, 12)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("%q: no answer from net/http: %v", head, err)
	}
	return string(b[9:12])
}

// TestParseHeadTakesTheUsual: the requests browsers send are simple.
func TestParseHeadTakesTheUsual(t *testing.T) {
	for _, s := range headSeeds[:4] {
		var sh simpleHead
		if !parseHead([]byte(s), &sh) {
			t.Errorf("not taken: %q", s)
		}
	}
	var sh simpleHead
	if !parseHead([]byte(headSeeds[1]), &sh) || !sh.isPreflight() || sh.acrh.n != 2 || sh.origin.v[0] != "https://app.example.com" {
		t.Errorf("preflight fields: %+v", sh)
	}
}
