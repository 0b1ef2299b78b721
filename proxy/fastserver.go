package proxy

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

// fastServer serves plain HTTP/1.1 connections itself while their requests
// are simple (see parseHead): no body, no upgrade, a head that fits
// in 8 KiB and uses no rare or ambiguous syntax. At the first request that
// is not, it hands the connection, that request's bytes still unread, to
// net/http's Server, which serves it from then on. So every request is
// served by one of two HTTP/1.1 servers, and anything unusual by the
// standard library's.
//
// net/http's server costs twice what a preflight does (a context, a
// background read and its goroutine per request); this loop does not, which
// is what lets the gateway answer preflights as fast as nginx.
type fastServer struct {
	handler           http.Handler
	handoff           *connQueue
	readHeaderTimeout time.Duration
	idleTimeout       time.Duration
	logger            *slog.Logger
	onHandoff         func() // counts hand-offs; may be nil

	shuttingDown atomic.Bool
	clock        atomic.Int64 // Unix nanoseconds, as of the reaper's last tick
	mu           sync.Mutex   // guards conns
	conns        map[*fastConn]struct{}
	done         sync.WaitGroup
}

// maxFastHead is the largest request head the fast path reads; a larger one
// goes to net/http, whose limit is ServerOptions' 64 KiB.
const maxFastHead = 8 << 10

// fastConn is one client connection on the fast path.
type fastConn struct {
	conn    net.Conn
	br      *bufio.Reader
	bw      *bufio.Writer
	scratch []byte       // a preflight's header lines
	state   atomic.Int32 // a conn* constant
	since   atomic.Int64 // when state last changed, by fastServer.clock
}

// A fast connection's states, for the reaper and for shutdown.
const (
	connBusy        int32 = iota // serving, or writing: no read timeout
	connNew                      // waiting for the first request: ReadHeaderTimeout
	connIdle                     // waiting for another request: IdleTimeout
	connReadingHead              // a head has begun: ReadHeaderTimeout
)

// serve accepts connections on ln until it is closed.
func (s *fastServer) serve(ln net.Listener) error {
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
			s.logger.Warn("accept failed; retrying", "error", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		fc := &fastConn{conn: c, br: bufio.NewReaderSize(c, maxFastHead), bw: bufio.NewWriterSize(c, 4<<10)}
		if !s.track(fc) {
			c.Close()
			continue
		}
		go s.serveConn(fc)
	}
}

