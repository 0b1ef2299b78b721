package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/corskit/corskit/cors/unstable/hooks"
	"github.com/corskit/corskit/internal/h1"
)

// Gateway is the CORS gateway's HTTP handler. It is safe for concurrent use;
// Reload swaps its policies atomically.
type Gateway struct {
	cfg     Config
	routes  atomic.Pointer[routeTable]
	proxy   *httputil.ReverseProxy
	logger  *slog.Logger
	Metrics *Metrics
	// bodyReadTimeout bounds each read of a request's body, in
	// nanoseconds: Serve's ServerOptions.BodyReadTimeout.
	bodyReadTimeout atomic.Int64
}

// New validates cfg and builds the gateway.
func New(cfg Config) (*Gateway, error) {
	g := &Gateway{}
	// Validates cfg and compiles each policy, once.
	t, err := compileRoutes(cfg, http.HandlerFunc(g.forward))
	if err != nil {
		return nil, err
	}
	if cfg.UpstreamTimeout == 0 {
		cfg.UpstreamTimeout = 30 * time.Second
	}
	g.cfg, g.logger, g.Metrics = cfg, cfg.Logger, newMetrics()
	if g.logger == nil {
		g.logger = slog.New(slog.DiscardHandler)
	}
	g.bodyReadTimeout.Store(int64(defaultBodyReadTimeout))
	g.proxy = &httputil.ReverseProxy{
		Rewrite:        g.rewrite,
		Transport:      timedTransport{newTransport(cfg), g.Metrics},
		FlushInterval:  0, // ReverseProxy flushes SSE and chunked bodies as they come; no timer per response
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.errorHandler,
		BufferPool:     bufferPool{}, // without it, 32 KiB is allocated per response
	}
	g.routes.Store(t)
	return g, nil
}

// Reload validates cfg's policies and routes and, if they are valid, puts
// them in force atomically; otherwise the ones in force stay. The upstream
// and the proxy settings are not reloaded.
func (g *Gateway) Reload(cfg Config) error {
	cfg.Upstream = g.cfg.Upstream
	t, err := compileRoutes(cfg, http.HandlerFunc(g.forward))
	if err != nil {
		g.Metrics.reloads.WithLabelValues("error").Inc()
		return err
	}
	g.routes.Store(t)
	g.Metrics.reloads.WithLabelValues("ok").Inc()
	return nil
}

// ServeHTTP applies the matching route's policy and proxies the request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == "TRACE" || r.Method == "TRACK" {
		// TRACE echoes the request, cookies and credentials included, to
		// whoever can make the client send it; nginx refuses it too.
		g.Metrics.count("refused")
		writeJSONError(w, http.StatusMethodNotAllowed, "method not allowed", "the gateway does not forward "+r.Method)
		return
	}
	route, ref := g.routes.Load().pick(r.URL.Path)
	if ref != nil {
		g.Metrics.count("refused")
		writeJSONError(w, http.StatusBadRequest, ref.what, ref.detail)
		return
	}
	// The route's policy decides once: the outcome is counted and logged,
	// and the same decision answers the request.
	d := route.cors.Decide(r)
	outcome := d.Outcome()
	g.Metrics.count(string(outcome))
	if outcome == hooks.PreflightDenied || outcome == hooks.ActualDenied {
		g.logger.LogAttrs(r.Context(), slog.LevelInfo, "cors denied",
			slog.String("outcome", string(outcome)), slog.String("reason", d.Reason()), slog.String("origin", r.Header.Get("Origin")),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Bool("report_only", g.cfg.ReportOnly))
	}
	if g.cfg.ReportOnly {
		g.forward(w, r.WithContext(context.WithValue(r.Context(), reportOnlyKey{}, true)))
		return
	}
	// Browsers do not apply CORS to WebSockets: hold upgrades to the
	// policy's origins here, or any site could open a socket with the user's
	// cookies (cross-site WebSocket hijacking).
	if isWebSocket(r) {
		if o := r.Header.Get("Origin"); o != "" && !route.cors.AllowsOrigin(o) {
			g.Metrics.count("websocket_denied")
			writeJSONError(w, http.StatusForbidden, "websocket origin not allowed", "the origin "+o+" is not in the policy's allowed origins")
			return
		}
	}
	route.cors.Apply(w, r, route.next, &d)
}

// forward proxies r, whose CORS headers the policy has set on w, to the
// upstream. Interim (1xx) answers are forwarded, up to maxInterim, and do
// not take the CORS headers off the final one.
func (g *Gateway) forward(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody {
		var ok bool
		if r, ok = g.readBody(w, r); !ok {
			return
		}
	}
	g.proxy.ServeHTTP(newInterimGuard(w), r)
}

