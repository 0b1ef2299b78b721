package proxy

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/corskit/corskit/internal/h1"
	"github.com/corskit/corskit/internal/urls"
)

// ServerOptions are the gateway's listeners.
type ServerOptions struct {
	// Listen is the gateway's address; default 127.0.0.1:8080.
	Listen string
	// AdminListen serves /healthz, /readyz and /metrics; empty for none.
	AdminListen string
	// TLSCert and TLSKey, both set, make the gateway serve HTTPS.
	TLSCert, TLSKey string
	// ShutdownTimeout bounds the wait for in-flight requests on shutdown;
	// default 30 s.
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout cuts off a client that is slow to send its headers;
	// default 10 s.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout cuts off a client that sends nothing of its
	// request's body for this long, with a 408 and the upstream request
	// aborted (nginx's client_body_timeout); default 60 s. A body of up to
	// 64 KiB is read before the request goes upstream, so that a client
	// that stalls in it holds no upstream connection; a larger one streams.
	// It applies to the Gateway as Serve serves it; served by another
	// server, the Gateway uses the last Serve's, or 60 s.
	BodyReadTimeout time.Duration
	// WriteTimeout cuts off a client that reads nothing of its answer for
	// this long; default 60 s.
	WriteTimeout time.Duration
	// StandardServer serves every request with net/http's server. By
	// default, plain-HTTP requests without a body or an upgrade are served
	// by a lean HTTP/1.1 loop, twice as fast, and all others by net/http's
	// server (see internal/h1); TLS always uses net/http's.
	StandardServer bool
	// Started, if set, receives the gateway's and the admin listener's
	// addresses once both listen.
	Started func(addr, admin string)
}

// Serve listens and serves until ctx ends, then shuts down gracefully:
// in-flight requests finish, new connections are refused.
func (g *Gateway) Serve(ctx context.Context, o ServerOptions) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	g.bodyReadTimeout.Store(int64(o.BodyReadTimeout))
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("proxy: ServerOptions.TLSCert and ServerOptions.TLSKey must be set together")
	}
	errLog := slog.NewLogLogger(g.logger.Handler(), slog.LevelWarn)
	srv := &http.Server{
		Handler:           g,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errLog,
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("proxy: listen on %s: %w", o.Listen, err)
	}
	admin, adminAddr, err := g.startAdmin(o.AdminListen, errLog)
	if err != nil {
		ln.Close()
		return err
	}
	if o.Started != nil {
		o.Started(ln.Addr().String(), adminAddr)
	}
	var fast *h1.Server
	errc := make(chan error, 2)
	switch {
	case o.TLSCert != "":
		go func() { errc <- srv.ServeTLS(writeTimeoutListener{ln, o.WriteTimeout}, o.TLSCert, o.TLSKey) }()
	case o.StandardServer:
		go func() { errc <- srv.Serve(writeTimeoutListener{ln, o.WriteTimeout}) }()
	default:
		fast = &h1.Server{Handler: g, Fallback: srv, Preflight: g.answerPreflight, Logger: g.logger, OnHandoff: g.Metrics.handoffs.Inc,
			ReadHeaderTimeout: o.ReadHeaderTimeout, IdleTimeout: srv.IdleTimeout, WriteTimeout: o.WriteTimeout}
		go func() { errc <- srv.Serve(writeTimeoutListener{fast.Handoffs(), o.WriteTimeout}) }()
		go func() { errc <- fast.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return g.shutdown(o.ShutdownTimeout, ln, srv, fast, admin)
}

// withDefaults returns o with its unset fields at their defaults, or an
// error naming the negative timeouts.
func (o ServerOptions) withDefaults() (ServerOptions, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	if o.ReadHeaderTimeout == 0 {
		o.ReadHeaderTimeout = 10 * time.Second
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = 60 * time.Second
	}
	if o.BodyReadTimeout == 0 {
		o.BodyReadTimeout = defaultBodyReadTimeout
	}
	if o.WriteTimeout < 0 || o.ReadHeaderTimeout < 0 || o.ShutdownTimeout < 0 || o.BodyReadTimeout < 0 {
		return o, fmt.Errorf("proxy: ServerOptions timeouts must not be negative (ReadHeaderTimeout %v, BodyReadTimeout %v, WriteTimeout %v, ShutdownTimeout %v)",
			o.ReadHeaderTimeout, o.BodyReadTimeout, o.WriteTimeout, o.ShutdownTimeout)
	}
	return o, nil
}

// startAdmin serves the admin handler on addr, when it is not empty, and
// returns its server and bound address (nil and "" when addr is empty).
func (g *Gateway) startAdmin(addr string, errLog *log.Logger) (*http.Server, string, error) {
	if addr == "" {
		return nil, "", nil
	}
	aln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("proxy: admin listen on %s: %w", addr, err)
	}
	admin := &http.Server{Handler: g.AdminHandler(g.upstreamReady), ReadHeaderTimeout: 5 * time.Second, ErrorLog: errLog}
	go admin.Serve(aln)
	return admin, aln.Addr().String(), nil
}

// shutdown stops the servers within timeout: the admin one (nil when none),
// the fast path (nil when not used) with its listener ln, then srv; and
// closes the idle upstream connections.
func (g *Gateway) shutdown(timeout time.Duration, ln net.Listener, srv *http.Server, fast *h1.Server, admin *http.Server) error {
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if admin != nil {
		admin.Shutdown(sctx)
	}
	if fast != nil {
		ln.Close()
		if err := fast.Shutdown(sctx); err != nil {
			return fmt.Errorf("proxy: shutdown: %w", err)
		}
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("proxy: shutdown: %w", err)
	}
	g.closeIdleUpstreams()
	return nil
}

// upstreamReady reports whether the upstream accepts connections.
func (g *Gateway) upstreamReady() error {
	c, err := net.DialTimeout("tcp", urls.HostPort(g.cfg.Upstream), 2*time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// writeTimeoutListener gives each connection net/http's server serves a
// write timeout per write: a client that takes nothing for that long is cut
// off, while one that reads a long stream slowly is not (http.Server's
// WriteTimeout bounds a whole answer).
type writeTimeoutListener struct {
	net.Listener
	timeout time.Duration
}

func (l writeTimeoutListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &writeTimeoutConn{Conn: c, timeout: l.timeout}, nil
}

// writeTimeoutConn is a connection whose every write must progress within
// timeout.
type writeTimeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *writeTimeoutConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}
