package proxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// fastServer serves plain HTTP/1.1 connections itself while their requests
// are simple (see parseSimpleRequest): no body, no upgrade, a head that fits
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

	mu           sync.Mutex
	conns        map[*fastConn]struct{}
	shuttingDown bool
	done         sync.WaitGroup
}

// maxFastHead is the largest request head the fast path reads; a larger one
// goes to net/http, whose limit is ServerOptions' 64 KiB.
const maxFastHead = 8 << 10

// fastConn is one client connection on the fast path.
type fastConn struct {
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	idle bool // waiting for a request; guarded by fastServer.mu
}

// serve accepts connections on ln until it is closed.
func (s *fastServer) serve(ln net.Listener) error {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() { // e.g. out of file descriptors
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.logger.Warn("accept failed; retrying", "error", err, "retry_in", delay)
				time.Sleep(delay)
				continue
			}
			return err
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
	if s.shuttingDown {
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

// setIdle marks fc idle or busy; it reports false when the server is
// shutting down and fc should close instead.
func (s *fastServer) setIdle(fc *fastConn, idle bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	fc.idle = idle
	return !s.shuttingDown
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
	w := &fastResponse{bw: fc.bw}
	for {
		if !s.setIdle(fc, true) {
			return
		}
		fc.conn.SetReadDeadline(time.Now().Add(s.idleTimeout))
		if _, err := fc.br.Peek(1); err != nil {
			return
		}
		if !s.setIdle(fc, false) {
			return
		}
		fc.conn.SetReadDeadline(time.Now().Add(s.readHeaderTimeout))
		head, err := peekHead(fc.br)
		if err != nil {
			return // the client closed, or was too slow to send its headers
		}
		var req *http.Request
		if head != nil {
			req = parseSimpleRequest(head, remote)
		}
		if req == nil {
			fc.conn.SetReadDeadline(time.Time{})
			handedOff = s.handoff.push(&bufferedConn{Conn: fc.conn, r: fc.br})
			return
		}
		fc.br.Discard(len(head))
		fc.conn.SetReadDeadline(time.Time{})
		w.reset(req, s.closing())
		s.handler.ServeHTTP(w, req)
		// Answers to pipelined requests go out together.
		if !w.finish(fc.br.Buffered() == 0) {
			return
		}
	}
}

func (s *fastServer) closing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shuttingDown
}

// peekHead returns the request head at the start of br (up to and including
// the blank line) without consuming it, or nil if it does not fit in the
// buffer.
func peekHead(br *bufio.Reader) ([]byte, error) {
	from := 0
	for {
		buf, _ := br.Peek(br.Buffered())
		if i := bytes.Index(buf[from:], []byte("\r\n\r\n")); i >= 0 {
			return buf[:from+i+4], nil
		}
		if len(buf) == br.Size() {
			return nil, nil
		}
		from = max(0, len(buf)-3)
		if _, err := br.Peek(len(buf) + 1); err != nil {
			return nil, err
		}
	}
}

// shutdown stops the fast path: the listener is already closed; idle
// connections close now, busy ones after their current request. It waits
// for them until ctx ends.
func (s *fastServer) shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shuttingDown = true
	for fc := range s.conns {
		if fc.idle {
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

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.conns:
		return c, nil
	case <-q.closed:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) Close() error {
	q.once.Do(func() { close(q.closed) })
	return nil
}

func (q *connQueue) Addr() net.Addr { return q.addr }
