// Package h1 is corskit's hand-written HTTP/1.1: a server loop for simple
// requests that hands every other connection to net/http's server. It stays
// only while the differential tests beside it (and the gateway's
// hostile-upstream harness) find it answering as net/http's server does;
// the rule is in docs/proxy.md.
package h1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves plain HTTP/1.1 connections itself while their requests are
// simple (see parseHead): no body, no upgrade, a head that fits in 8 KiB
// and uses no rare or ambiguous syntax. At the first request that is not,
// it hands the connection, that request's bytes still unread, to the
// listener Handoffs returns, which net/http's Server serves from then on.
// So every request is served by one of two HTTP/1.1 servers, and anything
// unusual by the standard library's.
//
// net/http's server costs twice what a preflight does (a context, a
// background read and its goroutine per request); this loop does not, which
// is what lets a gateway answer preflights as fast as nginx. What net/http
// does with those costs it does otherwise: one reaper goroutine enforces the
// timeouts and notices clients that hang up in mid-request.
type Server struct {
	// Handler serves the requests.
	Handler http.Handler
	// Preflight, if set, answers an allowed CORS preflight without an
	// http.Request: it appends the answer's header lines to dst and
	// returns its status, or false to have the preflight served by Handler
	// as any request. path is the request's path, free of percent-escapes,
	// dot segments, backslashes, semicolons and doubled slashes.
	Preflight func(dst []byte, path string, origin, acrm, acrh, pna []string) ([]byte, int, bool)
	// Fallback is the net/http server that serves Handoffs(); requests of
	// both servers carry it under http.ServerContextKey, so that handlers
	// (httputil.ReverseProxy among them) abort a response they cannot
	// finish. Serve does not start it.
	Fallback *http.Server
	// ReadHeaderTimeout bounds a head from a new connection's accept, or a
	// kept-alive one's first byte, to the head's end, hand-off included;
	// zero for none, as in net/http's Server.
	ReadHeaderTimeout time.Duration
	// IdleTimeout bounds the wait for a kept-alive connection's next
	// request; zero for none.
	IdleTimeout time.Duration
	// WriteTimeout cuts off a client that takes none of its answer for this
	// long; zero for none.
	WriteTimeout time.Duration
	// Logger receives panics and accept errors; nil discards them.
	Logger *slog.Logger
	// OnHandoff, if set, is called once per connection handed off, after
	// net/http's server has taken it.
	OnHandoff func()

	handoffOnce  sync.Once
	handoff      *connQueue
	baseCtx      context.Context // with http.ServerContextKey
	shuttingDown atomic.Bool
	clock        atomic.Int64 // Unix nanoseconds, as of the reaper's last tick
	mu           sync.Mutex   // guards conns
	conns        map[*fastConn]struct{}
	done         sync.WaitGroup
}

// maxFastHead is the largest request head the fast path reads; a larger one
// goes to net/http.
const maxFastHead = 8 << 10

// fastConn is one client connection on the fast path.
type fastConn struct {
	conn    net.Conn
	br      *bufio.Reader
	bw      *bufio.Writer
	scratch []byte       // a preflight's header lines
	state   atomic.Int32 // a conn* constant
	since   atomic.Int64 // when state last changed, by Server.clock
	// writing is when the write in progress began, by Server.clock; zero
	// when none is.
	writing atomic.Int64
	// watch guards cancel while a handler runs: the reaper cancels the
	// request when the client hangs up.
	watch  sync.Mutex
	cancel context.CancelCauseFunc // nil when no handler runs
}

// A fast connection's states, for the reaper and for shutdown.
const (
	connBusy        int32 = iota // serving, or writing: no read timeout
	connNew                      // waiting for the first request: ReadHeaderTimeout
	connIdle                     // waiting for another request: IdleTimeout
	connReadingHead              // a head has begun: ReadHeaderTimeout
)

// errClientGone is the cause of a request's cancellation when its client
// hangs up.
var errClientGone = errors.New("h1: the client closed the connection")

// Handoffs is the listener whose connections are the ones the fast path
// hands over; serve it with Fallback.
func (s *Server) Handoffs() net.Listener {
	s.init()
	return s.handoff
}

func (s *Server) init() {
	s.handoffOnce.Do(func() {
		s.handoff = newConnQueue()
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		fallback := s.Fallback
		if fallback == nil {
			fallback = &http.Server{}
		}
		s.baseCtx = context.WithValue(context.Background(), http.ServerContextKey, fallback)
	})
}

