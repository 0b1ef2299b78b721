package h1

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// startFast serves h as Serve does, on the fast path with net/http's server
// behind it; it returns the address.
func startFast(t *testing.T, h http.Handler, readHeader, idle time.Duration, opts ...func(*Server)) (string, *Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: readHeader, IdleTimeout: idle, MaxHeaderBytes: 64 << 10}
	fs := &Server{Handler: h, Fallback: srv, Logger: slog.New(slog.DiscardHandler), ReadHeaderTimeout: readHeader, IdleTimeout: idle}
	for _, o := range opts {
		o(fs)
	}
	go srv.Serve(fs.Handoffs())
	go fs.Serve(ln)
	t.Cleanup(func() {
		ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := fs.Shutdown(ctx); err != nil {
			t.Errorf("fast path shutdown: %v", err)
		}
		srv.Shutdown(ctx)
	})
	return ln.Addr().String(), fs
}

// servedBy answers with the server that served the request, in X-Served-By
// and the body, and echoes the request's body length.
var servedBy = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	by := "net/http"
	if _, ok := w.(*response); ok {
		by = "fast"
	}
	n, _ := io.Copy(io.Discard, r.Body)
	w.Header().Set("X-Served-By", by)
	fmt.Fprintf(w, "%s %s %s read %d", by, r.Method, r.URL.RequestURI(), n)
})

// TestFastPathHandsOffMidConnection: simple requests are served by the fast
// path until the first that is not; from it on, the same connection is
// net/http's, its bytes intact.
func TestFastPathHandsOffMidConnection(t *testing.T) {
	t.Parallel()
	addr, _ := startFast(t, servedBy, 5*time.Second, 5*time.Second)
	c := servertest.DialRaw(t, addr)
	for _, step := range []struct{ method, raw, want string }{
		{"GET", "GET /a?x=1 HTTP/1.1\r\nHost: gw\r\n\r\n", "fast GET /a?x=1 read 0"},
		{"OPTIONS", "OPTIONS /b HTTP/1.1\r\nHost: gw\r\nOrigin: https://app.example.com\r\n\r\n", "fast OPTIONS /b read 0"},
		{"DELETE", "DELETE /c HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n\r\n", "fast DELETE /c read 0"},
		{"POST", "POST /d HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello", "net/http POST /d read 5"},
		{"GET", "GET /e HTTP/1.1\r\nHost: gw\r\n\r\n", "net/http GET /e read 0"},
	} {
		resp, body := c.RoundTrip(t, step.method, step.raw)
		if resp.StatusCode != 200 || body != step.want {
			t.Errorf("%q: got %d %q; want 200 %q", step.raw, resp.StatusCode, body, step.want)
		}
	}
}

