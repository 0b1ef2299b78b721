package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// leanTransport sends bodiless GET and HEAD requests to a plain-HTTP upstream
// over a pool of kept-alive connections, one goroutine per request and no
// hand-offs between goroutines: net/http's Transport spends more in those
// hand-offs than the request costs. Everything else (bodies, upgrades,
// https, other methods) goes to fallback, the standard Transport.
type leanTransport struct {
	host          string // the upstream URL's host, as requests carry it
	addr          string // its host:port, to dial
	fallback      http.RoundTripper
	headerTimeout time.Duration // wait for the response head
	idleTimeout   time.Duration // an idle connection older than this is closed, not reused
	maxIdle       int
	dial          func(ctx context.Context, network, addr string) (net.Conn, error)
	mu            sync.Mutex
	idle          []*upstreamConn // most recently used last
}

// upstreamConn is one kept-alive connection to the upstream.
type upstreamConn struct {
	conn     net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	lastUsed time.Time
	deadline time.Time // the read deadline in force; zero for none
}

// aLongTimeAgo is a deadline that has passed: setting it interrupts I/O.
var aLongTimeAgo = time.Unix(1, 0)

// RoundTrip sends r, over the pool when handles(r), else over the fallback.
func (t *leanTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.handles(r) {
		return t.fallback.RoundTrip(r)
	}
	for attempt := 0; ; attempt++ {
		uc, reused, err := t.get(r.Context())
		if err != nil {
			return nil, err
		}
		resp, err := t.exchange(uc, r)
		if err == nil {
			return resp, nil
		}
		uc.conn.Close()
		// A kept-alive connection the upstream closed while it sat idle
		// fails before any answer: try once more on a fresh one, as the
		// standard Transport does for idempotent requests.
		if reused && attempt == 0 && r.Context().Err() == nil && isConnClosed(err) {
			continue
		}
		return nil, err
	}
}

// handles reports whether r is one the lean path sends: a GET or HEAD with
// no body and no upgrade, to http.
func (t *leanTransport) handles(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		r.URL.Scheme == "http" && r.URL.Host == t.host &&
		(r.Body == nil || r.Body == http.NoBody) && r.ContentLength == 0 &&
		r.Header.Get("Upgrade") == "" && len(r.Trailer) == 0
}

// exchange writes r on uc and reads the response head. The body, when read
// to its end, puts uc back in the pool.
func (t *leanTransport) exchange(uc *upstreamConn, r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	stop := noStop
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { uc.conn.SetDeadline(aLongTimeAgo) })
	}
	t.setHeaderDeadline(uc)
	if err := writeRequest(uc.bw, r); err != nil {
		stop()
		return nil, err
	}
	if err := uc.bw.Flush(); err != nil {
		stop()
		return nil, err
	}
	var resp *http.Response
	for {
		var err error
		resp, err = readResponse(uc.br, r)
		if err != nil {
			stop()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		// Interim answers (100, 103) are not forwarded; the final one follows.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	// A body still to come may take longer than the head's deadline (a
	// stream may last hours); one already buffered reads no more.
	if r.Method != http.MethodHead && (resp.ContentLength < 0 || int64(uc.br.Buffered()) < resp.ContentLength) {
		uc.conn.SetReadDeadline(time.Time{})
		uc.deadline = time.Time{}
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		stop()
		uc.conn.Close()
		return nil, errors.New("upstream switched protocols on a request that did not ask to")
	}
	resp.Body = &pooledBody{body: resp.Body, t: t, uc: uc, stop: stop, reusable: !resp.Close && !r.Close}
	return resp, nil
}

func noStop() bool { return true }

// setHeaderDeadline gives the response head t.headerTimeout from now. It
// moves uc's read deadline only when the one in force is off by more than a
// twentieth of the timeout (at most a second): a runtime timer update per
// request costs more than reading the request.
func (t *leanTransport) setHeaderDeadline(uc *upstreamConn) {
	want := time.Now().Add(t.headerTimeout)
	slack := min(t.headerTimeout/20, time.Second)
	if d := want.Sub(uc.deadline); !uc.deadline.IsZero() && d >= 0 && d < slack {
		return
	}
	uc.deadline = want
	uc.conn.SetReadDeadline(want)
}

// get returns an idle connection, or dials one.
func (t *leanTransport) get(ctx context.Context) (uc *upstreamConn, reused bool, err error) {
	now := time.Now()
	t.mu.Lock()
	for len(t.idle) > 0 {
		uc = t.idle[len(t.idle)-1]
		t.idle = t.idle[:len(t.idle)-1]
		if now.Sub(uc.lastUsed) < t.idleTimeout {
			t.mu.Unlock()
			return uc, true, nil
		}
		uc.conn.Close()
	}
	t.mu.Unlock()
	c, err := t.dial(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	return &upstreamConn{conn: c, br: bufio.NewReaderSize(c, 4<<10), bw: bufio.NewWriterSize(c, 4<<10)}, false, nil
}

// put returns uc to the pool, or closes it when the pool is full.
func (t *leanTransport) put(uc *upstreamConn) {
	uc.lastUsed = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, uc)
		uc = nil
	}
	t.mu.Unlock()
	if uc != nil {
		uc.conn.Close()
	}
}

// CloseIdleConnections closes the pooled connections, the fallback's too.
func (t *leanTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, uc := range idle {
		uc.conn.Close()
	}
	if c, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// isConnClosed reports whether err says the peer closed the connection.
func isConnClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// pooledBody is a response body whose connection returns to the pool once
// the body has been read to its end.
type pooledBody struct {
	body     io.ReadCloser
	t        *leanTransport
	uc       *upstreamConn
	stop     func() bool
	reusable bool
	done     bool
}

// Read reads the body; at its end the connection returns to the pool.
func (b *pooledBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	n, err := b.body.Read(p)
	if err != nil {
		b.release(err == io.EOF)
	}
	return n, err
}

// Close closes the connection unless the body was read to its end.
func (b *pooledBody) Close() error {
	b.release(false)
	return nil
}

func (b *pooledBody) release(complete bool) {
	if b.done {
		return
	}
	b.done = true
	// A cancelled request's connection may have had its deadline moved: do
	// not reuse it.
	if b.stop() && complete && b.reusable {
		b.t.put(b.uc)
		return
	}
	b.uc.conn.Close()
}
