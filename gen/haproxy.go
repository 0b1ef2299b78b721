package gen

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// corsResponseHeaders are the CORS headers an upstream may send of its
// own, dropped by the proxy targets: never two values.
var corsResponseHeaders = []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age"}

// writeHAProxy writes HAProxy's own idiom (2.2 and later): the allowed
// origin in a transaction variable, preflights answered by http-request
// return with hdr, and the response headers set by http-after-response,
// which also covers HAProxy's own answers (its 503 when the backend is
// down, the preflight answer itself).
func writeHAProxy(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "HAProxy 2.2 or later in front of the API: haproxy -f haproxy.cfg (check it first with haproxy -c -f haproxy.cfg)."))
	b.WriteString("defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\n")
	// o.Listen is checked by checkProxyAddrs: a plain word.
	fmt.Fprintf(&b, "frontend corskit_api\n    bind %s\n\n", o.Listen)
	b.WriteString("    # BEGIN corskit CORS: in the frontend (or listen section) the browser's requests reach\n")
	if p.any {
		b.WriteString("    http-request set-var(txn.cors_origin) str(*) if { req.hdr(origin) -m found }\n")
	} else {
		b.WriteString("    # The allowlist: an origin not listed gets no Access-Control-Allow-Origin.\n")
		if len(p.exact) > 0 {
			fmt.Fprintf(&b, "    acl cors_allowed_origin req.hdr(origin) -m str %s\n", haproxyWords(p.exact))
		}
		for _, r := range p.patterns {
			fmt.Fprintf(&b, "    acl cors_allowed_origin req.hdr(origin) -m reg %s\n", quote.HAProxy(r))
		}
		b.WriteString("    http-request set-var(txn.cors_origin) req.hdr(origin) if cors_allowed_origin\n")
	}
	preflight := "METH_OPTIONS { req.hdr(access-control-request-method) -m found } { var(txn.cors_origin) -m found }"
	ret := []string{"status " + fmt.Sprint(p.status), "hdr Access-Control-Allow-Methods " + quote.HAProxyFormat(join(p.allMethods()))}
	switch {
	case p.anyHeader:
		fmt.Fprintf(&b, "    # %s.\n", anyHeaderComment)
		ret = append(ret, `hdr Access-Control-Allow-Headers "%[req.fhdr(access-control-request-headers)]"`)
		if !p.authListed() {
			preflight += " !{ req.fhdr(access-control-request-headers) -m reg -i " + quote.HAProxy(asksForAuthorization) + " }"
		}
	case len(p.headers) > 0:
		ret = append(ret, "hdr Access-Control-Allow-Headers "+quote.HAProxyFormat(join(p.headers)))
	}
	if p.maxAge != "" {
		ret = append(ret, "hdr Access-Control-Max-Age "+quote.HAProxyFormat(p.maxAge))
	}
	b.WriteString("    # A preflight is answered here, never by the backend (which may refuse OPTIONS or ask for a login).\n")
	fmt.Fprintf(&b, "    http-request return %s if %s\n", strings.Join(ret, " "), preflight)
	b.WriteString("    # The backend's own CORS headers are dropped: never two values.\n")
	for _, h := range corsResponseHeaders {
		fmt.Fprintf(&b, "    http-response del-header %s\n", h)
	}
	allowed := " if { var(txn.cors_origin) -m found }"
	b.WriteString(`    http-after-response set-header Access-Control-Allow-Origin "%[var(txn.cors_origin)]"` + allowed + "\n")
	if p.credentials {
		b.WriteString("    http-after-response set-header Access-Control-Allow-Credentials true" + allowed + "\n")
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "    http-after-response set-header Access-Control-Expose-Headers %s%s\n", quote.HAProxyFormat(join(p.expose)), allowed)
	}
	if !p.any {
		b.WriteString("    http-after-response add-header Vary Origin\n")
	}
	b.WriteString("    # END corskit CORS\n\n    default_backend corskit_upstream\n\n")
	b.WriteString("backend corskit_upstream\n" + haproxyServer(o.Upstream))
	return b.String()
}

// haproxyServer is the backend's server line (and the path prefix an
// upstream with a path needs) for upstream, checked by checkProxyAddrs.
func haproxyServer(upstream string) string {
	u, _ := url.Parse(upstream)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	var b strings.Builder
	if prefix := strings.TrimRight(u.Path, "/"); prefix != "" {
		fmt.Fprintf(&b, "    http-request set-path %s%%[path]\n", prefix)
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	if u.Scheme == "https" {
		fmt.Fprintf(&b, "    server upstream %s ssl verify required ca-file @system-ca sni str(%s)\n", addr, u.Hostname())
	} else {
		fmt.Fprintf(&b, "    server upstream %s\n", addr)
	}
	return b.String()
}

// haproxyWords is xs as HAProxy words: each quoted, separated by spaces
// (a comma would be part of the word before it).
func haproxyWords(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = quote.HAProxy(x)
	}
	return strings.Join(out, " ")
}
