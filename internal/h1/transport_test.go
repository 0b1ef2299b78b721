package h1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingUpstream is an upstream that counts its connections.
type countingUpstream struct {
	*httptest.Server
	conns atomic.Int32
}

func newCountingUpstream(t *testing.T, h http.HandlerFunc) *countingUpstream {
	u := &countingUpstream{Server: httptest.NewUnstartedServer(h)}
	u.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			u.conns.Add(1)
		}
	}
	u.Start()
	t.Cleanup(u.Close)
	return u
}

func newLean(t *testing.T, upstream string, headerTimeout time.Duration) *Transport {
	u, _ := url.Parse(upstream)
	std := &http.Transport{}
	t.Cleanup(std.CloseIdleConnections)
	lt := NewTransport(u, std)
	lt.HeaderTimeout, lt.IdleTimeout, lt.MaxIdle = headerTimeout, time.Minute, 4
	t.Cleanup(lt.CloseIdleConnections)
	return lt
}

func get(t *testing.T, rt http.RoundTripper, method, url string) (*http.Response, string, error) {
	t.Helper()
	return send(rt, method, url, nil, false)
}

// TestLeanTransportReusesConnections: requests in sequence share one
// connection; an answer with Connection: close, a body left unread, and the
// pool's limit each cost a new one.
func TestLeanTransportReusesConnections(t *testing.T) {
	t.Parallel()
	up := newCountingUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, "ok "+r.URL.Path)
	})
	lt := newLean(t, up.URL, 5*time.Second)
	for i := range 5 {
		if _, body, err := get(t, lt, "GET", up.URL+"/a"); err != nil || body != "ok /a" {
			t.Fatalf("request %d: %q %v", i, body, err)
		}
	}
	if n := up.conns.Load(); n != 1 {
		t.Errorf("5 requests in sequence used %d connections; want 1", n)
	}
	idle := func() int { lt.mu.Lock(); defer lt.mu.Unlock(); return len(lt.idle) }
	get(t, lt, "GET", up.URL+"/close")
	if n := idle(); n != 0 {
		t.Errorf("after Connection: close, %d pooled connections; want none", n)
	}
	get(t, lt, "GET", up.URL+"/a")
	if n := up.conns.Load(); n != 2 {
		t.Errorf("after Connection: close, %d connections in all; want 2 (the closed one not reused)", n)
	}
	req, _ := http.NewRequest("GET", up.URL+"/a", nil)
	resp, err := lt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // unread
	get(t, lt, "GET", up.URL+"/a")
	if n := up.conns.Load(); n != 3 {
		t.Errorf("after a body closed unread, %d connections in all; want 3", n)
	}
}

// TestLeanTransportRetriesAStaleConnection: an upstream that closes its
// kept-alive connections without saying so costs no failed request.
func TestLeanTransportRetriesAStaleConnection(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() { // one answer, keep-alive promised, then close
				defer c.Close()
				rd := bufio.NewReader(c)
				if _, err := http.ReadRequest(rd); err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	up := "http://" + ln.Addr().String()
	lt := newLean(t, up, 5*time.Second)
	for i := range 4 {
		if _, body, err := get(t, lt, "GET", up+"/x"); err != nil || body != "ok" {
			t.Fatalf("request %d: %q %v; want ok, the stale connection retried", i, body, err)
		}
		time.Sleep(20 * time.Millisecond) // let the close arrive
	}
	if n := conns.Load(); n != 4 {
		t.Errorf("%d connections; want 4", n)
	}
}

// TestLeanTransportShortBody: an upstream that ends a body short of its
// Content-Length gives an error, not a complete body, and its connection is
// not reused.
func TestLeanTransportShortBody(t *testing.T) {
	t.Parallel()
	up := newCountingUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/short" {
			conn, brw, _ := w.(http.Hijacker).Hijack()
			brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
			brw.Flush()
			conn.Close()
			return
		}
		io.WriteString(w, "ok")
	})
	lt := newLean(t, up.URL, 5*time.Second)
	_, body, err := get(t, lt, "GET", up.URL+"/short")
	if !errors.Is(err, io.ErrUnexpectedEOF) || body != "abc" {
		t.Errorf("short body: got %q, %v; want abc and an unexpected EOF", body, err)
	}
	if _, body, err := get(t, lt, "GET", up.URL+"/ok"); err != nil || body != "ok" {
		t.Errorf("after a short body: %q %v", body, err)
	}
}