// TestFastPathLeavesTheUnusualToNetHTTP: every request the fast path does
// not take reaches net/http's server with its bytes unread, which serves it
// or refuses it as it would alone.
func TestFastPathLeavesTheUnusualToNetHTTP(t *testing.T) {
	t.Parallel()
	addr, _ := startFast(t, servedBy, 5*time.Second, 5*time.Second)
	big := strings.Repeat("x", 10<<10)
	for _, tc := range []struct {
		desc, raw string
		status    int
		body      string // "" when the status says it all
	}{
		{"a body", "PUT /p HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\n\r\nabc", 200, "net/http PUT /p read 3"},
		{"a chunked body", "POST /p HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 200, "net/http POST /p read 3"},
		{"Expect", "PUT /p HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n", 200, "net/http PUT /p read 0"},
		{"HTTP/1.0", "GET /old HTTP/1.0\r\nHost: gw\r\n\r\n", 200, "net/http GET /old read 0"},
		{"absolute-form target", "GET http://gw/abs HTTP/1.1\r\nHost: gw\r\n\r\n", 200, "net/http GET /abs read 0"},
		{"a head over 8 KiB", "GET /big HTTP/1.1\r\nHost: gw\r\nX-Big: " + big + "\r\n\r\n", 200, "net/http GET /big read 0"},
		{"TE", "GET /te HTTP/1.1\r\nHost: gw\r\nTE: trailers\r\n\r\n", 200, "net/http GET /te read 0"},
		{"a Connection token list", "GET /c HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, X-Hop\r\n\r\n", 200, "net/http GET /c read 0"},
		{"an escaped path", "GET /a%2Fb HTTP/1.1\r\nHost: gw\r\n\r\n", 200, "fast GET /a%2Fb read 0"},
		{"bare LF line ends", "GET /lf HTTP/1.1\nHost: gw\n\n", 200, "net/http GET /lf read 0"},
		{"obsolete line folding", "GET /f HTTP/1.1\r\nHost: gw\r\nX-A: 1\r\n folded\r\n\r\n", 200, "net/http GET /f read 0"},
		{"a CR alone", "GET /cr HTTP/1.1\r\nHost: gw\r\nX-A: 1\r2\r\n\r\n", 400, ""},
		{"two Hosts", "GET /h HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, ""},
		{"no Host", "GET /h HTTP/1.1\r\nX-A: 1\r\n\r\n", 400, ""},
		{"a control character", "GET /h HTTP/1.1\r\nHost: gw\r\nX-A: a\x01b\r\n\r\n", 400, ""},
		{"a space before the colon", "GET /h HTTP/1.1\r\nHost: gw\r\nX-A : 1\r\n\r\n", 400, ""},
		{"a bad Content-Length", "GET /h HTTP/1.1\r\nHost: gw\r\nContent-Length: 1x\r\n\r\n", 400, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			resp, body := servertest.DialRaw(t, addr).RoundTrip(t, "GET", tc.raw)
			if resp.StatusCode != tc.status || tc.body != "" && body != tc.body {
				t.Errorf("got %d %q; want %d %q", resp.StatusCode, body, tc.status, tc.body)
			}
		})
	}
}

// TestFastResponseFraming: the fast path's ResponseWriter frames each kind
// of answer as HTTP/1.1 requires, and the connection stays usable after
// each (or closes when it must).
func TestFastResponseFraming(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hel")
		io.WriteString(w, "lo")
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/204", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "3")
		w.WriteHeader(http.StatusNoContent)
		if _, err := io.WriteString(w, "abc"); err != http.ErrBodyNotAllowed {
			panic("a 204 took a body")
		}
	})
	mux.HandleFunc("/trailers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, "data")
		w.Header().Set("X-Sum", "42")
		w.Header().Set(http.TrailerPrefix+"X-Late", "7")
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "abc")
	})
	mux.HandleFunc("/too-long", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		if _, err := io.WriteString(w, "abc"); err != http.ErrContentLength {
			panic("wrote past Content-Length")
		}
		io.WriteString(w, "ab")
	})
	mux.HandleFunc("/early-hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		io.WriteString(w, "final")
	})
	mux.HandleFunc("/split", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Evil", "a\r\nSet-Cookie: x=1")
	})
	addr, _ := startFast(t, mux, 5*time.Second, 5*time.Second)
	c := servertest.DialRaw(t, addr)
	get := func(method, path string) (*http.Response, string) {
		return c.RoundTrip(t, method, method+" "+path+" HTTP/1.1\r\nHost: gw\r\n\r\n")
	}
	if resp, body := get("GET", "/length"); resp.ContentLength != 5 || body != "hello" || resp.Header.Get("Date") == "" {
		t.Errorf("Content-Length: got %d %q %v", resp.ContentLength, body, resp.Header)
	}
	if resp, body := get("GET", "/chunked"); len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" || body != "hello" {
		t.Errorf("chunked: got %v %q", resp.TransferEncoding, body)
	}
	if resp, body := get("HEAD", "/length"); resp.ContentLength != 5 || body != "" {
		t.Errorf("HEAD: got Content-Length %d, body %q; want 5 and none", resp.ContentLength, body)
	}
	if resp, body := get("GET", "/empty"); resp.StatusCode != 200 || body != "" {
		t.Errorf("empty: got %d %q", resp.StatusCode, body)
	}
	if resp, body := get("GET", "/204"); resp.StatusCode != 204 || body != "" || resp.Header.Get("Content-Length") != "" {
		t.Errorf("204: got %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, body := get("GET", "/trailers"); body != "data" || resp.Trailer.Get("X-Sum") != "42" || resp.Trailer.Get("X-Late") != "7" || resp.Header.Get("X-Sum") != "" {
		t.Errorf("trailers: got %q, trailer %v, header %v", body, resp.Trailer, resp.Header)
	}
	if resp, body := get("GET", "/too-long"); body != "ab" {
		t.Errorf("past Content-Length: got %q %v", body, resp.Header)
	}
	if resp, _ := get("GET", "/split"); resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("X-Evil") != "a  Set-Cookie: x=1" {
		t.Errorf("a value with a line break must not split into two headers: got %v", resp.Header)
	}
	// 103 then the final answer on the same connection.
	io.WriteString(c.Conn, "GET /early-hints HTTP/1.1\r\nHost: gw\r\n\r\n")
	if resp, _ := c.Read(t, "GET"); resp.StatusCode != 103 || resp.Header.Get("Link") == "" {
		t.Errorf("early hints: got %d %v; want 103 with Link", resp.StatusCode, resp.Header)
	}
	if resp, body := c.Read(t, "GET"); resp.StatusCode != 200 || body != "final" {
		t.Errorf("after early hints: got %d %q", resp.StatusCode, body)
	}
	// A body short of its Content-Length: the client must see the
	// connection end, not wait for bytes that never come.
	io.WriteString(c.Conn, "GET /short HTTP/1.1\r\nHost: gw\r\n\r\n")
	resp, err := http.ReadResponse(c.R, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); string(b) != "abc" || err != io.ErrUnexpectedEOF {
		t.Errorf("short body: got %q, %v; want abc and an unexpected EOF", b, err)
	}
}

