package h1

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/corskit/corskit/internal/urls"
)

// Transport sends requests to one upstream, http or https, over a pool of
// kept-alive connections, one goroutine per request and no hand-offs
// between goroutines: net/http's Transport spends more in those hand-offs
// than the request costs. Request bodies go with a Content-Length or
// chunked, after a 100 Continue when the request expects one. What it does
// not carry (upgrades, CONNECT, request trailers, a body of unknown size
// declared empty, a Host that is not plain ASCII with a body) goes to
// Fallback, which should not keep connections alive: net/http's Transport
// pools a connection before it looks for stray bytes on it (see below).
//
// A connection returns to the pool only after an answer read to its end
// with no byte past it: never after HEAD, 204 or 304 answers (a hostile or
// broken upstream may send a body there that would become the next
// request's answer), never with bytes past the answer, buffered (in the
// reader, or decrypted inside TLS) or waiting in the socket, never after an
// answer that came before the request's body was sent, nor after a request
// body that could not be read or written to its end; and it is checked
// again, without reading, before it is reused. net/http's Transport leaves
// a window there: it pools the connection and only then looks for stray
// bytes, so a request that takes it in between reads them.
type Transport struct {
	// Fallback carries what the lean path does not. Required.
	Fallback http.RoundTripper
	// Dial opens a connection to the upstream. Required.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig is the client configuration for an https upstream; nil
	// for the system's roots. NewTransport sets ServerName from the URL
	// and offers http/1.1 alone (ALPN).
	TLSConfig *tls.Config
	// HeaderTimeout bounds the wait for an answer's head, the TLS
	// handshake, and each write to the upstream; zero for none.
	HeaderTimeout time.Duration
	// ExpectContinueTimeout is how long a request with "Expect:
	// 100-continue" waits for the 100 before its body is sent anyway;
	// zero sends the body at once, as net/http's Transport does.
	ExpectContinueTimeout time.Duration
	// IdleTimeout closes, instead of reusing, a connection idle longer.
	IdleTimeout time.Duration
	// MaxIdle is the most idle connections kept.
	MaxIdle int
	// MaxHeadBytes caps an answer's head, each interim one included.
	MaxHeadBytes int64
	// MaxInterim is the most interim (1xx) answers a request may get; the
	// next fails it with ErrTooManyInterim.
	MaxInterim int

	scheme string // the upstream URL's scheme
	host   string // its host, as requests carry it
	addr   string // its host:port, to dial
	mu     sync.Mutex
	idle   []*upstreamConn // most recently used last
}

// NewTransport returns a Transport for the upstream u, an http or https
// URL; the other fields are the caller's to set.
func NewTransport(u *url.URL, fallback http.RoundTripper) *Transport {
	t := &Transport{Fallback: fallback, scheme: u.Scheme, host: u.Host, addr: urls.HostPort(u),
		Dial:        (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		IdleTimeout: 90 * time.Second, MaxIdle: 256, MaxHeadBytes: 1 << 20, MaxInterim: 8}
	if u.Scheme == "https" {
		t.TLSConfig = &tls.Config{ServerName: u.Hostname(), NextProtos: []string{"http/1.1"},
			ClientSessionCache: tls.NewLRUClientSessionCache(64)}
	}
	return t
}

// upstreamConn is one kept-alive connection to the upstream.
type upstreamConn struct {
	conn      net.Conn      // raw, or TLS over raw
	raw       net.Conn      // the socket, for peek
	tls       *tls.Conn     // nil for http
	lr        limitedReader // between conn and br: caps a head's bytes
	br        *bufio.Reader
	bw        *bufio.Writer
	lastUsed  time.Time
	deadline  time.Time // the read deadline in force; zero for none
	wdeadline time.Time // the write deadline in force; zero for none
	uses      int       // answers read on it
	early     bool      // an answer came before the request's body was all sent
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
// It closes r's body, as a RoundTripper must.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.handles(r) {
		return t.Fallback.RoundTrip(r)
	}
	for attempt := 0; ; attempt++ {
		uc, reused, err := t.get(r.Context())
		if err != nil {
			closeBody(r)
			return nil, err
		}
		resp, sent, err := t.exchange(uc, r)
		if err == nil {
			return resp, nil
		}
		uc.conn.Close()
		// A kept-alive connection the upstream closed while it sat idle
		// fails before any answer: try once more on a fresh one, when
		// net/http's Transport would: nothing of the body was read, and
		// the request may be sent twice (GET, HEAD, OPTIONS, TRACE, or an
		// Idempotency-Key).
		if reused && attempt == 0 && !sent && r.Context().Err() == nil && isConnClosed(err) && replayable(r) {
			continue
		}
		closeBody(r)
		return nil, err
	}
}

