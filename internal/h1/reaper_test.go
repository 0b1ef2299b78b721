package h1

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// stallingListener wraps the first connection it accepts in a
// stallingConn; the others are the loopback connections as they are.
type stallingListener struct {
	net.Listener
	once  sync.Once
	stall *stallingConn
}

func (l *stallingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	wrapped := c
	l.once.Do(func() { l.stall.Conn, wrapped = c, l.stall })
	return wrapped, nil
}

// stallingConn is a loopback connection whose interruption by the reaper
// (a read deadline in the past) stalls until release is closed, as a
// system call on a loaded machine can.
type stallingConn struct {
	net.Conn
	entered chan struct{} // closed when the reaper is inside
	release chan struct{}
	once    sync.Once
}

func (c *stallingConn) SetReadDeadline(t time.Time) error {
	if t.Equal(aLongTimeAgo) {
		c.once.Do(func() { close(c.entered) })
		<-c.release
	}
	return c.Conn.SetReadDeadline(t)
}

// TestReaperHoldsNoLockAcrossItsCalls: while the reaper is inside a call
// on one connection (here, stalled), the server still accepts and serves
// others: the reaper holds the connections' lock only to list them. It
// used to hold it across every connection's calls, so one slow call
// stopped the accept loop.
func TestReaperHoldsNoLockAcrossItsCalls(t *testing.T) {
	t.Parallel()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stall := &stallingConn{entered: make(chan struct{}), release: make(chan struct{})}
	ln := &stallingListener{Listener: inner, stall: stall}
	behind := &http.Server{Handler: servedBy, ReadHeaderTimeout: time.Second}
	fs := &Server{Handler: servedBy, Fallback: behind, Logger: slog.New(slog.DiscardHandler),
		ReadHeaderTimeout: 100 * time.Millisecond, IdleTimeout: time.Second}
	go behind.Serve(fs.Handoffs())
	go fs.Serve(ln)
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(stall.release) }) }
	t.Cleanup(func() {
		release()
		ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		fs.Shutdown(ctx)
		behind.Shutdown(ctx)
	})
	silent := servertest.DialRaw(t, inner.Addr().String())
	defer silent.Conn.Close()
	select {
	case <-stall.entered: // the reaper cuts the silent connection off, and stalls there
	case <-time.After(10 * time.Second):
		t.Fatal("the reaper did not cut off a silent connection within 10 s (ReadHeaderTimeout 100 ms)")
	}
	c, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /other HTTP/1.1\r\nHost: gw\r\n\r\n")
	if b, err := io.ReadAll(io.LimitReader(c, 1)); err != nil || len(b) == 0 {
		t.Errorf("another connection got no answer within 5 s while the reaper was inside a call: %v", err)
	}
	release()
}
