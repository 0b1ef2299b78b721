package devproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/corskit/corskit/internal/urls"
)

// Route sends the requests under Prefix to Target.
type Route struct {
	// Prefix is a path prefix, e.g. "/api".
	Prefix string
	// Target is the backend's base URL, e.g. http://localhost:5000.
	Target *url.URL
	// Rewrite, when set, replaces Prefix in the path: "/" turns /api/users
	// into /users.
	Rewrite *string
	// ChangeOrigin rewrites the Origin header to the target's origin, for
	// backends that check it.
	ChangeOrigin bool
}

// Config is a development proxy's configuration.
type Config struct {
	// Frontend is the dev server that gets every path no route matches.
	Frontend *url.URL
	// Static serves a folder instead of a frontend dev server, with
	// single-page-app fallback to index.html.
	Static string
	Routes []Route
	// KeepHost sends the browser's Host to targets; by default each target
	// gets its own host.
	KeepHost bool
	// Cookies adjusts Set-Cookie so that cookies work on http://localhost.
	Cookies CookieRewrite
	// AllowedHosts are the host names the proxy answers to besides its own:
	// localhost, *.localhost and IP addresses always are. An entry is a name
	// (app.test) or a name with a leading dot for it and its subdomains
	// (.example.com); the port never matters. A request for any other Host is
	// refused with 403, and so is a WebSocket opened by a page on any other
	// origin, so that no website can read the dev server and the APIs by DNS
	// rebinding. AnyHost ("*") turns the check off.
	AllowedHosts []string
	// Log receives one line per request; nil for none.
	Log io.Writer
}

// CookieRewrite says how Set-Cookie from targets is adjusted. Each is on by
// default for an http:// listener.
type CookieRewrite struct {
	StripDomain   bool // remove Domain, so the cookie belongs to the proxy's host
	StripSecure   bool // remove Secure, which http://localhost would refuse
	SameSiteToLax bool // SameSite=None needs Secure: make it Lax
}

// DefaultCookies is the cookie rewriting for an http listener.
var DefaultCookies = CookieRewrite{StripDomain: true, StripSecure: true, SameSiteToLax: true}

// Validate checks the configuration and reports every problem.
func (c *Config) Validate() error {
	var errs []error
	if (c.Frontend == nil) == (c.Static == "") {
		errs = append(errs, errors.New("dev: set exactly one of Config.Frontend (your dev server's URL, e.g. http://localhost:5173) or Config.Static (a folder of built files)"))
	}
	if c.Static != "" {
		if st, err := os.Stat(c.Static); err != nil || !st.IsDir() {
			errs = append(errs, fmt.Errorf("dev: Config.Static %q is not a folder", c.Static))
		}
	}
	for _, t := range append([]*url.URL{c.Frontend}, targetsOf(c.Routes)...) {
		if t != nil && (t.Scheme != "http" && t.Scheme != "https" || t.Host == "") {
			errs = append(errs, fmt.Errorf("dev: target %q is not an http or https URL, e.g. http://localhost:5000", t.String()))
		}
	}
	_, hostErrs := newHostRule(c.AllowedHosts)
	errs = append(errs, hostErrs...)
	seen := map[string]bool{}
	for _, r := range c.Routes {
		if !strings.HasPrefix(r.Prefix, "/") {
			errs = append(errs, fmt.Errorf("dev: route prefix %q does not start with /; write e.g. /api", r.Prefix))
		}
		if seen[r.Prefix] {
			errs = append(errs, fmt.Errorf("dev: route prefix %q appears twice", r.Prefix))
		}
		seen[r.Prefix] = true
	}
	return errors.Join(errs...)
}

func targetsOf(rs []Route) []*url.URL {
	var out []*url.URL
	for _, r := range rs {
		out = append(out, r.Target)
	}
	return out
}

// Proxy is the development proxy's handler.
type Proxy struct {
	cfg      Config
	routes   []Route // longest prefix first
	dialer   *localDialer
	frontend *httputil.ReverseProxy
	apis     map[string]*httputil.ReverseProxy
	static   http.Handler
	hosts    hostRule
	logMu    sync.Mutex
}

