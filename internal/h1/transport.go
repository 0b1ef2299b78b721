package h1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/corskit/corskit/internal/urls"
)

// Transport sends bodiless GET and HEAD requests to a plain-HTTP upstream
// over a pool of kept-alive connections, one goroutine per request and no
// hand-offs between goroutines: net/http's Transport spends more in those
// hand-offs than the request costs. Everything else (bodies, upgrades,
// https, other methods) goes to Fallback, net/http's Transport.
//
// A connection returns to the pool only after an answer read to its end
// with no byte past it: never after HEAD, 204 or 304 answers (a hostile or
// broken upstream may send a body there that would become the next
// request's answer), never with bytes past the answer, buffered or waiting
// in the socket, and it is checked again, without reading, before it is
// reused. net/http's
// Transport leaves a window there: it pools the connection and only then
// looks for stray bytes, so a request that takes it in between reads them.
type Transport struct {
	// Fallback carries what the lean path does not. Required.
	Fallback http.RoundTripper
	// Dial opens a connection to the upstream. Required.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// HeaderTimeout bounds the wait for an answer's head; zero for none.
	HeaderTimeout time.Duration
	// IdleTimeout closes, instead of reusing, a connection idle longer.
	IdleTimeout time.Duration
	// MaxIdle is the most idle connections kept.
	MaxIdle int
	// MaxHeadBytes caps an answer's head, each interim one included.
	MaxHeadBytes int64
	// MaxInterim is the most interim (1xx) answers a request may get; the
	// next fails it with ErrTooManyInterim.
	MaxInterim int

	host string // the upstream URL's host, as requests carry it
	addr string // its host:port, to dial
	mu   sync.Mutex
	idle []*upstreamConn // most recently used last
}

