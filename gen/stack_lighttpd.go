package gen

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// lighttpd 1.4 (Debian's 1.4.69) with mod_setenv, mod_rewrite and
// mod_proxy, all built in: lighttpd.conf has no variables in header values
// and no "return", so each allowed origin gets its own conditional block
// and a preflight is answered by lighttpd's own OPTIONS handler.
func init() {
	register(Stack{
		Name:      "lighttpd",
		Title:     "lighttpd (mod_setenv)",
		Target:    &Target{Proxy: true, plainUpstream: true, Supports: "exact origins or * (no patterns: setenv cannot echo the Origin), credentials, methods, headers (listed; no *), expose, max-age, Vary; preflights answered 200 by lighttpd; plain-HTTP upstreams", write: writeLighttpd, limits: lighttpdLimits},
		Recognize: recognizeLighttpd,
		Causes:    lighttpdCauses,
		Doctor:    true,
		Snippet:   whereNote("; remove the configuration's own Access-Control-* setenv entries first, and merge any other setenv.set-response-header of the same block into the lists (a block's list replaces the one outside it)"),
		Lint:      lighttpdLint,
		Proof:     "proved on Debian's lighttpd 1.4.69 by gen's TestMoreStacks (the engines' models), TestMoreStacksInRealEngines (Chromium, Firefox, WebKit) and TestHostileValuesOnMoreStacks; recognition and the causes seen by TestTomcatAndLighttpdRecognized; evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the lighttpd cases in morestacks_test.go)",
	})
}

// lighttpdPage is lighttpd's own error page's first line.
const lighttpdPage = `<?xml version="1.0" encoding="iso-8859-1"?>`

// recognizeLighttpd reads lighttpd's Server header, or its own error page
// (server.tag = "" hides the header, not the page).
func recognizeLighttpd(a Answer) Evidence {
	if from, ok := headerHas(a, "Server", "lighttpd"); ok {
		return Evidence{from, ByServer}
	}
	if body := string(a.Body); strings.HasPrefix(body, lighttpdPage) && strings.Contains(body, "<title>") && strings.Contains(body, "DTD XHTML 1.0 Transitional") {
		return Evidence{"the body: lighttpd's own error page", ByServer}
	}
	return Evidence{}
}

// lighttpdOwnOptions reports whether a is lighttpd answering OPTIONS
// itself (its static handler): 200, Allow: OPTIONS, GET, HEAD, POST, an
// empty body, and no CORS header.
func lighttpdOwnOptions(a Answer) bool {
	return a.Status == 200 && a.Header.Get("Allow") == "OPTIONS, GET, HEAD, POST" && len(a.Body) == 0 &&
		a.Header.Get("Access-Control-Allow-Origin") == "" && recognizeLighttpd(a).Rank != NoEvidence
}

// lighttpdCauses are the mistakes of CORS written in lighttpd.conf.
var lighttpdCauses = []Cause{
	{ID: "lighttpd-setenv-in-wrong-conditional", Mistake: "the setenv lines sit in a conditional the preflight does not match ($HTTP[\"request-method\"] == \"GET\", a $HTTP[\"url\"] of the app's files): lighttpd answers the OPTIONS itself, without them",
		Symptom: "a 200 preflight answer with Allow: OPTIONS, GET, HEAD, POST and no Access-Control-Allow-Origin",
		Fix:     "put the CORS block at the top level (or in the API's $HTTP[\"host\"] block), keyed on $REQUEST_HEADER[\"Origin\"] only",
		Seen:    lighttpdOwnOptions},
	{ID: "lighttpd-setenv-replaced", Mistake: "another setenv.set-response-header (or add-response-header) in a later or nested block, e.g. a Cache-Control for $HTTP[\"url\"] =~ \"^/api/\": lighttpd does not merge an option across blocks, the matching block's list replaces the CORS one",
		Symptom: "the CORS headers are missing on some paths only", Fix: "write the other header into the CORS block's list, or use += inside nested blocks"},
	{ID: "lighttpd-preflight-to-backend", Mistake: "proxy.server (or fastcgi.server) sends the preflight to the backend, which refuses OPTIONS (404, 405) or asks for a login",
		Symptom: symptomNotOK,
		Fix:     "answer the preflight in lighttpd: in the origin's block, $HTTP[\"request-method\"] == \"OPTIONS\" with an Access-Control-Request-Method sets proxy.server = () and rewrites the path to /"},
	{ID: "lighttpd-add-header-duplicate", Mistake: "setenv.add-response-header Access-Control-Allow-Origin while the backend sends its own: two values",
		Symptom: symptomMultipleOrigins,
		Fix:     "setenv.set-response-header (lighttpd 1.4.46 and later), which replaces the backend's; \"\" removes it",
		Seen: func(a Answer) bool {
			return len(a.Header.Values("Access-Control-Allow-Origin")) > 1 && recognizeLighttpd(a).Rank != NoEvidence
		}},
	{ID: "lighttpd-auth-on-preflight", Mistake: "auth.require covers OPTIONS: the browser sends no credentials on a preflight, so lighttpd answers 401",
		Symptom: "a 401 preflight answer with WWW-Authenticate",
		Fix:     "wrap auth.require in $HTTP[\"request-method\"] != \"OPTIONS\" { ... }",
		Seen: func(a Answer) bool {
			return a.Status == 401 && a.Header.Get("WWW-Authenticate") != "" && recognizeLighttpd(a).Rank != NoEvidence
		}},
}