// handles reports whether r is one the lean path sends: to the upstream,
// no upgrade, no CONNECT, no request trailers, a body of known framing.
func (t *Transport) handles(r *http.Request) bool {
	if r.URL.Scheme != t.scheme || r.URL.Host != t.host || r.Method == http.MethodConnect ||
		r.Header.Get("Upgrade") != "" || len(r.Trailer) != 0 {
		return false
	}
	if !hasBody(r) {
		return r.ContentLength == 0
	}
	if r.ContentLength == 0 || r.ContentLength < 0 && usuallyBodiless(r.Method) {
		return false // net/http's Transport probes such a body for bytes
	}
	if len(r.TransferEncoding) > 0 && (r.ContentLength >= 0 || len(r.TransferEncoding) > 1 || r.TransferEncoding[0] != "chunked") {
		return false
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return isHost(host)
}

// usuallyBodiless reports whether a body of unknown length on method is
// one net/http's Transport first probes for (GET, HEAD, DELETE, OPTIONS,
// PROPFIND, SEARCH), and sends as none when it is empty.
func usuallyBodiless(method string) bool {
	switch method {
	case "", "GET", "HEAD", "DELETE", "OPTIONS", "PROPFIND", "SEARCH":
		return true
	}
	return false
}

func hasBody(r *http.Request) bool { return r.Body != nil && r.Body != http.NoBody }

func closeBody(r *http.Request) {
	if hasBody(r) {
		r.Body.Close()
	}
}

// replayable reports whether r may be sent again, as net/http's Transport
// decides: no body, an idempotent method or an idempotency key.
func replayable(r *http.Request) bool {
	if hasBody(r) {
		return false // a body already read cannot be sent again
	}
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return r.Header["Idempotency-Key"] != nil || r.Header["X-Idempotency-Key"] != nil
}

// exchange writes r on uc, its body included, and reads the answer's head;
// interim answers go to the request's httptrace Got1xxResponse, as
// net/http's Transport does, up to MaxInterim. sent reports whether any
// of r's body was read. The body, when read to its end, puts uc back in
// the pool if it may be.
func (t *Transport) exchange(uc *upstreamConn, r *http.Request) (resp *http.Response, sent bool, err error) {
	ctx := r.Context()
	stop := noStop
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { uc.conn.SetDeadline(aLongTimeAgo) })
	}
	fail := func(err error) (*http.Response, bool, error) {
		stop()
		if ctx.Err() != nil {
			return nil, sent, context.Cause(ctx)
		}
		return nil, sent, err
	}
	body := hasBody(r)
	expect := body && t.ExpectContinueTimeout > 0 && expectsContinue(r.Header)
	t.setWriteDeadline(uc)
	if err := writeRequest(uc.bw, r); err != nil {
		return fail(err)
	}
	uc.early = false
	bodyDone := !body
	if body && !expect {
		sent, bodyDone = true, true
		if err := t.writeBody(uc, r); err != nil {
			return t.answerAfterFailedWrite(uc, r, err, stop, fail)
		}
	} else if err := uc.bw.Flush(); err != nil {
		return fail(err)
	}
	t.setHeaderDeadline(uc)
	for interim := 0; ; interim++ {
		if interim > t.MaxInterim {
			return fail(ErrTooManyInterim)
		}
		// A deadline set after the request's cancellation moved it would
		// undo that: look again.
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		if !bodyDone {
			// Expect: 100-continue: the body goes after a 100, or when
			// nothing came for ExpectContinueTimeout.
			timedOut, err := t.awaitContinue(ctx, uc)
			if err != nil {
				return fail(err)
			}
			if timedOut {
				sent, bodyDone = true, true
				if err := t.sendBody(uc, r); err != nil {
					return t.answerAfterFailedWrite(uc, r, err, stop, fail)
				}
				interim--
				continue
			}
		}
		resp, err = t.readHead(uc, r)
		if err != nil {
			return fail(err)
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		if err := gotInterim(ctx, resp); err != nil {
			return fail(err)
		}
		if resp.StatusCode == http.StatusContinue && !bodyDone {
			sent, bodyDone = true, true
			if err := t.sendBody(uc, r); err != nil {
				return t.answerAfterFailedWrite(uc, r, err, stop, fail)
			}
		}
	}
	if !bodyDone {
		// A final answer before the 100: the body is not sent, and the
		// upstream may or may not wait for it, so uc is not reused.
		closeBody(r)
	}
	return t.finish(uc, r, resp, bodyDone && !uc.early, stop)
}