// NewTransport returns a Transport for the upstream u, an http URL; the
// other fields are the caller's to set.
func NewTransport(u *url.URL, fallback http.RoundTripper) *Transport {
	return &Transport{Fallback: fallback, host: u.Host, addr: urls.HostPort(u),
		Dial:        (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		IdleTimeout: 90 * time.Second, MaxIdle: 256, MaxHeadBytes: 1 << 20, MaxInterim: 8}
}

// upstreamConn is one kept-alive connection to the upstream.
type upstreamConn struct {
	conn     net.Conn
	lr       limitedReader // between conn and br: caps a head's bytes
	br       *bufio.Reader
	bw       *bufio.Writer
	lastUsed time.Time
	deadline time.Time // the read deadline in force; zero for none
}

// limitedReader reads from r, n bytes at most; past them, errHeadTooLarge.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeadTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

// ErrTooManyInterim is the error of a request whose upstream sent more
// than MaxInterim interim (1xx) answers.
var ErrTooManyInterim = errors.New("h1: the upstream sent too many interim (1xx) answers")

// errHeadTooLarge is the error of an answer whose head passes MaxHeadBytes.
var errHeadTooLarge = errors.New("h1: the upstream's answer head is too large")

// RoundTrip sends r, over the pool when handles(r), else over the fallback.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.handles(r) {
		return t.Fallback.RoundTrip(r)
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
func (t *Transport) handles(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		r.URL.Scheme == "http" && r.URL.Host == t.host &&
		(r.Body == nil || r.Body == http.NoBody) && r.ContentLength == 0 &&
		r.Header.Get("Upgrade") == "" && len(r.Trailer) == 0
}

// exchange writes r on uc and reads the answer's head; interim answers go
// to the request's httptrace Got1xxResponse, as net/http's Transport does,
// up to MaxInterim.
// The body, when read to its end, puts uc back in the pool if it may be.
func (t *Transport) exchange(uc *upstreamConn, r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	stop := noStop
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { uc.conn.SetDeadline(aLongTimeAgo) })
	}
	fail := func(err error) (*http.Response, error) {
		stop()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	t.setHeaderDeadline(uc)
	if err := writeRequest(uc.bw, r); err != nil {
		return fail(err)
	}
	if err := uc.bw.Flush(); err != nil {
		return fail(err)
	}
	var resp *http.Response
	for interim := 0; ; interim++ {
		if interim > t.MaxInterim {
			return fail(ErrTooManyInterim)
		}
		uc.lr.n = t.MaxHeadBytes - int64(uc.br.Buffered())
		var err error
		resp, err = readResponse(uc.br, r)
		if err != nil {
			if uc.lr.n <= 0 {
				err = fmt.Errorf("%w (over %d bytes)", errHeadTooLarge, t.MaxHeadBytes)
			}
			return fail(err)
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		if trace := httptrace.ContextClientTrace(ctx); trace != nil && trace.Got1xxResponse != nil {
			if err := trace.Got1xxResponse(resp.StatusCode, textproto.MIMEHeader(resp.Header)); err != nil {
				return fail(err)
			}
		}
		if ctx.Err() != nil { // the hook may have ended the request
			return fail(ctx.Err())
		}
	}
	uc.lr.n = math.MaxInt64 // a body has no cap
	// A body still to come may take longer than the head's deadline (a
	// stream may last hours); one already buffered reads no more.
	if r.Method != http.MethodHead && (resp.ContentLength < 0 || int64(uc.br.Buffered()) < resp.ContentLength) {
		uc.conn.SetReadDeadline(time.Time{})
		uc.deadline = time.Time{}
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		stop()
		uc.conn.Close()
		return nil, errors.New("h1: the upstream switched protocols on a request that did not ask to")
	}
	bodiless := r.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified
	resp.Body = &pooledBody{body: resp.Body, t: t, uc: uc, stop: stop, reusable: !resp.Close && !r.Close && !bodiless}
	return resp, nil
}

func noStop() bool { return true }

// setHeaderDeadline gives the response head t.HeaderTimeout from now. It
// moves uc's read deadline only when the one in force is off by more than a
// twentieth of the timeout (at most a second): a runtime timer update per
// request costs more than reading the request.
func (t *Transport) setHeaderDeadline(uc *upstreamConn) {
	if t.HeaderTimeout <= 0 {
		return
	}
	want := time.Now().Add(t.HeaderTimeout)
	slack := min(t.HeaderTimeout/20, time.Second)
	if d := want.Sub(uc.deadline); !uc.deadline.IsZero() && d >= 0 && d < slack {
		return
	}
	uc.deadline = want
	uc.conn.SetReadDeadline(want)
}

// get returns an idle connection that is still open and holds no stray
// bytes, or dials one.
func (t *Transport) get(ctx context.Context) (uc *upstreamConn, reused bool, err error) {
	now := time.Now()
	for {
		t.mu.Lock()
		if len(t.idle) == 0 {
			t.mu.Unlock()
			break
		}
		uc = t.idle[len(t.idle)-1]
		t.idle = t.idle[:len(t.idle)-1]
		t.mu.Unlock()
		if now.Sub(uc.lastUsed) < t.IdleTimeout && peek(uc.conn) == peekEmpty {
			return uc, true, nil
		}
		uc.conn.Close() // too old, closed by the upstream, or bytes came while it was idle
	}
	c, err := t.Dial(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	uc = &upstreamConn{conn: c, lr: limitedReader{r: c, n: math.MaxInt64}, bw: bufio.NewWriterSize(c, 4<<10)}
	uc.br = bufio.NewReaderSize(&uc.lr, 4<<10)
	return uc, false, nil
}

// put returns uc to the pool, or closes it when the pool is full or bytes
// follow the answer it carried, buffered or waiting in the socket.
func (t *Transport) put(uc *upstreamConn) {
	if uc.br.Buffered() > 0 || peek(uc.conn) != peekEmpty {
		uc.conn.Close()
		return
	}
	uc.lastUsed = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.MaxIdle {
		t.idle = append(t.idle, uc)
		uc = nil
	}
	t.mu.Unlock()
	if uc != nil {
		uc.conn.Close()
	}
}

// CloseIdleConnections closes the pooled connections, the fallback's too.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, uc := range idle {
		uc.conn.Close()
	}
	if c, ok := t.Fallback.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// isConnClosed reports whether err says the peer closed the connection.
func isConnClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// pooledBody is a response body whose connection returns to the pool once
// the body has been read to its end, if the answer allows it.
type pooledBody struct {
	body     io.ReadCloser
	t        *Transport
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
