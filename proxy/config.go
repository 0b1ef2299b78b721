package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/hooks"
)

// Config is a gateway's configuration.
type Config struct {
	// Upstream is the backend's base URL, e.g. http://127.0.0.1:5000. Required.
	Upstream *url.URL
	// Policy applies to every path no route matches.
	Policy cors.Config
	// Routes are per-path-prefix policies; the longest matching prefix wins.
	Routes []Route
	// PreserveHost sends the client's Host to the upstream; by default the
	// upstream's host is sent.
	PreserveHost bool
	// TrustedProxies are the networks whose X-Forwarded-For (appended to),
	// X-Real-IP, Forwarded and other client-IP headers (True-Client-IP,
	// CF-Connecting-IP, ...) the gateway keeps; from anyone else they are
	// dropped, and X-Forwarded-For and X-Real-IP set to the client's
	// address.
	TrustedProxies []netip.Prefix
	// CaseSensitiveRoutes matches route prefixes to paths case by case. By
	// default a route covers its prefix in any case (/ADMIN/ is under
	// /admin/), as upstreams that route ignoring case (Express, ASP.NET
	// Core, IIS) would serve it; set it for an upstream that tells /ADMIN/
	// from /admin/.
	CaseSensitiveRoutes bool
	// ReportOnly enforces nothing: requests pass as they would without the
	// gateway's policy, and what the policy would deny is logged and counted.
	ReportOnly bool
	// UpstreamTimeout bounds the wait for the upstream's response headers
	// (then 504). Default 30 s.
	UpstreamTimeout time.Duration
	// StandardTransport sends every request upstream with net/http's
	// Transport, on a connection of its own: net/http's pool can hand a
	// kept-alive connection to a request before it sees the stray bytes an
	// upstream left on it, which that request would read as its answer. By
	// default every request but upgrades (and the rare forms listed in
	// internal/h1's Transport), to http and https upstreams, bodies
	// included, uses a lean pool of connections that checks for such bytes,
	// about three times as fast; the rest uses net/http's Transport without
	// kept-alive connections.
	StandardTransport bool
	// VerboseErrors puts the upstream's address and the error's own words in
	// the bodies of the gateway's 502 and 504 answers; by default they name
	// only what failed, and the log has the rest.
	VerboseErrors bool
	// Logger receives one record per denied request and per gateway error.
	// Default: discard.
	Logger *slog.Logger
}

// Route is a policy for the paths under Prefix.
type Route struct {
	// Prefix is a path prefix, e.g. "/api/".
	Prefix string
	Policy cors.Config
}

// Validate checks the configuration, the policies included, and reports
// every problem.
func (c *Config) Validate() error {
	return c.check(func(_ int, p cors.Config) error { return p.Validate() })
}

// check reports every problem of c, in a fixed order; policy checks each
// policy (the default one as route -1, then each route's by its index in
// c.Routes), so that compileRoutes can build each middleware as it
// validates it, once.
func (c *Config) check(policy func(route int, p cors.Config) error) error {
	var errs []error
	switch {
	case c.Upstream == nil:
		errs = append(errs, errors.New("proxy: no upstream: set Config.Upstream to the backend's URL, e.g. http://127.0.0.1:5000"))
	case c.Upstream.Scheme != "http" && c.Upstream.Scheme != "https" || c.Upstream.Host == "":
		errs = append(errs, fmt.Errorf("proxy: upstream %q is not an http or https URL, e.g. \"http://127.0.0.1:5000\"", c.Upstream.String()))
	}
	if err := policy(-1, c.Policy); err != nil {
		errs = append(errs, err)
	}
	seen := map[string]string{} // by the prefix, folded unless routes are case-sensitive
	for i, r := range c.Routes {
		if !strings.HasPrefix(r.Prefix, "/") {
			errs = append(errs, fmt.Errorf("proxy: route prefix %q does not start with /; write e.g. \"/api/\"", r.Prefix))
		}
		if p, ref := routePath(r.Prefix); strings.HasPrefix(r.Prefix, "/") && (ref != nil || p != r.Prefix) {
			fix := "remove the dot segment or control character"
			if ref == nil {
				fix = fmt.Sprintf("write %q", p)
			}
			errs = append(errs, fmt.Errorf("proxy: route prefix %q can never match: paths are matched with \\ read as /, doubled slashes as one and ;parameters dropped, and refused with a dot segment or a control character; %s", r.Prefix, fix))
		}
		if !utf8.ValidString(r.Prefix) {
			errs = append(errs, fmt.Errorf("proxy: route prefix %q is not UTF-8; write it decoded, e.g. \"/café/\" for /caf%%C3%%A9/", r.Prefix))
		}
		key := r.Prefix
		if !c.CaseSensitiveRoutes {
			key = strings.Map(foldRune, key)
		}
		switch first, ok := seen[key]; {
		case ok && first == r.Prefix:
			errs = append(errs, fmt.Errorf("proxy: route prefix %q appears twice; keep one", r.Prefix))
		case ok:
			errs = append(errs, fmt.Errorf("proxy: route prefixes %q and %q differ only in case, and routes ignore case; keep one, or set case_sensitive_routes (--case-sensitive-routes) if the upstream tells them apart", first, r.Prefix))
		default:
			seen[key] = r.Prefix
		}
		if err := policy(i, r.Policy); err != nil {
			errs = append(errs, fmt.Errorf("proxy: route %q: %w", r.Prefix, err))
		}
	}
	if c.UpstreamTimeout < 0 {
		errs = append(errs, fmt.Errorf("proxy: upstream timeout %v is negative", c.UpstreamTimeout))
	}
	return errors.Join(errs...)
}

// routeTable is the compiled routes, longest prefix first, and the default.
type routeTable struct {
	routes        []compiledRoute
	def           compiledRoute
	caseSensitive bool
}

type compiledRoute struct {
	prefix string
	cors   hooks.Policy // decides each request once, then applies it
	next   http.Handler // the proxy, behind the policy
}

// compileRoutes validates c and builds each policy's middleware as it
// validates it: each policy is compiled once.
func compileRoutes(c Config, next http.Handler) (*routeTable, error) {
	t := &routeTable{caseSensitive: c.CaseSensitiveRoutes}
	err := c.check(func(route int, p cors.Config) error {
		m, err := cors.New(p)
		if err != nil {
			return err
		}
		r := compiledRoute{cors: hooks.Of(m), next: next}
		if route < 0 {
			t.def = r
			return nil
		}
		r.prefix = c.Routes[route].Prefix
		t.routes = append(t.routes, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(t.routes, func(a, b compiledRoute) int { return len(b.prefix) - len(a.prefix) })
	return t, nil
}

// match returns the route of the longest prefix of path, a routePath, or
// the default; see pick.
func (t *routeTable) match(path string) compiledRoute {
	for _, r := range t.routes {
		if t.caseSensitive && strings.HasPrefix(path, r.prefix) || !t.caseSensitive && hasPrefixFold(path, r.prefix) {
			return r
		}
	}
	return t.def
}