// reLighttpd* find CORS written in lighttpd.conf.
var (
	reLighttpdSetenv  = regexp.MustCompile(`(?m)^\s*setenv\.(add|set)-response-header\b`)
	reLighttpdAnyACAO = regexp.MustCompile(`(?i)"Access-Control-Allow-Origin"\s*=>\s*"\*"`)
	reLighttpdCreds   = regexp.MustCompile(`(?i)"Access-Control-Allow-Credentials"\s*=>\s*"true"`)
	reLighttpdAddACAO = regexp.MustCompile(`(?is)setenv\.add-response-header\s*\+?=\s*\([^)]*"Access-Control-Allow-Origin"`)
	reLighttpdAuth    = regexp.MustCompile(`(?m)^\s*auth\.require\b`)
	reLighttpdNoOpts  = regexp.MustCompile(`\$HTTP\["request-method"\]\s*(!=\s*"OPTIONS"|!~\s*"[^"]*OPTIONS)`)
)

// isLighttpdConfig reports whether text is a lighttpd configuration.
func isLighttpdConfig(name, text string) bool {
	return (strings.HasSuffix(name, ".conf") || strings.Contains(name, "lighttpd")) && strings.Contains(text, "server.") && hasLighttpdCORSOptions(text)
}

// hasLighttpdCORSOptions reports whether text sets response headers or
// requires a login: what the lighttpd rules read.
func hasLighttpdCORSOptions(text string) bool {
	return reLighttpdSetenv.MatchString(text) || reLighttpdAuth.MatchString(text)
}

var lighttpdLint = []LintRule{
	{ID: "lighttpd-any-origin-with-credentials", Severity: "high", Applies: isLighttpdConfig, Find: hitsWith(reLighttpdCreds, reLighttpdAnyACAO, "Access-Control-Allow-Origin * with Access-Control-Allow-Credentials true: browsers refuse it, and the usual next step, echoing any Origin (mod_magnet), lets every site read your users' data", "one $REQUEST_HEADER[\"Origin\"] == \"https://app.example.com\" { setenv.set-response-header = (...) } block per allowed origin")},
	{ID: "lighttpd-add-header-acao", Severity: "medium", Applies: isLighttpdConfig, Find: func(text string) []LintHit {
		return hitsOf(text, reLighttpdAddACAO, "setenv.add-response-header Access-Control-Allow-Origin adds a second value when the backend sends its own, and browsers refuse two", "setenv.set-response-header (lighttpd 1.4.46 and later), which replaces it")
	}},
	{ID: "lighttpd-auth-on-preflight", Severity: "medium", Applies: isLighttpdConfig, Find: func(text string) []LintHit {
		if reLighttpdNoOpts.MatchString(text) || !strings.Contains(text, "Access-Control-") {
			return nil
		}
		return hitsOf(text, reLighttpdAuth, "auth.require covers the preflight, which carries no credentials: lighttpd answers it 401", "wrap auth.require in $HTTP[\"request-method\"] != \"OPTIONS\" { ... }")
	}},
}

// lighttpdLimits are the parts lighttpd.conf does not express: patterns
// (mod_setenv writes fixed values), allow_headers: *, and the rest no
// list-only target writes.
func lighttpdLimits(p *plan) []Omission {
	return append(commonLimits(p), exactOriginsOnly(p,
		"lighttpd's setenv writes fixed values and cannot echo a matching Origin; list the origins",
		"lighttpd can express none of the policy's origins")...)
}

// lighttpdString quotes a value for lighttpd.conf: the values are HTTP
// tokens and origins, which hold no \ and no control character, so
// quote.Lighttpd always writes them.
func lighttpdString(s string) string {
	q, _ := quote.Lighttpd(s)
	return q
}

// lighttpdPairs writes key => value pairs of a setenv list.
func lighttpdPairs(indent string, kv [][2]string) string {
	var b strings.Builder
	for i, p := range kv {
		sep := ","
		if i == len(kv)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s%s => %s%s\n", indent, lighttpdString(p[0]), lighttpdString(p[1]), sep)
	}
	return b.String()
}