// New builds the proxy.
func New(cfg Config) (*Proxy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Proxy{cfg: cfg, dialer: newLocalDialer(), apis: map[string]*httputil.ReverseProxy{}}
	p.hosts, _ = newHostRule(cfg.AllowedHosts)
	p.routes = slices.Clone(cfg.Routes)
	slices.SortFunc(p.routes, func(a, b Route) int { return len(b.Prefix) - len(a.Prefix) })
	transport := &http.Transport{
		DialContext:         p.dialer.DialContext,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true, // never add compression: SSE and streams stay as the target sends them
	}
	if cfg.Frontend != nil {
		p.frontend = p.reverseProxy(nil, cfg.Frontend, transport)
	} else {
		p.static = spa(cfg.Static)
	}
	for i := range p.routes {
		r := &p.routes[i]
		p.apis[r.Prefix] = p.reverseProxy(r, r.Target, transport)
	}
	return p, nil
}

func (p *Proxy) reverseProxy(r *Route, target *url.URL, transport http.RoundTripper) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Transport:     transport,
		FlushInterval: -1,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			if r != nil && r.Rewrite != nil {
				rest := strings.TrimPrefix(pr.In.URL.Path, r.Prefix)
				pr.Out.URL.Path = singleJoin(target.Path, path.Join("/", *r.Rewrite, rest))
				if strings.HasSuffix(pr.In.URL.Path, "/") && !strings.HasSuffix(pr.Out.URL.Path, "/") {
					pr.Out.URL.Path += "/"
				}
				pr.Out.URL.RawPath = ""
			}
			pr.SetXForwarded()
			if p.cfg.KeepHost {
				pr.Out.Host = pr.In.Host
			}
			// Only the proxy's own pages' Origin is changed: a foreign site's
			// stays, so that a backend that checks it still refuses it.
			if o := pr.Out.Header.Get("Origin"); r != nil && r.ChangeOrigin && o != "" && p.hosts.allowsOrigin(o, pr.In.Host) {
				pr.Out.Header.Set("Origin", target.Scheme+"://"+target.Host)
			}
		},
		ModifyResponse: func(resp *http.Response) error {
			rewriteCookies(resp.Header, p.cfg.Cookies)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			p.targetDown(w, req, r, target, err)
		},
	}
}

func singleJoin(base, p string) string {
	if base == "" || base == "/" {
		return p
	}
	return strings.TrimRight(base, "/") + p
}

// ServeHTTP refuses a Host the proxy does not answer (see
// Config.AllowedHosts) and a WebSocket from a foreign page, then routes by
// the longest prefix; everything else goes to the frontend or the static
// folder.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws := isWebSocket(r)
	if p.checkHost(w, r, ws) {
		return
	}
	start := time.Now()
	lw := &logWriter{ResponseWriter: w, status: 200}
	route, target := "frontend", ""
	var h http.Handler
	for _, rt := range p.routes {
		if r.URL.Path == rt.Prefix || strings.HasPrefix(r.URL.Path, strings.TrimRight(rt.Prefix, "/")+"/") {
			h, route, target = p.apis[rt.Prefix], rt.Prefix, rt.Target.String()
			break
		}
	}
	if h == nil {
		if p.frontend != nil {
			h, target = p.frontend, p.cfg.Frontend.String()
		} else {
			h, route, target = p.static, "static", p.cfg.Static
		}
	}
	if ws {
		// A WebSocket (HMR) lives long: say so when it opens.
		p.log("WebSocket %s %s -> %s opened\n", r.URL.RequestURI(), route, target)
	}
	h.ServeHTTP(lw, r)
	if ws {
		p.log("WebSocket %s %s -> %s closed after %s\n", r.URL.RequestURI(), route, target, time.Since(start).Round(time.Millisecond))
		return
	}
	p.log("%s %s %s -> %s %d %s\n", r.Method, r.URL.RequestURI(), route, target, lw.status, time.Since(start).Round(time.Millisecond))
}

// log writes one line to Config.Log, if set.
func (p *Proxy) log(format string, args ...any) {
	if p.cfg.Log == nil {
		return
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	fmt.Fprintf(p.cfg.Log, format, args...)
}

// isWebSocket reports whether r asks to upgrade to a WebSocket.
func isWebSocket(r *http.Request) bool {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return false
	}
	for _, v := range r.Header.Values("Connection") {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "upgrade") {
				return true
			}
		}
	}
	return false
}

// logWriter records the status; Unwrap keeps Flush and Hijack reachable for
// streams and WebSockets.
type logWriter struct {
	http.ResponseWriter
	status int
}

func (l *logWriter) WriteHeader(code int) {
	l.status = code
	l.ResponseWriter.WriteHeader(code)
}