// answerPreflight answers an allowed preflight for the fast path (see
// h1.Server.Preflight), counting it as ServeHTTP does; it declines in
// report-only mode and for preflights the route's policy refuses or passes
// through, which ServeHTTP then serves and logs.
func (g *Gateway) answerPreflight(dst []byte, path string, origin, acrm, acrh, pna []string) ([]byte, int, bool) {
	if g.cfg.ReportOnly {
		return dst, 0, false
	}
	route, ref := g.routes.Load().pick(path)
	if ref != nil {
		return dst, 0, false // ServeHTTP refuses it
	}
	dst, status, ok := route.cors.AppendPreflight(dst, origin, acrm, acrh, pna)
	if ok {
		g.Metrics.count(string(hooks.PreflightAllowed))
	}
	return dst, status, ok
}

type reportOnlyKey struct{}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// clientIPHeaders are the headers, besides X-Forwarded-For, in which
// proxies and CDNs name the client to the application (nginx's X-Real-IP,
// Akamai's True-Client-IP, Cloudflare's CF-Connecting-IP, ...), as
// applications and their libraries (npm's request-ip, Rails' remote_ip)
// read them; in canonical form.
var clientIPHeaders = []string{
	"X-Real-Ip", "X-Client-Ip", "Client-Ip", "True-Client-Ip", "Cf-Connecting-Ip", "Cf-Connecting-Ipv6", "Cf-Pseudo-Ipv4",
	"Do-Connecting-Ip", "Fastly-Client-Ip", "X-Cluster-Client-Ip", "X-Appengine-User-Ip", "X-Forwarded", "Forwarded-For",
	"X-Original-Forwarded-For", "X-Originating-Ip", "X-Remote-Ip", "X-Remote-Addr",
}

// rewrite builds the upstream request: its URL, the Host, and the headers
// that name the client. X-Forwarded-For, X-Forwarded-Host,
// X-Forwarded-Proto and X-Real-IP are set by the gateway, as nginx's
// proxy_set_header conventions do; a client's own X-Forwarded-For (which
// the gateway appends to), X-Real-IP, Forwarded and the other
// clientIPHeaders are kept only from a trusted proxy, and dropped from
// anyone else: an application that reads any of them gets a client's
// address, never a claim the client made.
func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(g.cfg.Upstream)
	if g.trusted(pr.In.RemoteAddr) {
		// ReverseProxy drops these before Rewrite: put the proxy's back.
		for _, k := range []string{"X-Forwarded-For", "Forwarded"} {
			if v := pr.In.Header[k]; len(v) > 0 {
				pr.Out.Header[k] = append([]string(nil), v...)
			}
		}
	} else {
		for _, k := range clientIPHeaders {
			delete(pr.Out.Header, k)
		}
	}
	pr.SetXForwarded()
	if _, ok := pr.Out.Header["X-Real-Ip"]; !ok {
		if ip, _, err := net.SplitHostPort(pr.In.RemoteAddr); err == nil {
			pr.Out.Header["X-Real-Ip"] = []string{ip}
		}
	}
	// A header name with an underscore may reach an application as the
	// dashed name (CGI, PHP, Django, Rack read X_Api_Key as X-Api-Key) and
	// so pass for a header the gateway set or checked; nginx drops them too.
	for k := range pr.Out.Header {
		if strings.IndexByte(k, '_') >= 0 {
			delete(pr.Out.Header, k)
		}
	}
	if g.cfg.PreserveHost {
		pr.Out.Host = pr.In.Host
	}
}

