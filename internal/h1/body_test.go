package h1

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testCert is httptest's certificate for 127.0.0.1; testRoots trusts it.
var (
	testCert  tls.Certificate
	testRoots = x509.NewCertPool()
)

func init() {
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS()
	testCert = ts.TLS.Certificates[0]
	testRoots.AddCert(ts.Certificate())
	ts.Close()
}

// noFallback fails every request: the tests that use it prove the lean
// path carried theirs.
type noFallback struct{}

func (noFallback) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("%s %s went to the fallback", r.Method, r.URL)
}

// leanOnly is a lean Transport for upstream with no fallback, trusting
// testCert for https.
func leanOnly(t *testing.T, upstream string) *Transport {
	u, _ := url.Parse(upstream)
	lt := NewTransport(u, noFallback{})
	if lt.TLSConfig != nil {
		lt.TLSConfig.RootCAs = testRoots
	}
	lt.HeaderTimeout, lt.ExpectContinueTimeout, lt.IdleTimeout, lt.MaxIdle = 5*time.Second, time.Second, time.Minute, 4
	t.Cleanup(lt.CloseIdleConnections)
	return lt
}

// send sends method to url with body (none when nil), its length unknown
// when chunked, and returns the answer.
func send(rt http.RoundTripper, method, url string, body io.Reader, chunked bool, hdr ...string) (*http.Response, string, error) {
	req, _ := http.NewRequest(method, url, body)
	if chunked {
		req.ContentLength = -1
	}
	for i := 0; i < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

// echoUpstream is a net/http upstream, http or https, that answers with
// what it read: method, framing and body.
func echoUpstream(t *testing.T, https bool) *countingUpstream {
	u := &countingUpstream{Server: httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		fmt.Fprintf(w, "%s cl=%d te=%v body=%q", r.Method, r.ContentLength, r.TransferEncoding, b)
	}))}
	u.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			u.conns.Add(1)
		}
	}
	if https {
		u.TLS = &tls.Config{Certificates: []tls.Certificate{testCert}}
		u.StartTLS()
	} else {
		u.Start()
	}
	t.Cleanup(u.Close)
	return u
}

// TestLeanTransportCarriesBodiesAndTLS: every method, with a body of known
// or unknown length or none, with Expect: 100-continue or not, to an http
// and an https upstream, goes over the lean path, on one kept-alive
// connection.
func TestLeanTransportCarriesBodiesAndTLS(t *testing.T) {
	t.Parallel()
	for _, https := range []bool{false, true} {
		t.Run(fmt.Sprintf("https=%v", https), func(t *testing.T) {
			t.Parallel()
			up := echoUpstream(t, https)
			lt := leanOnly(t, up.URL)
			for _, tc := range []struct {
				method, body string
				chunked      bool
				hdr          []string
				want         string
			}{
				{"GET", "", false, nil, `GET cl=0 te=[] body=""`},
				{"POST", "a=1", false, nil, `POST cl=3 te=[] body="a=1"`},
				{"POST", "", false, nil, `POST cl=0 te=[] body=""`},
				{"PUT", strings.Repeat("p", 100<<10), true, nil, fmt.Sprintf(`PUT cl=-1 te=[chunked] body=%q`, strings.Repeat("p", 100<<10))},
				{"PATCH", "x", false, []string{"Expect", "100-continue"}, `PATCH cl=1 te=[] body="x"`},
				{"DELETE", "", false, nil, `DELETE cl=0 te=[] body=""`},
				{"DELETE", "gone", false, nil, `DELETE cl=4 te=[] body="gone"`},
				{"OPTIONS", "", false, nil, `OPTIONS cl=0 te=[] body=""`},
				{"PROPPATCH", "<x/>", true, []string{"Expect", "100-continue"}, `PROPPATCH cl=-1 te=[chunked] body="<x/>"`},
			} {
				var body io.Reader
				if tc.body != "" {
					body = strings.NewReader(tc.body)
				}
				_, got, err := send(lt, tc.method, up.URL+"/x", body, tc.chunked, tc.hdr...)
				if err != nil || got != tc.want {
					t.Errorf("%s %d bytes (chunked %v, %v): got %.80q, %v; want %.80q", tc.method, len(tc.body), tc.chunked, tc.hdr, got, err, tc.want)
				}
			}
			if n := up.conns.Load(); n != 1 {
				t.Errorf("%d connections; want 1, kept alive", n)
			}
		})
	}
}

// scriptServer is rawServer over TLS when https: answer gets each request,
// its body read, and the connection, to write more on its own.
//
// A request with X-Answer-First is answered before its body is read, and
// its channel in answeredFirst closed; the body is read after.
// alreadyWritten, returned by a scriptServer's answer function, says that
// it wrote its answer itself and the connection goes on.
const alreadyWritten = "\x00written"