// TestFastPathConnectionHandling: pipelined requests answered in order,
// Connection: close honoured, a panicking handler costs only its connection.
func TestFastPathConnectionHandling(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/", servedBy)
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	addr, _ := startFast(t, mux, 5*time.Second, 5*time.Second)

	c := servertest.DialRaw(t, addr)
	io.WriteString(c.Conn, "GET /1 HTTP/1.1\r\nHost: gw\r\n\r\nGET /2 HTTP/1.1\r\nHost: gw\r\n\r\nHEAD /3 HTTP/1.1\r\nHost: gw\r\n\r\n")
	for _, want := range []string{"fast GET /1 read 0", "fast GET /2 read 0", ""} {
		method := "GET"
		if want == "" {
			method = "HEAD"
		}
		if _, body := c.Read(t, method); body != want {
			t.Errorf("pipelined: got %q; want %q", body, want)
		}
	}

	// Pipelined, the last handed off: the fast path's answers go out first.
	c = servertest.DialRaw(t, addr)
	io.WriteString(c.Conn, "GET /1 HTTP/1.1\r\nHost: gw\r\n\r\nOPTIONS /2 HTTP/1.1\r\nHost: gw\r\n\r\nPOST /3 HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\nhi")
	for _, want := range []string{"fast GET /1 read 0", "fast OPTIONS /2 read 0", "net/http POST /3 read 2"} {
		if _, body := c.Read(t, "GET"); body != want {
			t.Errorf("pipelined, then handed off: got %q; want %q", body, want)
		}
	}

	c = servertest.DialRaw(t, addr)
	resp, _ := c.RoundTrip(t, "GET", "GET /bye HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
	if !resp.Close || !c.Closed() {
		t.Errorf("Connection: close: got Close=%v; want the answer to say close and the connection closed", resp.Close)
	}

	c = servertest.DialRaw(t, addr)
	io.WriteString(c.Conn, "GET /panic HTTP/1.1\r\nHost: gw\r\n\r\n")
	if !c.Closed() {
		t.Error("a panicking handler: the connection should close")
	}
	if _, body := servertest.DialRaw(t, addr).RoundTrip(t, "GET", "GET /after HTTP/1.1\r\nHost: gw\r\n\r\n"); body != "fast GET /after read 0" {
		t.Errorf("after a panic: got %q", body)
	}
}

// TestFastPathShutdown: on shutdown, idle connections close at once and a
// request in flight completes, with Connection: close.
func TestFastPathShutdown(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done")
	})
	addr, fs := startFast(t, h, 5*time.Second, time.Minute)
	idle := servertest.DialRaw(t, addr)
	idle.RoundTrip(t, "GET", "GET / HTTP/1.1\r\nHost: gw\r\n\r\n")
	busy := servertest.DialRaw(t, addr)
	io.WriteString(busy.Conn, "GET /slow HTTP/1.1\r\nHost: gw\r\n\r\n")
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- fs.Shutdown(context.Background()) }()
	if !idle.Closed() {
		t.Error("idle connection not closed on shutdown")
	}
	close(release)
	resp, body := busy.Read(t, "GET")
	if body != "done" || !resp.Close {
		t.Errorf("in flight: got %q, Close=%v; want done and Connection: close", body, resp.Close)
	}
	if err := <-stopped; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// TestPipelinedAnswerIsNotHeldForTheNextHead: an answer goes out at once
// even when bytes of a next request (a stray CRLF, half a head) wait behind
// its request, as net/http's server does; it used to wait for the next
// head, up to ReadHeaderTimeout.
func TestPipelinedAnswerIsNotHeldForTheNextHead(t *testing.T) {
	t.Parallel()
	addr, _ := startFast(t, servedBy, 10*time.Second, 10*time.Second, func(s *Server) {
		s.Preflight = func(dst []byte, path string, origin, acrm, acrh, pna []string) ([]byte, int, bool) {
			return append(dst, "Access-Control-Allow-Origin: *\r\n"...), http.StatusNoContent, true
		}
	})
	for _, tail := range []string{"\r\n", "GET /next HTTP/1.1\r\n", "GET /next HTTP/1.1\r\nHost: g"} {
		for _, req := range []string{
			"GET /a HTTP/1.1\r\nHost: gw\r\n\r\n",
			"OPTIONS /a HTTP/1.1\r\nHost: gw\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n\r\n",
		} {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(3 * time.Second))
			if _, err := io.WriteString(c, req+tail); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Errorf("%q then %q: no answer within 3 s (ReadHeaderTimeout is 10 s): %v", req, tail, err)
			} else if resp.StatusCode != 200 && resp.StatusCode != 204 {
				t.Errorf("%q then %q: status %d", req, tail, resp.StatusCode)
			}
			c.Close()
		}
	}
}
