package gen

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// HAProxy (Debian's haproxy 2.6; the idiom needs 2.2 or later for
// http-request return with hdr and http-after-response).
func init() {
	register(Stack{
		Name:      "haproxy",
		Title:     "HAProxy",
		Target:    &Target{Proxy: true, Supports: "exact origins, patterns (-m reg), credentials, methods, headers (* by req.fhdr), expose, max-age, Vary", write: writeHAProxy, limits: anyHeaderLimits},
		Recognize: recognizeHAProxy,
		Causes:    haproxyCauses,
		Doctor:    true,
		Snippet:   whereNote("; remove the section's own Access-Control-* rules (http-response set-header/add-header, capture of the Origin) first"),
		Lint:      haproxyLint,
		Proof:     "proved by gen's TestMoreStacks (the engines' models) and TestMoreStacksInRealEngines (Chromium, Firefox, WebKit); evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the cases in morestacks_test.go); recognition by TestMoreStacksRecognized",
	})
}

// haproxyPages are the starts of HAProxy's own error pages, which carry
// no Server header.
var haproxyPages = []string{
	"No server is available to handle this request.",
	"Request forbidden by administrative rules.",
	"The server didn't respond in time.",
	"The server returned an invalid or incomplete response.",
	"Your browser sent an invalid request.",
}

// recognizeHAProxy reads HAProxy's own error pages. They are HAProxy's
// answers, not the backend's: ranked ByServer, so that a backend's own
// marks on other answers name the app.
func recognizeHAProxy(a Answer) Evidence {
	body := string(a.Body)
	if !strings.HasPrefix(body, "<html><body><h1>") {
		return Evidence{}
	}
	for _, p := range haproxyPages {
		if strings.Contains(body, p) {
			return Evidence{"the body: HAProxy's own page (" + p + ")", ByServer}
		}
	}
	return Evidence{}
}

// haproxyCauses are the mistakes of CORS written in HAProxy.
var haproxyCauses = []Cause{
	{ID: "haproxy-backend-answers-preflight", Mistake: "HAProxy forwards the preflight to the backend, which refuses OPTIONS (404, 405) or asks for a login (401)",
		Symptom: symptomNotOK,
		Fix:     "answer the preflight in the frontend: http-request return status 204 hdr Access-Control-Allow-Methods ... if METH_OPTIONS { req.hdr(access-control-request-method) -m found }"},
	{ID: "haproxy-own-answers-without-cors", Mistake: "the CORS headers are set with http-response, which HAProxy's own answers (its 503 when the backend is down, a deny, an http-request return) never pass through",
		Symptom: "no Access-Control-Allow-Origin on HAProxy's 503/403 pages or on the preflight it answers itself",
		Fix:     "http-after-response set-header (HAProxy 2.2 and later), which covers every answer",
		Seen: func(a Answer) bool {
			return recognizeHAProxy(a).Rank != NoEvidence && a.Header.Get("Access-Control-Allow-Origin") == ""
		}},
	{ID: "haproxy-duplicate-header", Mistake: "http-response add-header Access-Control-Allow-Origin while the backend sends its own: two values",
		Symptom: symptomMultipleOrigins, Fix: "set-header (which replaces), after http-response del-header of the backend's"},
	{ID: "haproxy-origin-in-response", Mistake: "the response rule reads the request's Origin with %[req.hdr(origin)], which is gone when the response is processed",
		Symptom: "an empty Access-Control-Allow-Origin", Fix: "http-request set-var(txn.cors_origin) req.hdr(origin) if <allowed>, then %[var(txn.cors_origin)] in the response rules"},
}

// reHAProxy* find CORS written in HAProxy.
var (
	reHAProxyAddACAO  = regexp.MustCompile(`(?mi)^\s*http-(response|after-response)\s+add-header\s+Access-Control-Allow-Origin\b`)
	reHAProxyRespReq  = regexp.MustCompile(`(?mi)^\s*http-(response|after-response)\s+set-header\s+Access-Control-Allow-Origin\s+.*req\.f?hdr\(\s*origin`)
	reHAProxyReflect  = regexp.MustCompile(`(?mi)^\s*http-request\s+set-var\([a-z]+\.[\w.]+\)\s+req\.f?hdr\(\s*origin\s*\)\s*$`)
	reHAProxyCreds    = regexp.MustCompile(`(?mi)Access-Control-Allow-Credentials\s+"?true`)
	reHAProxySections = regexp.MustCompile(`(?m)^\s*(frontend|backend|listen|defaults)\b`)
)

// isHAProxyConfig reports whether text is an HAProxy configuration.
func isHAProxyConfig(name, text string) bool {
	return (strings.HasSuffix(name, ".cfg") || strings.Contains(name, "haproxy")) && reHAProxySections.MatchString(text)
}

var haproxyLint = []LintRule{
	{ID: "haproxy-add-header-acao", Severity: "medium", Applies: isHAProxyConfig, Find: func(text string) []LintHit {
		return hitsOf(text, reHAProxyAddACAO, "add-header Access-Control-Allow-Origin adds a second value when the backend sends its own, and browsers refuse two", "http-response del-header Access-Control-Allow-Origin, then http-after-response set-header Access-Control-Allow-Origin")
	}},
	{ID: "haproxy-origin-read-in-response", Severity: "medium", Applies: isHAProxyConfig, Find: func(text string) []LintHit {
		return hitsOf(text, reHAProxyRespReq, "a response rule reads req.hdr(origin): the request's headers are gone then, so the value is empty", "http-request set-var(txn.cors_origin) req.hdr(origin) if <allowed origins>, and %[var(txn.cors_origin)] in the response rule")
	}},
	{ID: "haproxy-reflects-any-origin", Severity: "high", Applies: isHAProxyConfig, Find: hitsWith(reHAProxyCreds, reHAProxyReflect, "the Origin is stored without a condition and sent back with credentials: every site can read your users' data", "add the allowlist: ... if { req.hdr(origin) -m str https://app.example.com }")},
}

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