func scriptServer(t *testing.T, https bool, answer func(r *http.Request, body string, c net.Conn) string) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	scheme := "http://"
	if https {
		ln, scheme = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{testCert}}), "https://"
	}
	conns := new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				for {
					r, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					var b []byte
					if r.Header.Get("Expect") == "" && r.Header.Get("X-Answer-First") == "" {
						b, _ = io.ReadAll(r.Body)
					}
					a := answer(r, string(b), c)
					if a == "" {
						return
					}
					if a != alreadyWritten {
						io.WriteString(c, a)
					}
					if gate, ok := answeredFirst.LoadAndDelete(r.Header.Get("X-Answer-First")); ok {
						close(gate.(chan struct{}))
						io.Copy(io.Discard, r.Body) // then reads the body, as a server that answers early should
					}
				}
			}()
		}
	}()
	return scheme + ln.Addr().String(), conns
}

// TestDirtyConnectionsAreNotReusedOverTLSOrAfterABody: the stray-byte rules
// hold for requests with bodies and through TLS, bytes past the answer in
// the answer's own TLS record (decrypted, inside TLS) or in a record of
// their own (in the socket).
func TestDirtyConnectionsAreNotReusedOverTLSOrAfterABody(t *testing.T) {
	t.Parallel()
	const smuggled = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"
	for _, https := range []bool{false, true} {
		for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
			for _, tc := range []struct{ desc, answer, apart string }{
				{"a body on 204", "HTTP/1.1 204 No Content\r\n\r\n" + smuggled, ""},
				{"Content-Length too small", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + smuggled, ""},
				{"a second answer written apart", honest("/poison"), smuggled},
			} {
				t.Run(fmt.Sprintf("https=%v/%s/%s", https, method, tc.desc), func(t *testing.T) {
					t.Parallel()
					sent := make(chan struct{})
					up, conns := scriptServer(t, https, func(r *http.Request, _ string, c net.Conn) string {
						if r.URL.Path != "/poison" {
							return honest(r.URL.Path)
						}
						if tc.apart != "" {
							io.WriteString(c, tc.answer) // a TLS record of its own
							io.WriteString(c, tc.apart)
							close(sent)
							return alreadyWritten
						}
						close(sent)
						return tc.answer
					})
					lt := leanOnly(t, up)
					var body io.Reader
					if method != "GET" {
						body = strings.NewReader("payload")
					}
					if _, _, err := send(lt, method, up+"/poison", body, false); err != nil {
						t.Fatal(err)
					}
					// Bytes that come after the pool's checks would be read as
					// the next answer, with any HTTP/1.1 client (nginx's too):
					// the test holds the pool to the bytes that are there.
					<-sent
					for _, path := range []string{"/a", "/b"} {
						if _, got, err := send(lt, method, up+path, strings.NewReader("p"), false); err != nil || got != path {
							t.Fatalf("%s %s after %s: got %q, %v", method, path, tc.desc, got, err)
						}
					}
					// The second answer written apart may be on its way when
					// the first is read: then it is found before reuse.
					if n := conns.Load(); n != 2 {
						t.Errorf("%d connections; want 2 (the dirty one, then one reused)", n)
					}
				})
			}
		}
	}
}

// answeredFirst holds, by X-Answer-First value, the channel scriptServer
// closes once it has answered that request.
var answeredFirst sync.Map

// gatedReader blocks until its gate closes, then reads r.
type gatedReader struct {
	gate <-chan struct{}
	r    io.Reader
}

func (g gatedReader) Read(p []byte) (int, error) {
	<-g.gate
	return g.r.Read(p)
}

