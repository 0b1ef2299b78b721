package h1

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// TestZeroTimeoutsMeanNone: with ReadHeaderTimeout and IdleTimeout zero,
// the fast path waits for a slow client as net/http's server does with
// its own zero timeouts: a new connection silent for a while, a head sent
// in two parts with a pause between them, and a kept-alive connection
// idle between two requests are all answered, by both servers. The fast
// path used to cut each off at the reaper's first tick.
func TestZeroTimeoutsMeanNone(t *testing.T) {
	t.Parallel()
	fastAddr, fs := startFast(t, servedBy, 0, 0)
	std := httptest.NewUnstartedServer(servedBy) // zero timeouts
	std.Start()
	t.Cleanup(std.Close)
	type script struct {
		name          string
		before, after string // sent before the pause and after it
		answers       int    // to read before the pause
	}
	scripts := []script{
		{"silent new connection", "", "GET /a HTTP/1.1\r\nHost: gw\r\n\r\n", 0},
		{"head in two parts", "GET /b HTTP/1.1\r\n", "Host: gw\r\n\r\n", 0},
		{"idle kept-alive connection", "GET /c HTTP/1.1\r\nHost: gw\r\n\r\n", "GET /d HTTP/1.1\r\nHost: gw\r\n\r\n", 1},
	}
	servers := map[string]string{"fast path": fastAddr, "net/http": std.Listener.Addr().String()}
	clients := map[string]*servertest.RawClient{}
	for server, addr := range servers {
		for _, sc := range scripts {
			c := servertest.DialRaw(t, addr)
			c.Conn.SetDeadline(time.Now().Add(20 * time.Second))
			io.WriteString(c.Conn, sc.before)
			for range sc.answers {
				c.Read(t, "GET")
			}
			clients[server+": "+sc.name] = c
		}
	}
	// The pause: until the fast path's reaper has checked every
	// connection at least 150 ms after it was opened or answered.
	waitReaper(t, fs, time.Now().Add(150*time.Millisecond))
	for server := range servers {
		for _, sc := range scripts {
			c := clients[server+": "+sc.name]
			if _, err := io.WriteString(c.Conn, sc.after); err != nil {
				t.Errorf("%s, %s: the connection was cut during the pause: %v", server, sc.name, err)
				continue
			}
			resp, err := http.ReadResponse(c.R, nil)
			if err != nil {
				t.Errorf("%s, %s: no answer after the pause (zero timeouts mean none): %v", server, sc.name, err)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s, %s: status %d; want 200", server, sc.name, resp.StatusCode)
			}
		}
	}
}

// waitReaper returns once s's reaper has checked its connections as of
// when or later: its clock has passed when and ticked once more. It polls
// the clock, and fails the test after 10 s.
func waitReaper(t *testing.T, s *Server, when time.Time) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var seen int64
	for {
		c := s.clock.Load()
		if seen == 0 && c >= when.UnixNano() {
			seen = c
		} else if seen != 0 && c > seen {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the reaper did not tick within 10 s")
		}
		time.Sleep(5 * time.Millisecond) // a poll of the clock, not a wait for an outcome
	}
}

// TestEveryHandOffCounted: OnHandoff is called once per connection handed
// off, on every path that hands one off (a request the fast path does not
// take, a head too large for it, a head the client stopped sending in
// mid-way), and never for a connection the fast path serves to its end.
// The mid-head hand-off used to go uncounted.
func TestEveryHandOffCounted(t *testing.T) {
	t.Parallel()
	counted := make(chan struct{}, 16)
	addr, _ := startFast(t, servedBy, 5*time.Second, 5*time.Second, func(s *Server) {
		s.OnHandoff = func() { counted <- struct{}{} }
	})
	for _, tc := range []struct {
		name, raw string
		handoff   bool
	}{
		{"served by the fast path", "GET /a HTTP/1.1\r\nHost: gw\r\n\r\nGET /b HTTP/1.1\r\nHost: gw\r\n\r\n", false},
		{"a request with a body", "POST /p HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\nhi", true},
		{"a fast request, then one with a body", "GET /a HTTP/1.1\r\nHost: gw\r\n\r\nPUT /p HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\n\r\nx", true},
		{"a head over 8 KiB", "GET /big HTTP/1.1\r\nHost: gw\r\nX-Big: " + string(make([]byte, 9<<10)) + "\r\n\r\n", true},
		{"a head cut short", "GET /cut HTTP/1.1\r\nHost: gw\r\n", true},
	} {
		c := servertest.DialRaw(t, addr)
		io.WriteString(c.Conn, tc.raw)
		c.Conn.(*net.TCPConn).CloseWrite()
		// Every answer, then the end: the connection has been served or
		// handed off by then.
		if _, err := io.ReadAll(c.R); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.handoff {
			select {
			case <-counted:
			case <-time.After(5 * time.Second):
				t.Errorf("%s: handed off, but OnHandoff was not called within 5 s", tc.name)
			}
		}
		select {
		case <-counted:
			t.Errorf("%s: OnHandoff called once too many", tc.name)
		default:
		}
	}
}

// TestFastPathTimeouts: a new connection that sends nothing and a head that
// never ends are cut off after ReadHeaderTimeout, an idle kept-alive
// connection after IdleTimeout (and not at ReadHeaderTimeout), and none
// before its time. Each waits for its connection's end with a generous
// bound, so that a loaded machine delays the test rather than fails it.
func TestFastPathTimeouts(t *testing.T) {
	t.Parallel()
	const readHeader, idle = 300 * time.Millisecond, 600 * time.Millisecond
	addr, fs := startFast(t, servedBy, readHeader, idle)
	// The reaper checks once a tick, and reads the time once a tick: a
	// connection can close up to a tick early or late.
	tick := reapTick(fs.ReadHeaderTimeout, fs.IdleTimeout)
	type ended struct {
		name    string
		after   time.Duration
		err     error
		timeout time.Duration
	}
	results := make(chan ended, 3)
	watch := func(name string, c *servertest.RawClient, from time.Time, timeout time.Duration) {
		go func() {
			c.Conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, err := io.ReadAll(c.R)
			results <- ended{name, time.Since(from), err, timeout}
		}()
	}
	start := time.Now()
	silent := servertest.DialRaw(t, addr)
	watch("silent", silent, start, readHeader)
	start = time.Now()
	partial := servertest.DialRaw(t, addr)
	io.WriteString(partial.Conn, "GET / HTTP/1.1\r\nHost: gw\r\n")
	watch("partial head", partial, start, readHeader)
	kept := servertest.DialRaw(t, addr)
	kept.Conn.SetDeadline(time.Now().Add(30 * time.Second))
	kept.RoundTrip(t, "GET", "GET / HTTP/1.1\r\nHost: gw\r\n\r\n")
	if _, body := kept.RoundTrip(t, "GET", "GET /again HTTP/1.1\r\nHost: gw\r\n\r\n"); body != "fast GET /again read 0" {
		t.Errorf("kept-alive connection within its idle timeout: got %q", body)
	}
	watch("idle", kept, time.Now(), idle)
	for range 3 {
		r := <-results
		switch {
		case r.err != nil:
			var ne net.Error
			if errors.As(r.err, &ne) && ne.Timeout() {
				t.Errorf("%s: not closed within 30 s (timeout %v)", r.name, r.timeout)
			} else {
				t.Errorf("%s: the connection ended in an error, not a close: %v", r.name, r.err)
			}
		case r.after < r.timeout-2*tick:
			t.Errorf("%s: closed after %v, before its timeout of %v", r.name, r.after, r.timeout)
		}
	}
}