// sendBody writes r's body after an Expect: 100-continue wait and sets the
// deadline for the answer's head.
func (t *Transport) sendBody(uc *upstreamConn, r *http.Request) error {
	if err := t.writeBody(uc, r); err != nil {
		return err
	}
	t.setHeaderDeadline(uc)
	return nil
}

// awaitContinue waits up to ExpectContinueTimeout for the upstream's first
// answer byte to a request that sent Expect: 100-continue. timedOut reports
// that none came: the body goes now. Otherwise uc has the head deadline
// again and an answer (or err) is there to read.
func (t *Transport) awaitContinue(ctx context.Context, uc *upstreamConn) (timedOut bool, err error) {
	uc.deadline = time.Now().Add(t.ExpectContinueTimeout)
	uc.conn.SetReadDeadline(uc.deadline)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	_, err = uc.br.Peek(1)
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
		return true, nil
	}
	t.setHeaderDeadline(uc)
	return false, err
}

// readHead reads one answer head from uc, of MaxHeadBytes at most.
func (t *Transport) readHead(uc *upstreamConn, r *http.Request) (*http.Response, error) {
	uc.lr.n = t.MaxHeadBytes - int64(uc.br.Buffered())
	resp, err := readResponse(uc.br, r)
	if err != nil && uc.lr.n <= 0 {
		err = fmt.Errorf("%w (over %d bytes)", errHeadTooLarge, t.MaxHeadBytes)
	}
	return resp, err
}