func (l *logWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// targetDown answers for a target that cannot be reached: an HTML page for a
// navigation, JSON for fetch().
func (p *Proxy) targetDown(w http.ResponseWriter, r *http.Request, route *Route, target *url.URL, err error) {
	name := "the frontend"
	if route != nil {
		name = "route " + route.Prefix
	}
	msg := fmt.Sprintf("corskit dev: %s -> %s is not answering: %v", name, target, err)
	hint := "Is it running? Start it, or fix the URL given to corskit dev."
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" || strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, "<!doctype html><title>corskit dev: target down</title><h1>%s is not answering</h1><p>%s</p><p>Target: <code>%s</code></p><p>Error: <code>%s</code></p>\n",
			htmlEscape(name), hint, htmlEscape(target.String()), htmlEscape(err.Error()))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadGateway)
	// encoding/json, not %q: Go's quoting writes \x01 and \U0001F600,
	// which JSON does not read, and the error's text comes from the network.
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // JSON, never read as HTML (the Content-Type says so)
	enc.Encode(struct {
		Error  string `json:"error"`
		Route  string `json:"route"`
		Target string `json:"target"`
		Hint   string `json:"hint"`
	}{msg, name, target.String(), hint})
}

func htmlEscape(s string) string { return html.EscapeString(s) }

// spa serves dir, falling back to index.html for paths that are not files
// (client-side routes). It never serves a dotfile or anything under a dot
// directory (.env, .git/config, .npmrc): a project's root holds secrets
// there (Vite's dev server denies .env and .git by default, its
// server.fs.deny). /.well-known/ is served.
func spa(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hidden(r.URL.Path) {
			http.Error(w, "corskit dev: "+r.URL.Path+" names a dotfile or dot directory, which the static server never serves", http.StatusNotFound)
			return
		}
		clean := filepath.Join(dir, filepath.FromSlash(path.Clean("/"+r.URL.Path)))
		if _, err := os.Stat(clean); err != nil && !strings.Contains(path.Base(r.URL.Path), ".") {
			http.ServeFile(w, r, filepath.Join(dir, "index.html"))
			return
		}
		files.ServeHTTP(w, r)
	})
}

// hidden reports whether a URL path has a segment starting with a dot,
// other than a leading /.well-known/.
func hidden(p string) bool {
	p = strings.TrimPrefix(path.Clean("/"+p), "/.well-known/")
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// rewriteCookies adjusts each Set-Cookie so that the browser keeps it on
// http://localhost.
func rewriteCookies(h http.Header, c CookieRewrite) {
	lines := h.Values("Set-Cookie")
	if len(lines) == 0 || c == (CookieRewrite{}) {
		return
	}
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		ck, err := http.ParseSetCookie(line)
		if err != nil {
			out = append(out, line)
			continue
		}
		if c.StripDomain {
			ck.Domain = ""
		}
		if c.StripSecure {
			ck.Secure = false
		}
		if c.SameSiteToLax && ck.SameSite == http.SameSiteNoneMode {
			ck.SameSite = http.SameSiteLaxMode
		}
		out = append(out, ck.String())
	}
	h["Set-Cookie"] = out
}

// localDialer dials "localhost" on 127.0.0.1 or ::1, whichever answers, and
// remembers the one that did.
type localDialer struct {
	d    net.Dialer
	mu   sync.Mutex
	used map[string]string // "localhost:5000" -> "[::1]:5000"
}

func newLocalDialer() *localDialer {
	return &localDialer{d: net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}, used: map[string]string{}}
}

func (l *localDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "localhost" {
		return l.d.DialContext(ctx, network, addr)
	}
	l.mu.Lock()
	known := l.used[addr]
	l.mu.Unlock()
	candidates := []string{net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("::1", port)}
	if known != "" {
		candidates = append([]string{known}, slices.DeleteFunc(candidates, func(c string) bool { return c == known })...)
	}
	var errs []error
	for _, c := range candidates {
		conn, err := l.d.DialContext(ctx, "tcp", c)
		if err == nil {
			l.mu.Lock()
			l.used[addr] = c
			l.mu.Unlock()
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("localhost:%s answers on neither 127.0.0.1 nor ::1: %w", port, errors.Join(errs...))
}

// Resolve reports, for each target, the address it answers on, or why not:
// "localhost:5000 -> [::1]:5000".
func (p *Proxy) Resolve(ctx context.Context) []string {
	var out []string
	targets := targetsOf(p.routes)
	if p.cfg.Frontend != nil {
		targets = append([]*url.URL{p.cfg.Frontend}, targets...)
	}
	for _, t := range targets {
		addr := urls.HostPort(t)
		conn, err := p.dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: not answering yet (%v)", t, err))
			continue
		}
		out = append(out, fmt.Sprintf("%s -> %s", t, conn.RemoteAddr()))
		conn.Close()
	}
	return out
}