// Serve accepts connections on ln until it is closed.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	s.handoff.setAddr(ln.Addr())
	s.clock.Store(time.Now().UnixNano())
	stop := make(chan struct{})
	defer close(stop)
	go s.reap(stop)
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// E.g. out of file descriptors: wait, as net/http's server does,
			// rather than stop serving.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.Logger.Warn("accept failed; retrying", "error", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		fc := &fastConn{conn: c, br: bufio.NewReaderSize(c, maxFastHead)}
		fc.bw = bufio.NewWriterSize(timedWriter{fc, s}, 4<<10)
		if !s.track(fc) {
			c.Close()
			continue
		}
		go s.serveConn(fc)
	}
}

// timedWriter writes to a client, marking when each write begins so that
// the reaper can cut off a client that stops reading.
type timedWriter struct {
	fc *fastConn
	s  *Server
}

func (w timedWriter) Write(p []byte) (int, error) {
	w.fc.writing.Store(w.s.clock.Load())
	n, err := w.fc.conn.Write(p)
	w.fc.writing.Store(0)
	return n, err
}

func (s *Server) track(fc *fastConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown.Load() {
		return false
	}
	if s.conns == nil {
		s.conns = map[*fastConn]struct{}{}
	}
	s.conns[fc] = struct{}{}
	s.done.Add(1)
	return true
}

func (s *Server) untrack(fc *fastConn) {
	s.mu.Lock()
	delete(s.conns, fc)
	s.mu.Unlock()
	s.done.Done()
}

// setState records fc's state; it reports false when the server is
// shutting down and fc should close instead. With shutdown's order (flag,
// then the waiting ones interrupted), a waiting connection is either
// interrupted or sees the flag.
func (s *Server) setState(fc *fastConn, state int32) bool {
	return s.setStateSince(fc, state, s.clock.Load())
}

func (s *Server) setStateSince(fc *fastConn, state int32, since int64) bool {
	fc.since.Store(since)
	fc.state.Store(state)
	return !s.shuttingDown.Load()
}

// reap enforces the timeouts, to a tick's precision, and cancels the
// requests of clients that hung up, until stop is closed: a deadline per
// connection would arm a runtime timer per request, and a background read
// per request would cost a goroutine, both a large share of a preflight.
// It holds the lock only to copy the set of connections: the checks, a
// system call per busy connection, run without it.
func (s *Server) reap(stop <-chan struct{}) {
	t := time.NewTicker(reapTick(s.ReadHeaderTimeout, s.IdleTimeout, s.WriteTimeout))
	defer t.Stop()
	var conns []*fastConn
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			s.clock.Store(now.UnixNano())
			conns = s.tracked(conns[:0])
			for _, fc := range conns {
				s.check(fc, now.UnixNano())
			}
			clear(conns) // no reference kept to a connection that ends
		}
	}
}

// reapTick is the reaper's period: a tenth of the shortest timeout, within
// 10 ms and 1 s; 100 ms when there is none, for noticing hang-ups.
func reapTick(timeouts ...time.Duration) time.Duration {
	shortest := time.Duration(0)
	for _, d := range timeouts {
		if d > 0 && (shortest == 0 || d < shortest) {
			shortest = d
		}
	}
	if shortest == 0 {
		return 100 * time.Millisecond
	}
	return min(max(shortest/10, 10*time.Millisecond), time.Second)
}

// tracked appends the connections being served to dst.
func (s *Server) tracked(dst []*fastConn) []*fastConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for fc := range s.conns {
		dst = append(dst, fc)
	}
	return dst
}

// check applies fc's timeouts as of now and notices a hang-up. A zero
// timeout is none, as in net/http's Server. fc may have ended since it was
// listed: its connection then refuses the deadlines and the peek.
func (s *Server) check(fc *fastConn, now int64) {
	waited := time.Duration(now - fc.since.Load())
	switch fc.state.Load() {
	case connNew, connReadingHead:
		if expired(waited, s.ReadHeaderTimeout) {
			fc.conn.SetReadDeadline(aLongTimeAgo)
		}
	case connIdle:
		if expired(waited, s.IdleTimeout) {
			fc.conn.SetReadDeadline(aLongTimeAgo)
		}
	case connBusy:
		if fc.watch.TryLock() {
			if fc.cancel != nil && peek(fc.conn) == peekClosed {
				fc.cancel(errClientGone)
			}
			fc.watch.Unlock()
		}
	}
	if w := fc.writing.Load(); w != 0 && expired(time.Duration(now-w), s.WriteTimeout) {
		fc.conn.SetWriteDeadline(aLongTimeAgo)
	}
}