// gotInterim hands the interim answer resp to ctx's httptrace
// Got1xxResponse, as net/http's Transport does, and returns the hook's
// error, or ctx's when the hook ended the request.
func gotInterim(ctx context.Context, resp *http.Response) error {
	if trace := httptrace.ContextClientTrace(ctx); trace != nil && trace.Got1xxResponse != nil {
		if err := trace.Got1xxResponse(resp.StatusCode, textproto.MIMEHeader(resp.Header)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// finish gives resp a body that returns uc to the pool, if reusable and the
// answer allows it, once read to its end.
func (t *Transport) finish(uc *upstreamConn, r *http.Request, resp *http.Response, reusable bool, stop func() bool) (*http.Response, bool, error) {
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
		return nil, true, errors.New("h1: the upstream switched protocols on a request that did not ask to")
	}
	bodiless := r.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified
	resp.Body = &pooledBody{body: resp.Body, t: t, uc: uc, stop: stop, reusable: reusable && !resp.Close && !r.Close && !bodiless}
	return resp, true, nil
}

// answerAfterFailedWrite ends a request whose body could not be sent. An
// upstream that answered early and stopped reading may have said why (a
// 413, a 401): that answer is the request's, on a connection never reused.
// A body the client did not deliver is the request's error.
func (t *Transport) answerAfterFailedWrite(uc *upstreamConn, r *http.Request, werr error, stop func() bool,
	fail func(error) (*http.Response, bool, error)) (*http.Response, bool, error) {
	closeBody(r)
	var be bodyError
	if errors.As(werr, &be) {
		return fail(werr)
	}
	t.setHeaderDeadline(uc)
	if r.Context().Err() != nil {
		return fail(werr)
	}
	for interim := 0; interim <= t.MaxInterim; interim++ {
		uc.lr.n = t.MaxHeadBytes - int64(uc.br.Buffered())
		resp, err := readResponse(uc.br, r)
		if err != nil {
			return fail(werr)
		}
		if resp.StatusCode >= 200 {
			return t.finish(uc, r, resp, false, stop)
		}
	}
	return fail(werr)
}

// bodyError is a request body that could not be read: the client's fault,
// not the upstream's.
type bodyError struct{ err error }

func (e bodyError) Error() string { return "h1: reading the request body: " + e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

// errBodyLength is a request body whose length is not its ContentLength.
var errBodyLength = errors.New("h1: the request body's length is not its Content-Length")

var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// writeBody writes r's body, its framing a Content-Length or chunked as
// writeRequest declared, flushes it, and closes it. Each chunk of a chunked
// body is flushed as it comes, as net/http's Transport does.
func (t *Transport) writeBody(uc *upstreamConn, r *http.Request) error {
	defer r.Body.Close()
	pending := int64(uc.bw.Buffered()) // the head, unless it went before a 100
	bp := bodyBufs.Get().(*[]byte)
	defer bodyBufs.Put(bp)
	buf := *bp
	chunked := r.ContentLength < 0
	left := r.ContentLength
	for {
		p := buf
		if !chunked && int64(len(p)) > left {
			p = p[:left+1] // one byte more: a body longer than declared is an error
		}
		n, rerr := r.Body.Read(p)
		if !chunked && int64(n) > left {
			return bodyError{errBodyLength}
		}
		if n > 0 {
			t.setWriteDeadline(uc)
			if err := r.Context().Err(); err != nil {
				return err
			}
			if chunked {
				uc.bw.WriteString(strconv.FormatInt(int64(n), 16))
				uc.bw.WriteString("\r\n")
				uc.bw.Write(p[:n])
				uc.bw.WriteString("\r\n")
				if err := uc.bw.Flush(); err != nil {
					return err
				}
			} else if _, err := uc.bw.Write(p[:n]); err != nil {
				return err
			}
			left -= int64(n)
			pending += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return bodyError{rerr}
		}
	}
	if !chunked && left != 0 {
		return bodyError{errBodyLength}
	}
	// An answer that came while the body was on its way, before its end
	// (a 413, a 401, or an upstream that will read the rest as a request
	// of its own): the connection is not reused. A body that goes in one
	// write with the head cannot be answered early.
	if (chunked || int64(uc.bw.Buffered()) < pending) && uc.answered() {
		uc.early = true
	}
	if chunked {
		uc.bw.WriteString("0\r\n\r\n")
	}
	return uc.bw.Flush()
}

// answered reports whether bytes of an answer wait on uc. A new TLS
// connection's socket may hold the server's session tickets: there, only
// what TLS has already decrypted counts.
func (uc *upstreamConn) answered() bool {
	if uc.br.Buffered() > 0 {
		return true
	}
	return (uc.tls == nil || uc.uses > 0) && peek(uc.raw) == peekData
}

// expectsContinue reports whether h has Expect: 100-continue.
func expectsContinue(h http.Header) bool {
	for _, v := range h["Expect"] {
		if strings.EqualFold(strings.TrimSpace(v), "100-continue") {
			return true
		}
	}
	return false
}

func noStop() bool { return true }

// setHeaderDeadline gives the response head t.HeaderTimeout from now. It
// moves uc's read deadline only when the one in force is off by more than a
// twentieth of the timeout (at most a second): a runtime timer update per
// request costs more than reading the request.
func (t *Transport) setHeaderDeadline(uc *upstreamConn) {
	if t.HeaderTimeout <= 0 {
		if !uc.deadline.IsZero() {
			uc.deadline = time.Time{}
			uc.conn.SetReadDeadline(uc.deadline)
		}
		return
	}
	if refresh(&uc.deadline, t.HeaderTimeout) {
		uc.conn.SetReadDeadline(uc.deadline)
	}
}

// setWriteDeadline gives the next write t.HeaderTimeout, as
// setHeaderDeadline does reads.
func (t *Transport) setWriteDeadline(uc *upstreamConn) {
	if t.HeaderTimeout > 0 && refresh(&uc.wdeadline, t.HeaderTimeout) {
		uc.conn.SetWriteDeadline(uc.wdeadline)
	}
}

// refresh moves *d to timeout from now, and reports true, unless *d is
// already a little (a twentieth of the timeout, at most a second) earlier.
func refresh(d *time.Time, timeout time.Duration) bool {
	want := time.Now().Add(timeout)
	slack := min(timeout/20, time.Second)
	if diff := want.Sub(*d); !d.IsZero() && diff >= 0 && diff < slack {
		return false
	}
	*d = want
	return true
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
		// put found nothing buffered, in the reader or inside TLS: what
		// came since is in the socket.
		if now.Sub(uc.lastUsed) < t.IdleTimeout && peek(uc.raw) == peekEmpty {
			return uc, true, nil
		}
		uc.conn.Close() // too old, closed by the upstream, or bytes came while it was idle
	}
	c, err := t.Dial(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	uc = &upstreamConn{conn: c, raw: c}
	if t.scheme == "https" {
		// The record reader keeps every byte of a record TLS has not yet
		// asked for in the socket, where peek sees it.
		tc := tls.Client(&recordConn{Conn: c}, t.TLSConfig)
		hctx := ctx
		if t.HeaderTimeout > 0 {
			var cancel context.CancelFunc
			hctx, cancel = context.WithTimeout(ctx, t.HeaderTimeout)
			defer cancel()
		}
		if err := tc.HandshakeContext(hctx); err != nil {
			c.Close()
			return nil, false, err
		}
		if p := tc.ConnectionState().NegotiatedProtocol; p != "" && p != "http/1.1" {
			c.Close()
			return nil, false, fmt.Errorf("h1: the upstream chose protocol %q; only http/1.1 is offered", p)
		}
		uc.conn, uc.tls = tc, tc
	}
	uc.lr = limitedReader{r: uc.conn, n: math.MaxInt64}
	uc.bw = bufio.NewWriterSize(uc.conn, 4<<10)
	uc.br = bufio.NewReaderSize(&uc.lr, 4<<10)
	return uc, false, nil
}

// clean reports whether uc holds no byte past the answer it carried:
// nothing in its reader, nothing in the socket, nothing decrypted and
// waiting inside TLS. It must be called only while nothing else reads uc.
func (uc *upstreamConn) clean() bool {
	if uc.br.Buffered() > 0 || peek(uc.raw) != peekEmpty {
		return false
	}
	if uc.tls == nil {
		return true
	}
	// A read past its deadline returns what TLS holds decrypted, and
	// touches the socket not at all. (peek, first, needs a deadline not
	// yet passed.)
	uc.conn.SetReadDeadline(aLongTimeAgo)
	var b [1]byte
	n, err := uc.tls.Read(b[:])
	var ne net.Error
	if n > 0 || !errors.As(err, &ne) || !ne.Timeout() {
		return false
	}
	uc.deadline = time.Time{}
	uc.conn.SetReadDeadline(uc.deadline)
	return true
}

// put returns uc to the pool, or closes it when the pool is full or bytes
// follow the answer it carried.
func (t *Transport) put(uc *upstreamConn) {
	if !uc.clean() {
		uc.conn.Close()
		return
	}
	uc.lastUsed = time.Now()
	uc.uses++
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

// recordConn is the socket under a TLS client. It never reads past the end
// of the TLS record being read (a header first, then its body), so that
// bytes of a record TLS has not asked for stay in the socket, where peek
// sees them, and none hide in TLS's own buffer of raw bytes.
type recordConn struct {
	net.Conn
	hdr  [5]byte
	nh   int // bytes of the current record's header read
	left int // bytes of its body still to read
}

func (c *recordConn) Read(p []byte) (int, error) {
	if c.nh < len(c.hdr) {
		n, err := c.Conn.Read(p[:min(len(p), len(c.hdr)-c.nh)])
		copy(c.hdr[c.nh:], p[:n])
		if c.nh += n; c.nh == len(c.hdr) {
			c.left = int(c.hdr[3])<<8 | int(c.hdr[4])
			if c.left == 0 {
				c.nh = 0
			}
		}
		return n, err
	}
	n, err := c.Conn.Read(p[:min(len(p), c.left)])
	if c.left -= n; c.left == 0 {
		c.nh = 0
	}
	return n, err
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