// lighttpdOriginBlock is the block of one allowed origin (acao is the
// value sent back): the response headers, and the preflight answered by
// lighttpd itself.
func lighttpdOriginBlock(p *plan, cond, acao string) string {
	creds, expose := "", join(p.expose)
	if p.credentials {
		creds = "true"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "$REQUEST_HEADER[\"Origin\"] %s {\n    setenv.set-response-header = (\n", cond)
	b.WriteString(lighttpdPairs("        ", [][2]string{{"Access-Control-Allow-Origin", acao}, {"Access-Control-Allow-Credentials", creds}, {"Access-Control-Expose-Headers", expose}}))
	b.WriteString("    )\n    $HTTP[\"request-method\"] == \"OPTIONS\" {\n        $REQUEST_HEADER[\"Access-Control-Request-Method\"] =~ \".\" {\n")
	pre := [][2]string{{"Access-Control-Allow-Methods", join(p.allMethods())}}
	if len(p.headers) > 0 {
		pre = append(pre, [2]string{"Access-Control-Allow-Headers", join(p.headers)})
	}
	if p.maxAge != "" {
		pre = append(pre, [2]string{"Access-Control-Max-Age", p.maxAge})
	}
	b.WriteString("            setenv.set-response-header += (\n" + lighttpdPairs("                ", pre) + "            )\n")
	b.WriteString("            # Answered by lighttpd (200, no body), never by the backend.\n")
	b.WriteString("            proxy.server = ()\n            server.document-root = \"/\"\n            url.rewrite-once = (\"\" => \"/\")\n")
	b.WriteString("        }\n    }\n}\n")
	return b.String()
}

// writeLighttpd writes a lighttpd.conf in front of the upstream.
func writeLighttpd(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "lighttpd 1.4.46 or later in front of the API: lighttpd -D -f lighttpd.conf (check it first with lighttpd -tt -f lighttpd.conf)."))
	// o.Listen and o.Upstream are checked by checkProxyAddrs.
	host, port, _ := net.SplitHostPort(o.Listen)
	if host != "" {
		fmt.Fprintf(&b, "server.bind = %s\n", lighttpdString(strings.Trim(host, "[]")))
	}
	fmt.Fprintf(&b, "server.port = %s\n", port)
	b.WriteString("# Unused: the upstream answers every request but a preflight.\nserver.document-root = \"/var/www/html\"\n")
	b.WriteString("server.modules += (\"mod_setenv\", \"mod_rewrite\", \"mod_proxy\")\n")
	b.WriteString(lighttpdProxy(o.Upstream))
	b.WriteString("\n# BEGIN corskit CORS: at the top level of lighttpd.conf (or in the API's $HTTP[\"host\"] block), after proxy.server, with mod_setenv and mod_rewrite in server.modules\n")
	b.WriteString("# The upstream's own CORS headers are dropped: never two values (\"\" removes a header).\nsetenv.set-response-header = (\n")
	b.WriteString(lighttpdPairs("    ", [][2]string{{"Access-Control-Allow-Origin", ""}, {"Access-Control-Allow-Credentials", ""}, {"Access-Control-Expose-Headers", ""}}))
	b.WriteString(")\n")
	if p.any {
		b.WriteString(lighttpdOriginBlock(p, "=~ \".\"", "*"))
	} else {
		b.WriteString("setenv.add-response-header = (\"Vary\" => \"Origin\")\n")
		b.WriteString("# The allowlist: one block per origin (setenv writes fixed values); an origin not listed gets no Access-Control-Allow-Origin.\n")
		for _, e := range p.exact {
			b.WriteString(lighttpdOriginBlock(p, "== "+lighttpdString(e), e))
		}
	}
	b.WriteString("# END corskit CORS\n")
	return b.String()
}

// lighttpdProxy is the proxy.server of upstream (checked by
// checkProxyAddrs; never https: lighttpd's mod_proxy does not connect to
// a backend over TLS, so Generate refuses one), with its path prefix
// mapped by proxy.header.
func lighttpdProxy(upstream string) string {
	u, _ := url.Parse(upstream)
	port := u.Port()
	if port == "" {
		port = "80" // http: Generate refuses an https upstream
	}
	var b strings.Builder
	fmt.Fprintf(&b, "proxy.server = (\"\" => ((\"host\" => %s, \"port\" => %s)))\n", lighttpdString(u.Hostname()), port)
	if prefix := strings.TrimRight(u.Path, "/"); prefix != "" {
		fmt.Fprintf(&b, "proxy.header = (\"map-urlpath\" => (\"/\" => %s))\n", lighttpdString(prefix+"/"))
	}
	return b.String()
}