// expired reports whether waited has reached timeout; never when timeout
// is zero, which means none.
func expired(waited, timeout time.Duration) bool {
	return timeout > 0 && waited >= timeout
}

// aLongTimeAgo is a deadline that has passed: setting it interrupts I/O.
var aLongTimeAgo = time.Unix(1, 0)

// serveConn serves fc's requests until it closes, fails, or is handed off.
func (s *Server) serveConn(fc *fastConn) {
	handedOff := false
	defer s.endConn(fc, &handedOff)
	handedOff = s.serveRequests(fc)
}

// endConn, deferred by serveConn, closes fc unless it was handed off. A
// handler that gave up on its answer (ErrAbortHandler: e.g. the upstream's
// body was cut short) or failed costs the connection: what it wrote and
// was not yet sent is dropped, so that the client cannot take a part for
// the whole.
func (s *Server) endConn(fc *fastConn, handedOff *bool) {
	if err := recover(); err != nil {
		fc.bw.Reset(io.Discard)
		if err != http.ErrAbortHandler {
			s.Logger.Error("panic serving a request", "error", err, "stack", string(debug.Stack()))
		}
	}
	if !*handedOff {
		fc.conn.Close()
	}
	s.untrack(fc)
}

// session is what serving a fast connection keeps between its requests.
type session struct {
	fc        *fastConn
	w         *response
	sh        simpleHead
	remote    string
	waiting   int32     // the state between requests: connNew, then connIdle
	headStart time.Time // of the head being read: the accept, then each request's first byte
	afterPost bool      // the last request read was a POST
}

// next is what a connection does after a step.
type next int

const (
	nextRequest next = iota // serve the next request
	nextClose               // close the connection
	nextHandOff             // hand it to net/http's server
)

// serveRequests serves fc's requests, one step at a time: wait for a
// head, then serve it or hand the connection off. It reports whether fc
// was handed off.
func (s *Server) serveRequests(fc *fastConn) bool {
	ss := &session{fc: fc, w: &response{bw: fc.bw, closing: &s.shuttingDown},
		remote: fc.conn.RemoteAddr().String(), waiting: connNew, headStart: time.Now()}
	for {
		head, step := s.nextHead(ss)
		if step == nextRequest {
			step = s.serveHead(ss, head)
		}
		switch step {
		case nextClose:
			return false
		case nextHandOff:
			return s.handOff(fc, ss.headStart)
		}
	}
}

// awaitRequest waits, in the state between requests, for the first byte
// of the next one; false if the connection is to close.
func (s *Server) awaitRequest(ss *session) bool {
	fc := ss.fc
	if !s.setState(fc, ss.waiting) {
		return false
	}
	if ss.waiting == connIdle && fc.br.Buffered() == 0 {
		// The client has just had its answer and is unlikely to have
		// sent its next request yet: serve other connections first
		// rather than read now, fail with EAGAIN, park and be woken.
		runtime.Gosched()
	}
	if _, err := fc.br.Peek(1); err != nil {
		return false
	}
	return s.setState(fc, connBusy)
}

// nextHead waits for the next request's head and returns it, unconsumed;
// a nil head if it does not fit in the buffer. It hands the connection off
// when the client stopped sending in mid-head.
func (s *Server) nextHead(ss *session) ([]byte, next) {
	fc := ss.fc
	if !s.awaitRequest(ss) {
		return nil, nextClose
	}
	if ss.afterPost {
		s.skipLineEnds(fc)
	}
	head, err := peekHead(fc.br)
	if ss.waiting == connIdle && head == nil {
		ss.headStart = time.Now() // only a head not all here needs its start
	}
	ss.waiting = connIdle
	if head == nil && err == nil && fc.br.Buffered() < fc.br.Size() {
		// The head is not all here: the client has what is left of
		// ReadHeaderTimeout to send the rest. Answers to earlier
		// pipelined requests go out before the wait, as net/http's do.
		if fc.bw.Buffered() > 0 && fc.bw.Flush() != nil {
			return nil, nextClose
		}
		s.setStateSince(fc, connReadingHead, ss.headStart.UnixNano())
		head, err = readHead(fc.br)
		s.setState(fc, connBusy)
	}
	if err != nil {
		// Answers to earlier pipelined requests go out first.
		if fc.bw.Flush() != nil || !errors.Is(err, io.EOF) || fc.br.Buffered() == 0 {
			return nil, nextClose // the client was too slow to send its headers, or is gone
		}
		// The client stopped sending in mid-head: net/http's server
		// answers what it makes of it, as it would alone.
		return nil, nextHandOff
	}
	return head, nextRequest
}