func (s *fastServer) track(fc *fastConn) bool {
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

func (s *fastServer) untrack(fc *fastConn) {
	s.mu.Lock()
	delete(s.conns, fc)
	s.mu.Unlock()
	s.done.Done()
}

// setState records fc's state; it reports false when the server is
// shutting down and fc should close instead. With shutdown's order (flag,
// then the waiting ones interrupted), a waiting connection is either
// interrupted or sees the flag.
func (s *fastServer) setState(fc *fastConn, state int32) bool {
	fc.since.Store(s.clock.Load())
	fc.state.Store(state)
	return !s.shuttingDown.Load()
}

// reap enforces the read timeouts, to a tick's precision, until stop is
// closed: a deadline per connection would arm a runtime timer per request,
// which costs the fast path a sixth of its speed.
func (s *fastServer) reap(stop <-chan struct{}) {
	tick := min(max(min(s.readHeaderTimeout, s.idleTimeout)/10, 10*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			s.clock.Store(now.UnixNano())
			s.mu.Lock()
			for fc := range s.conns {
				waited := time.Duration(now.UnixNano() - fc.since.Load())
				switch fc.state.Load() {
				case connNew, connReadingHead:
					if waited >= s.readHeaderTimeout {
						fc.conn.SetReadDeadline(aLongTimeAgo)
					}
				case connIdle:
					if waited >= s.idleTimeout {
						fc.conn.SetReadDeadline(aLongTimeAgo)
					}
				}
			}
			s.mu.Unlock()
		}
	}
}

// serveConn serves fc's requests until it closes, fails, or is handed off.
func (s *fastServer) serveConn(fc *fastConn) {
	handedOff := false
	defer func() {
		if err := recover(); err != nil && err != http.ErrAbortHandler {
			s.logger.Error("panic serving a request", "error", err, "stack", string(debug.Stack()))
		}
		if !handedOff {
			fc.conn.Close()
		}
		s.untrack(fc)
	}()
	remote := fc.conn.RemoteAddr().String()
	w := &fastResponse{bw: fc.bw, closing: &s.shuttingDown}
	var sh simpleHead
	waiting := connNew
	for {
		if !s.setState(fc, waiting) {
			return
		}
		if waiting == connIdle && fc.br.Buffered() == 0 {
			// The client has just had its answer and is unlikely to have
			// sent its next request yet: serve other connections first
			// rather than read now, fail with EAGAIN, park and be woken.
			runtime.Gosched()
		}
		waiting = connIdle
		if _, err := fc.br.Peek(1); err != nil {
			return
		}
		if !s.setState(fc, connBusy) {
			return
		}
		head, err := peekHead(fc.br)
		if head == nil && err == nil && fc.br.Buffered() < fc.br.Size() {
			// The head is not all here: the client has ReadHeaderTimeout
			// to send the rest.
			s.setState(fc, connReadingHead)
			head, err = readHead(fc.br)
			s.setState(fc, connBusy)
		}
		if err != nil {
			// Answers to earlier pipelined requests go out first.
			if fc.bw.Flush() != nil || !errors.Is(err, io.EOF) || fc.br.Buffered() == 0 {
				return // the client was too slow to send its headers, or is gone
			}
			// The client stopped sending in mid-head: net/http's server
			// answers what it makes of it, as it would alone.
			handedOff = s.handoff.push(&bufferedConn{Conn: fc.conn, r: fc.br})
			return
		}
		var req *http.Request
		if head != nil && parseHead(head, &sh) {
			if sh.isPreflight() && s.preflight(fc, &sh) {
				fc.br.Discard(len(head))
				last := sh.close || s.shuttingDown.Load()
				if fc.br.Buffered() == 0 || last { // answers to pipelined requests go out together
					if fc.bw.Flush() != nil || last {
						return
					}
				}
				continue
			}
			req = sh.request(remote)
		}
		if req == nil {
			// Answers to earlier pipelined requests go out first.
			if fc.bw.Flush() != nil {
				return
			}
			handedOff = s.handoff.push(&bufferedConn{Conn: fc.conn, r: fc.br})
			if handedOff && s.onHandoff != nil {
				s.onHandoff()
			}
			return
		}
		fc.br.Discard(len(head))
		w.reset(req)
		s.handler.ServeHTTP(w, req)
		// Answers to pipelined requests go out together.
		if !w.finish(fc.br.Buffered() == 0) {
			return
		}
	}
}

// preflightAnswerer is a handler that can answer an allowed preflight
// without an http.Request: it appends the answer's header lines to dst and
// returns its status, or false to have the preflight served as any request.
type preflightAnswerer interface {
	answerPreflight(dst []byte, path string, origin, acrm, acrh, pna []string) ([]byte, int, bool)
}

// preflight answers h, a preflight, if the handler can answer it directly.
// A preflight is the request a browser sends most often and the simplest to
// answer: this path spares it the http.Request, the header maps and the
// ResponseWriter.
func (s *fastServer) preflight(fc *fastConn, h *simpleHead) bool {
	pa, ok := s.handler.(preflightAnswerer)
	path, _, _ := strings.Cut(h.target, "?")
	if !ok || strings.ContainsAny(path, "%#") {
		return false // the path would need decoding: the general path does it
	}
	origin, ok1 := h.origin.values()
	acrm, ok2 := h.acrm.values()
	acrh, ok3 := h.acrh.values()
	pna, ok4 := h.pna.values()
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false
	}
	lines, status, ok := pa.answerPreflight(fc.scratch[:0], path, origin, acrm, acrh, pna)
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

// shutdown stops the fast path: the listener is already closed; idle
// connections close now, busy ones after their current request. It waits
// for them until ctx ends.
func (s *fastServer) shutdown(ctx context.Context) error {
	s.shuttingDown.Store(true)
	s.mu.Lock()
	for fc := range s.conns {
		if fc.state.Load() != connBusy {
			fc.conn.SetReadDeadline(aLongTimeAgo)
		}
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() { s.done.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for fc := range s.conns {
			fc.conn.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// bufferedConn is a connection whose first bytes are still in r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

// Read reads what r holds, then the connection.
func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// connQueue is a net.Listener whose connections are the ones handed to it.
type connQueue struct {
	addr   net.Addr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newConnQueue(addr net.Addr) *connQueue {
	return &connQueue{addr: addr, conns: make(chan net.Conn), closed: make(chan struct{})}
}

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
func (q *connQueue) Addr() net.Addr { return q.addr }