// TestLeanTransportKinds: each kind of request and answer arrives whole,
// whether the lean path or the fallback takes it.
func TestLeanTransportKinds(t *testing.T) {
	t.Parallel()
	up := newCountingUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/hints":
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
		case "/chunked":
			io.WriteString(w, "one ")
			w.(http.Flusher).Flush()
			io.WriteString(w, "two")
			return
		case "/big-head":
			w.Header().Set("X-Big", strings.Repeat("b", 6000))
		}
		w.Header().Set("X-Method", r.Method)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, b)
	})
	lt := newLean(t, up.URL, 5*time.Second)
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/plain", "GET /plain "},
		{"GET", "/hints", "GET /hints "},
		{"GET", "/chunked", "one two"},
		{"GET", "/big-head", "GET /big-head "},
		{"HEAD", "/plain", ""},
		{"DELETE", "/plain", "DELETE /plain "},
	} {
		resp, body, err := get(t, lt, tc.method, up.URL+tc.path)
		if err != nil || body != tc.want || resp.StatusCode != 200 {
			t.Errorf("%s %s: got %v %q %v; want 200 %q", tc.method, tc.path, resp, body, err, tc.want)
		}
	}
	req, _ := http.NewRequest("POST", up.URL+"/post", strings.NewReader("body"))
	resp, err := lt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "POST /post body" {
		t.Errorf("POST through the fallback: got %q", b)
	}
	resp.Body.Close()
}

// TestLeanTransportTimeoutsAndCancel: a slow upstream costs the header
// timeout, a cancelled request returns at once, and neither connection is
// reused.
func TestLeanTransportTimeoutsAndCancel(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	up := newCountingUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		io.WriteString(w, "ok")
	})
	defer close(release)
	lt := newLean(t, up.URL, 200*time.Millisecond)
	start := time.Now()
	_, _, err := get(t, lt, "GET", up.URL+"/slow")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || time.Since(start) > 2*time.Second {
		t.Errorf("slow upstream: got %v after %v; want a timeout after about 200 ms", err, time.Since(start))
	}
	lt2 := newLean(t, up.URL, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", up.URL+"/slow", nil)
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	if _, err := lt2.RoundTrip(req); !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Errorf("cancelled: got %v after %v; want context.Canceled at once", err, time.Since(start))
	}
	if _, body, err := get(t, lt2, "GET", up.URL+"/fast"); err != nil || body != "ok" {
		t.Errorf("after a cancel: %q %v", body, err)
	}
}

// rawServer answers the requests on each connection it accepts with the
// bytes answer gives for their paths; it counts connections.
func rawServer(t *testing.T, answer func(path string, c net.Conn) string) (url string, conns *atomic.Int32) {
	t.Helper()
	return scriptServer(t, false, func(r *http.Request, _ string, c net.Conn) string { return answer(r.URL.Path, c) })
}

func honest(path string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(path), path)
}