// skipLineEnds drops the CRs and LFs that start the next four bytes, as
// net/http's server does after a POST (a tolerance for old clients that
// end a body with a CRLF it does not count), so that the two servers read
// the request after it alike. It waits for the four bytes, as net/http's
// does, within ReadHeaderTimeout.
func (s *Server) skipLineEnds(fc *fastConn) {
	if b, _ := fc.br.Peek(1); len(b) == 0 || b[0] != '\r' && b[0] != '\n' {
		return
	}
	if fc.br.Buffered() < 4 {
		s.setState(fc, connReadingHead)
		defer s.setState(fc, connBusy)
	}
	b, _ := fc.br.Peek(4)
	n := 0
	for n < len(b) && (b[n] == '\r' || b[n] == '\n') {
		n++
	}
	fc.br.Discard(n)
}

// serveHead serves the request whose head is head (nil if it did not fit),
// or has it handed off if the fast path does not serve it.
func (s *Server) serveHead(ss *session, head []byte) next {
	fc := ss.fc
	var req *http.Request
	if head != nil && parseHead(head, &ss.sh) {
		ss.afterPost = ss.sh.method == http.MethodPost
		if ss.sh.isPreflight() && s.preflight(fc, &ss.sh) {
			return s.preflightSent(fc, len(head), ss.sh.close)
		}
		req = ss.sh.request(ss.remote)
	}
	if req == nil {
		// Answers to earlier pipelined requests go out first.
		if fc.bw.Flush() != nil {
			return nextClose
		}
		return nextHandOff
	}
	fc.br.Discard(len(head))
	// Earlier pipelined answers go out now, so that an aborted answer
	// costs only itself.
	if fc.bw.Buffered() > 0 && fc.bw.Flush() != nil {
		return nextClose
	}
	if !s.serveRequest(fc, ss.w, req) {
		return nextClose
	}
	return nextRequest
}

// preflightSent consumes the head (n bytes) of a preflight just answered
// and sends the answers buffered unless more pipelined requests wait, so
// that their answers go out together.
func (s *Server) preflightSent(fc *fastConn, n int, close bool) next {
	fc.br.Discard(n)
	last := close || s.shuttingDown.Load()
	if fc.br.Buffered() == 0 || last {
		if fc.bw.Flush() != nil || last {
			return nextClose
		}
	}
	return nextRequest
}

// serveRequest runs the handler for req, with a context that ends when the
// client hangs up or the handler returns, and finishes the answer. It
// reports whether the connection can serve another request.
func (s *Server) serveRequest(fc *fastConn, w *response, req *http.Request) bool {
	ctx, cancel := context.WithCancelCause(s.baseCtx)
	req = req.WithContext(ctx)
	fc.watch.Lock()
	fc.cancel = cancel
	fc.watch.Unlock()
	defer func() {
		fc.watch.Lock()
		fc.cancel = nil
		fc.watch.Unlock()
		cancel(nil)
	}()
	w.reset(req)
	s.Handler.ServeHTTP(w, req)
	// Answers to pipelined requests go out together.
	return w.finish(fc.br.Buffered() == 0)
}

// handOff gives fc to net/http's server, and counts it with OnHandoff;
// headStart is when the head it will read began, from which
// ReadHeaderTimeout still runs. Every hand-off goes through here.
func (s *Server) handOff(fc *fastConn, headStart time.Time) bool {
	bc := &bufferedConn{Conn: fc.conn, r: fc.br}
	if s.ReadHeaderTimeout > 0 {
		bc.headDeadline = headStart.Add(s.ReadHeaderTimeout)
	}
	if !s.handoff.push(bc) {
		return false
	}
	if s.OnHandoff != nil {
		s.OnHandoff()
	}
	return true
}

// preflight answers h, a preflight, if the handler can answer it directly.
// A preflight is the request a browser sends most often and the simplest to
// answer: this path spares it the http.Request, the header maps and the
// ResponseWriter.
func (s *Server) preflight(fc *fastConn, h *simpleHead) bool {
	path, _, _ := strings.Cut(h.target, "?")
	if s.Preflight == nil || !isPlainPath(path) {
		return false // the path needs decoding or checking: the general path does it
	}
	origin, ok1 := h.origin.values()
	acrm, ok2 := h.acrm.values()
	acrh, ok3 := h.acrh.values()
	pna, ok4 := h.pna.values()
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false
	}
	lines, status, ok := s.Preflight(fc.scratch[:0], path, origin, acrm, acrh, pna)
	if !ok {
		return false
	}
	fc.scratch = lines
	bw := fc.bw
	writeStatusLine(bw, status)
	bw.Write(lines)
	bw.WriteString("Date: ")
	bw.WriteString(httpDate())
	bw.WriteString("\r\n")
	if status != http.StatusNoContent {
		bw.WriteString("Content-Length: 0\r\n")
	}
	if h.close || s.shuttingDown.Load() {
		bw.WriteString("Connection: close\r\n")
	}
	bw.WriteString("\r\n")
	return true
}

