package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseResponseHead holds the lean transport's reading of a response
// head to http.ReadResponse's: whatever it takes, ReadResponse reads alike.
func FuzzParseResponseHead(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\nVary: Origin\r\nvary: Accept\r\n\r\n",
		"HTTP/1.1 500\r\nContent-Length: 3\r\nPragma: no-cache\r\nAccess-Control-Allow-Origin: *\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
		"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n := headEnd([]byte(raw))
		if n < 0 {
			return
		}
		head := []byte(raw[:n])
		got := parseResponseHead(head)
		if got == nil {
			return
		}
		want, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), &http.Request{Method: "GET"})
		if err != nil {
			t.Fatalf("the lean transport takes %q, which ReadResponse refuses: %v", head, err)
		}
		if got.StatusCode != want.StatusCode || got.Status != want.Status || got.ContentLength != want.ContentLength ||
			got.Close != want.Close || !reflect.DeepEqual(got.Header, want.Header) {
			t.Fatalf("%q:\nlean transport %q %d close %v %v\nReadResponse   %q %d close %v %v", head,
				got.Status, got.ContentLength, got.Close, got.Header, want.Status, want.ContentLength, want.Close, want.Header)
		}
	})
}

// TestResponsesLeftToReadResponse: heads the lean transport does not read
// itself still arrive whole, through http.ReadResponse.
func TestResponsesLeftToReadResponse(t *testing.T) {
	for _, tc := range []struct {
		desc, raw, method, body string
	}{
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "GET", "abc"},
		{"HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HEAD", ""},
		{"304", "HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n", "GET", ""},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\nuntil close", "GET", "until close"},
		{"a head over the buffer", "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("b", 5000) + "\r\nContent-Length: 2\r\n\r\nok", "GET", "ok"},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "GET", "ok"},
	} {
		br := bufio.NewReaderSize(strings.NewReader(tc.raw), 4<<10)
		resp, err := readResponse(br, &http.Request{Method: tc.method})
		if err != nil {
			t.Errorf("%s: %v", tc.desc, err)
			continue
		}
		if b, _ := io.ReadAll(resp.Body); string(b) != tc.body {
			t.Errorf("%s: body %q; want %q", tc.desc, b, tc.body)
		}
	}
}

// TestWriteRequestMatchesRequestWrite: the lean transport's request reads,
// at the upstream, as Request.Write's does.
func TestWriteRequestMatchesRequestWrite(t *testing.T) {
	for _, tc := range []struct {
		method, url, host string
		header            http.Header
		close             bool
	}{
		{"GET", "http://127.0.0.1:5000/data?x=1&y=%20", "", http.Header{"Origin": {"https://app.example.com"}, "User-Agent": {""}, "X-Forwarded-For": {"10.0.0.1, 127.0.0.1"}}, false},
		{"HEAD", "http://api.internal/a%2Fb", "gw.example.com", http.Header{"Accept": {"a", "b"}, "User-Agent": {"curl/8"}}, true},
		{"GET", "http://[::1]:8080/", "", http.Header{"X-Evil": {"a\r\nInjected: 1"}}, false},
		{"GET", "http://bücher.example/", "", nil, false},
	} {
		u, _ := url.Parse(tc.url)
		r := &http.Request{Method: tc.method, URL: u, Host: tc.host, Header: tc.header, Close: tc.close}
		if r.Header == nil {
			r.Header = http.Header{}
		}
		var mine, std bytes.Buffer
		bw := bufio.NewWriter(&mine)
		if err := writeRequest(bw, r); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		if err := r.Write(&std); err != nil {
			t.Fatal(err)
		}
		got, err1 := http.ReadRequest(bufio.NewReader(&mine))
		want, err2 := http.ReadRequest(bufio.NewReader(&std))
		if err1 != nil || err2 != nil {
			t.Fatalf("%s %s: %v / %v", tc.method, tc.url, err1, err2)
		}
		if got.Method != want.Method || got.RequestURI != want.RequestURI || got.Host != want.Host || got.Close != want.Close ||
			!reflect.DeepEqual(got.Header, want.Header) {
			t.Errorf("%s %s:\nlean %s %s %q %v %v\nstd  %s %s %q %v %v", tc.method, tc.url, got.Method, got.RequestURI, got.Host, got.Close, got.Header,
				want.Method, want.RequestURI, want.Host, want.Close, want.Header)
		}
	}
}