// TestTransportNeverReusesADirtyConnection: after an answer whose framing
// a hostile upstream can abuse, or with bytes past its end (buffered, in the
// socket, or arriving while the connection is idle), the connection is not
// reused, and the next request gets its own answer.
func TestTransportNeverReusesADirtyConnection(t *testing.T) {
	t.Parallel()
	const smuggled = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"
	for _, tc := range []struct {
		desc, method, answer string
		late                 string // sent 50 ms after the answer
	}{
		{"a body on HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n" + smuggled, ""},
		{"a body on 204", "GET", "HTTP/1.1 204 No Content\r\n\r\n" + smuggled, ""},
		{"a body on 304", "GET", "HTTP/1.1 304 Not Modified\r\n\r\n" + smuggled, ""},
		{"Content-Length too small", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + smuggled, ""},
		{"a long body, then more", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 9000\r\n\r\n" + strings.Repeat("x", 9000) + smuggled, ""},
		{"bytes while idle", "GET", honest("/poison"), smuggled},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			up, conns := rawServer(t, func(path string, c net.Conn) string {
				if path != "/poison" {
					return honest(path)
				}
				if tc.late != "" {
					time.AfterFunc(50*time.Millisecond, func() { io.WriteString(c, tc.late) })
				}
				return tc.answer
			})
			lt := newLean(t, up, 5*time.Second)
			if _, _, err := get(t, lt, tc.method, up+"/poison"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(150 * time.Millisecond)
			for _, path := range []string{"/a", "/b"} {
				if _, body, err := get(t, lt, "GET", up+path); err != nil || body != path {
					t.Fatalf("GET %s after %s: got %q, %v", path, tc.desc, body, err)
				}
			}
			if n := conns.Load(); n != 2 {
				t.Errorf("%d connections; want 2 (the dirty one, then one reused)", n)
			}
		})
	}
}

// TestTransportLimits: a head over MaxHeadBytes is an error; interim
// answers reach the request's Got1xxResponse, which can end the request.
func TestTransportLimits(t *testing.T) {
	t.Parallel()
	up, _ := rawServer(t, func(path string, c net.Conn) string {
		switch path {
		case "/huge":
			return "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 256<<10) + "\r\nContent-Length: 2\r\n\r\nok"
		case "/hints":
			return strings.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", 3) + honest(path)
		}
		return honest(path)
	})
	lt := newLean(t, up, 5*time.Second)
	lt.MaxHeadBytes = 64 << 10
	if _, _, err := get(t, lt, "GET", up+"/huge"); !errors.Is(err, errHeadTooLarge) {
		t.Errorf("a 256 KiB head with a 64 KiB cap: got %v; want errHeadTooLarge", err)
	}
	var seen []int
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		seen = append(seen, code)
		if h.Get("Link") == "" {
			t.Errorf("interim answer without its Link header: %v", h)
		}
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", up+"/hints", nil)
	resp, err := lt.RoundTrip(req)
	if err != nil || resp.StatusCode != 200 || len(seen) != 3 {
		t.Fatalf("interim answers: got %v, %v, hook saw %v; want 200 after three 103", resp, err, seen)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// More interim answers than MaxInterim.
	lt.MaxInterim = 2
	if _, _, err := get(t, lt, "GET", up+"/hints"); !errors.Is(err, ErrTooManyInterim) {
		t.Errorf("three interim answers with MaxInterim 2: got %v; want ErrTooManyInterim", err)
	}
	lt.MaxInterim = 8
	// A hook that ends the request at the second interim answer.
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("too many")
	n := 0
	trace = &httptrace.ClientTrace{Got1xxResponse: func(int, textproto.MIMEHeader) error {
		if n++; n == 2 {
			cancel(stop)
		}
		return nil
	}}
	req, _ = http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", up+"/hints", nil)
	if _, err := lt.RoundTrip(req); !errors.Is(err, stop) || n != 2 {
		t.Errorf("a hook that cancels: got %v after %d answers; want the cause after 2", err, n)
	}
	// A hook that returns an error ends the request with it, as net/http's
	// Transport does.
	refuse := errors.New("no hints wanted")
	trace = &httptrace.ClientTrace{Got1xxResponse: func(int, textproto.MIMEHeader) error { return refuse }}
	req, _ = http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", up+"/hints", nil)
	if _, err := lt.RoundTrip(req); !errors.Is(err, refuse) {
		t.Errorf("a hook that returns an error: got %v; want that error", err)
	}
}