// peekHead returns the head at the start of br's buffer (up to and
// including the empty line that ends it) without consuming it; nil if it is
// not all buffered yet.
func peekHead(br *bufio.Reader) ([]byte, error) {
	buf, err := br.Peek(br.Buffered())
	if n := headEnd(buf); n >= 0 {
		return buf[:n], nil
	}
	return nil, err
}

// readHead reads until br's buffer holds the whole head and returns it,
// unconsumed; nil if it does not fit in the buffer.
func readHead(br *bufio.Reader) ([]byte, error) {
	for {
		buf, _ := br.Peek(br.Buffered())
		if n := headEnd(buf); n >= 0 {
			return buf[:n], nil
		}
		if len(buf) == br.Size() {
			return nil, nil
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			return nil, err
		}
	}
}

// headEnd is the length of the head at the start of buf, through the first
// empty line, or -1 if buf holds no empty line. Lines end as net/http reads
// them, in LF with or without a CR before it, so that the two servers agree
// on where a head ends; the fast path then takes only CRLF heads.
func headEnd(buf []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch {
		case i < len(buf) && buf[i] == '\n':
			return i + 1
		case i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n':
			return i + 2
		}
	}
}

// Shutdown stops the fast path once its listener is closed: idle
// connections close now, busy ones after their current request. It waits
// for them until ctx ends, then closes them. Fallback's own Shutdown closes
// the handoff listener.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shuttingDown.Store(true)
	// No connection is tracked from now on (see track): the list is
	// complete, and is acted on without the lock.
	conns := s.tracked(nil)
	for _, fc := range conns {
		if fc.state.Load() != connBusy {
			fc.conn.SetReadDeadline(aLongTimeAgo)
		}
	}
	finished := make(chan struct{})
	go func() { s.done.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		for _, fc := range conns {
			fc.conn.Close()
		}
		return ctx.Err()
	}
}

// isPlainPath reports whether path needs no decoding nor checking before a
// route is chosen for it: no percent-escape, fragment, backslash,
// semicolon, doubled slash or dot segment.
func isPlainPath(path string) bool {
	return !strings.ContainsAny(path, "%#\\;") && !strings.Contains(path, "//") && !strings.Contains(path, "/.")
}

// bufferedConn is a connection handed off, whose first bytes are still in r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
	// headDeadline is when the head net/http reads first must have ended;
	// zero for no limit.
	headDeadline time.Time
	first        atomic.Bool // the first read deadline has been set
}

// Read reads what r holds, then the connection.
func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// SetReadDeadline sets the read deadline. net/http's server first sets the
// deadline of the head it reads: it is held to headDeadline, so that a
// hand-off does not give a slow client ReadHeaderTimeout anew.
func (c *bufferedConn) SetReadDeadline(t time.Time) error {
	if !c.first.Swap(true) && !c.headDeadline.IsZero() && (t.IsZero() || t.After(c.headDeadline)) {
		t = c.headDeadline
	}
	return c.Conn.SetReadDeadline(t)
}

// connQueue is a net.Listener whose connections are the ones handed to it.
type connQueue struct {
	addr   atomic.Pointer[net.Addr]
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newConnQueue() *connQueue {
	return &connQueue{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (q *connQueue) setAddr(a net.Addr) { q.addr.Store(&a) }

// push hands c to the queue's server; false if the queue is closed.
func (q *connQueue) push(c net.Conn) bool {
	select {
	case q.conns <- c:
		return true
	case <-q.closed:
		return false
	}
}

// Accept returns the next connection handed over.
func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.conns:
		return c, nil
	case <-q.closed:
		return nil, net.ErrClosed
	}
}

// Close stops the queue: Accept and push fail from then on.
func (q *connQueue) Close() error {
	q.once.Do(func() { close(q.closed) })
	return nil
}

// Addr is the address of the listener the connections came from.
func (q *connQueue) Addr() net.Addr {
	if a := q.addr.Load(); a != nil {
		return *a
	}
	return &net.TCPAddr{}
}