// TestAnEarlyAnswerIsNotPooled: an answer that comes while the request's
// body is still on its way (a 413, a 401) leaves its connection unused,
// even when the upstream reads the rest of the body.
func TestAnEarlyAnswerIsNotPooled(t *testing.T) {
	t.Parallel()
	up, conns := scriptServer(t, false, func(r *http.Request, body string, c net.Conn) string {
		if r.URL.Path == "/early" {
			return "HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig"
		}
		return honest(r.URL.Path)
	})
	lt := leanOnly(t, up)
	gate := make(chan struct{})
	key := fmt.Sprintf("%p", gate)
	answeredFirst.Store(key, gate)
	body := io.MultiReader(strings.NewReader(strings.Repeat("a", 64<<10)), gatedReader{gate, strings.NewReader("end")})
	req, _ := http.NewRequest("POST", up+"/early", body)
	req.ContentLength = 64<<10 + 3
	req.Header.Set("X-Answer-First", key)
	resp, err := lt.RoundTrip(req)
	if err != nil || resp.StatusCode != 413 {
		t.Fatalf("POST /early: %v %v; want the 413", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if _, got, err := send(lt, "GET", up+"/next", nil, false); err != nil || got != "/next" {
		t.Fatalf("GET /next: %q %v", got, err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections; want 2: the early answer's not reused", n)
	}
}

// TestExpectContinue: a body waits for the 100; an upstream that answers
// first never gets it and its connection is not reused; one that says
// nothing gets the body after ExpectContinueTimeout.
func TestExpectContinue(t *testing.T) {
	t.Parallel()
	var bodies atomic.Int32
	up, conns := scriptServer(t, false, func(r *http.Request, body string, c net.Conn) string {
		switch r.URL.Path {
		case "/refuse":
			return "HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno"
		case "/continue":
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		}
		b, _ := io.ReadAll(r.Body)
		bodies.Add(1)
		return honest(r.URL.Path + " " + body + string(b))
	})
	lt := leanOnly(t, up)
	lt.ExpectContinueTimeout = 300 * time.Millisecond
	for _, path := range []string{"/continue", "/silent"} {
		start := time.Now()
		_, got, err := send(lt, "POST", up+path, strings.NewReader("data"), false, "Expect", "100-continue")
		if err != nil || got != path+" data" {
			t.Errorf("POST %s: got %q, %v", path, got, err)
		}
		if took := time.Since(start); path == "/silent" && took < lt.ExpectContinueTimeout {
			t.Errorf("POST /silent: the body went after %v; want the %v wait", took, lt.ExpectContinueTimeout)
		}
	}
	resp, got, err := send(lt, "POST", up+"/refuse", strings.NewReader("secret"), false, "Expect", "100-continue")
	if err != nil || resp.StatusCode != 401 || got != "no" {
		t.Fatalf("POST /refuse: %v %q %v; want the 401", resp, got, err)
	}
	before := conns.Load()
	if _, got, err := send(lt, "POST", up+"/after", strings.NewReader("x"), false); err != nil || got != "/after x" {
		t.Fatalf("POST /after: %q %v", got, err)
	}
	if conns.Load() != before+1 {
		t.Errorf("the connection of an answer that came before the body was reused")
	}
	if n := bodies.Load(); n != 3 {
		t.Errorf("the upstream read %d bodies; want 3 (none for /refuse)", n)
	}
}

// failingBody gives some bytes, then an error, as a client that hangs up
// mid-body does.
type failingBody struct{ n int }

func (b *failingBody) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, errors.New("client went away")
	}
	b.n--
	p[0] = 'x'
	return 1, nil
}

// TestBodyFailuresNeverPoolNorRepeat: a request body that cannot be read
// to its end closes the upstream connection; a POST whose kept-alive
// connection the upstream closes without an answer is not sent again, a
// GET is.
func TestBodyFailuresNeverPoolNorRepeat(t *testing.T) {
	t.Parallel()
	var seen sync.Map // method -> *atomic.Int32
	up, _ := scriptServer(t, false, func(r *http.Request, body string, c net.Conn) string {
		n, _ := seen.LoadOrStore(r.Method+" "+r.URL.Path, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		if strings.HasPrefix(r.URL.Path, "/drop") {
			return "" // close without an answer
		}
		return honest(r.URL.Path)
	})
	lt := leanOnly(t, up)
	idle := func() int { lt.mu.Lock(); defer lt.mu.Unlock(); return len(lt.idle) }
	for _, chunked := range []bool{false, true} {
		req, _ := http.NewRequest("POST", up+"/x", io.NopCloser(&failingBody{n: 3}))
		req.ContentLength = 10
		if chunked {
			req.ContentLength = -1
		}
		if _, err := lt.RoundTrip(req); err == nil {
			t.Errorf("a body that fails (chunked %v): no error", chunked)
		}
		if n := idle(); n != 0 {
			t.Errorf("after a body that fails (chunked %v), %d pooled connections; want none", chunked, n)
		}
	}
	req, _ := http.NewRequest("POST", up+"/x", strings.NewReader("abc"))
	req.ContentLength = 10
	if _, err := lt.RoundTrip(req); err == nil {
		t.Error("a body shorter than its Content-Length: no error")
	}
	count := func(key string) int32 {
		n, _ := seen.LoadOrStore(key, new(atomic.Int32))
		return n.(*atomic.Int32).Load()
	}
	for _, tc := range []struct {
		method string
		body   io.Reader
		want   int32
	}{{"POST", strings.NewReader("pay"), 1}, {"PUT", nil, 1}, {"GET", nil, 2}} {
		// A connection in the pool, then a request the upstream drops.
		if _, got, err := send(lt, "GET", up+"/warm", nil, false); err != nil || got != "/warm" || idle() != 1 {
			t.Fatalf("GET /warm: %q %v, %d pooled", got, err, idle())
		}
		if _, _, err := send(lt, tc.method, up+"/drop", tc.body, false); err == nil {
			t.Errorf("%s /drop: no error", tc.method)
		}
		if n := count(tc.method + " /drop"); n != tc.want {
			t.Errorf("%s dropped on a reused connection: the upstream saw it %d times; want %d", tc.method, n, tc.want)
		}
	}
}

// FuzzWriteRequestAgreesWithRequestWrite: a request the lean transport
// writes, head and body, reads at the upstream as Request.Write's does,
// for any method, header, body and length (true or not), and fails where
// Request.Write fails.
func FuzzWriteRequestAgreesWithRequestWrite(f *testing.F) {
	f.Add("POST", "/a?b=c", "X-A", "1", []byte("hello"), int8(5), false, false)
	f.Add("PUT", "/", "Expect", "100-continue", []byte("hello"), int8(-1), false, false)
	f.Add("PATCH", "/p", "Content-Length", "99", []byte("x"), int8(2), false, false)
	f.Add("DELETE", "/d", "Transfer-Encoding", "chunked", []byte(""), int8(0), true, false)
	f.Add("POST", "/e", "X-B", "a\r\nInjected: 1", []byte("abc"), int8(3), false, true)
	f.Add("POST", "/s", "Trailer", "X", []byte("abcdef"), int8(2), false, false)
	f.Fuzz(func(t *testing.T, method, target, name, value string, body []byte, length int8, closeReq, failRead bool) {
		u, err := url.Parse("http://upstream.test" + target)
		if err != nil || !validMethod(method) {
			return
		}
		newReq := func() *http.Request {
			r := &http.Request{Method: method, URL: u, Header: http.Header{name: {value}, "User-Agent": {"fuzz"}}, Close: closeReq, ContentLength: int64(length)}
			if len(body) > 0 || length != 0 {
				var rd io.Reader = bytes.NewReader(body)
				if failRead {
					rd = io.MultiReader(rd, errReader{})
				}
				r.Body = io.NopCloser(rd)
			}
			return r
		}
		r := newReq()
		lt := &Transport{scheme: "http", host: "upstream.test"}
		if !lt.handles(r) {
			return // the fallback's, net/http's own
		}
		var mine, std bytes.Buffer
		uc := &upstreamConn{bw: bufio.NewWriter(&mine), br: bufio.NewReader(strings.NewReader(""))}
		errMine := writeRequest(uc.bw, r)
		if errMine == nil && hasBody(r) {
			errMine = lt.writeBody(uc, r)
		}
		uc.bw.Flush()
		errStd := newReq().Write(&std)
		if (errMine == nil) != (errStd == nil) {
			t.Fatalf("lean error %v, Request.Write error %v\nlean %q\nstd  %q", errMine, errStd, mine.String(), std.String())
		}
		if errMine != nil {
			return
		}
		got, err1 := readWhole(&mine)
		want, err2 := readWhole(&std)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("read: lean %v, std %v\nlean %q\nstd  %q", err1, err2, mine.String(), std.String())
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("lean %+v\nstd  %+v\nlean %q\nstd  %q", got, want, mine.String(), std.String())
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("the client went away") }

// validMethod reports whether m is a token net/http would send.
func validMethod(m string) bool {
	if m == "" || m == "CONNECT" {
		return false
	}
	req, err := http.NewRequest(m, "http://x/", nil)
	return err == nil && req.Method == m
}

// wholeRequest is what an upstream reads of a request.
type wholeRequest struct {
	Method, RequestURI, Host string
	Header                   http.Header
	ContentLength            int64
	TransferEncoding         []string
	Close                    bool
	Body                     string
	Rest                     int // bytes left after the request
}

func readWhole(b *bytes.Buffer) (wholeRequest, error) {
	br := bufio.NewReader(b)
	r, err := http.ReadRequest(br)
	if err != nil {
		return wholeRequest{}, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return wholeRequest{}, err
	}
	r.Header.Del("Content-Length") // ContentLength says it
	return wholeRequest{r.Method, r.RequestURI, r.Host, r.Header, r.ContentLength, r.TransferEncoding, r.Close, string(body), br.Buffered() + b.Len()}, nil
}

var _ = context.Background