func (g *Gateway) trusted(remote string) bool {
	if len(g.cfg.TrustedProxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	for _, p := range g.cfg.TrustedProxies {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// modifyResponse removes the upstream's own CORS headers, which the
// policy's replace; Vary is left to merge with the gateway's.
func (g *Gateway) modifyResponse(resp *http.Response) error {
	if resp.Request != nil && resp.Request.Context().Value(reportOnlyKey{}) != nil {
		return nil
	}
	for k := range resp.Header {
		if strings.HasPrefix(k, "Access-Control-") {
			delete(resp.Header, k)
		}
	}
	return nil
}

// errorHandler answers when the upstream cannot: 504 on a timeout, 502
// otherwise, with a short JSON body that names what failed; the upstream's
// address and the error's own words go to the log, and to the body only
// with VerboseErrors. The CORS headers the middleware set are still on the
// response, so the browser shows this error, not a CORS one.
func (g *Gateway) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	if b, ok := r.Context().Value(clientBodyKey{}).(*clientBody); ok && g.bodyError(w, r, b) {
		// The client's body failed, which aborted the upstream request
		// (and, in net/http's server, cancelled the request's context).
		return
	}
	if r.Context().Err() != nil {
		return // the client went away (the error may be the cancellation's cause, not context.Canceled)
	}
	status, what := http.StatusBadGateway, "the upstream's answer could not be read"
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.Is(err, errTooManyInterim):
		what = "the upstream sent too many interim (1xx) answers"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		status, what = http.StatusGatewayTimeout, "the upstream timed out"
	case errors.As(err, &oe) && oe.Op == "dial":
		what = "the upstream is unreachable"
	}
	g.Metrics.upstreamErrors.WithLabelValues(what).Inc()
	g.logger.LogAttrs(r.Context(), slog.LevelWarn, "upstream error", slog.String("error", err.Error()),
		slog.String("upstream", g.cfg.Upstream.String()), slog.String("path", r.URL.Path), slog.Int("status", status))
	detail := "the gateway's log has the cause (or start it with --verbose-errors)"
	if g.cfg.VerboseErrors {
		detail = err.Error() + " (upstream " + g.cfg.Upstream.String() + ")"
	}
	writeJSONError(w, status, what, detail)
}

func writeJSONError(w http.ResponseWriter, status int, what, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": what, "detail": detail})
}

// bufferPool reuses the 32 KiB buffers that copy response bodies.
type bufferPool struct{}

var buffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *buffers.Get().(*[]byte) }
func (bufferPool) Put(b []byte) { buffers.Put(&b) }

// maxUpstreamHead caps an upstream's response head (each interim one
// included): a larger one is a 502. nginx's own cap is 4 or 8 KiB; this
// leaves room for large cookies and policies.
const maxUpstreamHead = 256 << 10

// upstreamRootCAs are the certificate authorities an https upstream's
// certificate must chain to; nil for the system's. The tests set their own.
var upstreamRootCAs *x509.CertPool

// newTransport is the lean pool (internal/h1) for every request it can
// carry, to an http or https upstream, in front of net/http's Transport
// without kept-alive connections for the rest (upgrades, request trailers);
// with cfg.StandardTransport, net/http's Transport alone, a connection per
// request.
func newTransport(cfg Config) http.RoundTripper {
	std := &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    256, // the default, 2, halves throughput under load
		IdleConnTimeout:        90 * time.Second,
		ResponseHeaderTimeout:  cfg.UpstreamTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxUpstreamHead,
		DisableCompression:     true, // forward what the client asked for, not gzip decoded here
		TLSClientConfig:        &tls.Config{RootCAs: upstreamRootCAs, NextProtos: []string{"http/1.1"}},
		// net/http's Transport returns a connection to its pool and only
		// then looks for stray bytes on it: a request that takes it in
		// between reads them as its answer (another client's, or one an
		// upstream smuggled). Measured: TestUpstreamBytesPastFramingReachNoOtherClient
		// and TestNoAnswerReachesAnotherClientUnderLoad failed on it. So
		// here, no connection is reused.
		DisableKeepAlives: true,
	}
	if cfg.StandardTransport {
		return interimCap{std}
	}
	lean := h1.NewTransport(cfg.Upstream, interimCap{std})
	lean.Dial = std.DialContext
	if lean.TLSConfig != nil {
		lean.TLSConfig.RootCAs = upstreamRootCAs
	}
	lean.HeaderTimeout = cfg.UpstreamTimeout
	lean.ExpectContinueTimeout = std.ExpectContinueTimeout
	lean.IdleTimeout = std.IdleConnTimeout
	lean.MaxIdle = std.MaxIdleConnsPerHost
	lean.MaxHeadBytes = maxUpstreamHead
	lean.MaxInterim = maxInterim
	return lean
}

// closeIdleUpstreams closes the kept-alive upstream connections no request
// is using.
func (g *Gateway) closeIdleUpstreams() {
	if c, ok := g.proxy.Transport.(timedTransport).RoundTripper.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// timedTransport records the upstream's latency.
type timedTransport struct {
	http.RoundTripper
	m *Metrics
}

func (t timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.RoundTripper.RoundTrip(r)
	t.m.upstream.Observe(time.Since(start).Seconds())
	return resp, err
}

var _ http.Handler = (*Gateway)(nil)
