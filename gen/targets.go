package gen

import (
	"fmt"
	"go/format"
	"net/url"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/quote"
)

var targets = []Target{
	{Name: "nginx", Proxy: true, Supports: "exact origins, patterns (map regex), credentials, methods, headers (* by a map), expose, max-age, Vary", write: writeNginx, limits: anyHeaderLimits},
	{Name: "caddy", Proxy: true, Supports: "exact origins, patterns (header_regexp), credentials, methods, headers (* by header_regexp), expose, max-age, Vary", write: writeCaddy, limits: anyHeaderLimits},
	{Name: "apache", Proxy: true, Supports: "exact origins, patterns (SetEnvIf), credentials, methods, headers, expose, max-age, Vary", write: writeApache, limits: commonLimits},
	{Name: "envoy", Proxy: true, Supports: "exact origins, patterns (safe_regex), credentials, methods, headers, expose, max-age", write: writeEnvoy, limits: commonLimits},
	{Name: "traefik", Proxy: true, Supports: "exact origins, patterns (origin list regex), credentials, methods, headers, expose, max-age, Vary", write: writeTraefik, limits: commonLimits},
	{Name: "express", Supports: "exact origins, patterns (RegExp), credentials, methods, headers (* by a per-request options function), expose, max-age, Vary", write: writeExpress, limits: anyHeaderLimits},
	{Name: "flask", Supports: "exact origins, patterns (re.compile), credentials, methods, headers (* by a header pattern), expose, max-age, Vary", write: writeFlask, limits: anyHeaderLimits},
	{Name: "php", Supports: "exact origins, patterns (preg_match), credentials, methods, headers (* by preg_match), expose, max-age, Vary", write: writePHP, limits: anyHeaderLimits},
	{Name: "s3", Formats: []string{"sh", "json", "xml"}, Supports: "exact origins, one * per origin (subdomains or ports), methods GET/PUT/POST/DELETE/HEAD, headers (* only with Authorization listed), expose, max-age; credentials always sent to named origins", write: writeStorage(buckets.S3), limits: storageLimits(buckets.S3), check: checkStorage(buckets.S3)},
	{Name: "azure-blob", Formats: []string{"xml", "sh"}, Supports: "exact origins or *, methods DELETE/GET/HEAD/MERGE/POST/OPTIONS/PUT, headers (* only with Authorization listed), expose, max-age; at most 5 rules of 64 origins, 2 KiB", write: writeStorage(buckets.Azure), limits: storageLimits(buckets.Azure), check: checkStorage(buckets.Azure)},
	{Name: "gcs", Formats: []string{"sh", "json"}, Supports: "exact origins or *, any methods, headers (one list for allowed and exposed), max-age; no credentials", write: writeStorage(buckets.GCS), limits: storageLimits(buckets.GCS), check: checkStorage(buckets.GCS)},
	{Name: "gateway-api", Supports: "exact origins, subdomains (*.), credentials, methods (RFC 9110's nine, or *), headers (* only with Authorization listed), expose, max-age (at least 1)", write: writeGatewayAPI, limits: gatewayLimits, check: checkYAML},
	{Name: "ingress-nginx", Supports: "exact origins, one-label subdomains (*.), credentials, methods, headers (letters, digits, - and _), expose, max-age", write: writeIngressNginx, limits: ingressLimits, check: checkYAML},
	{Name: "go", Supports: "everything (corskit's own middleware)", write: writeGo, check: checkGo},
}

func join(xs []string) string { return strings.Join(xs, ", ") }

// allMethods are the methods a preflight answer lists: the policy's, and
// the safelisted ones for targets that need them spelt out.
func (p *plan) allMethods() []string {
	out := []string{"GET", "HEAD", "POST"}
	for _, m := range p.methods {
		if m != "GET" && m != "HEAD" && m != "POST" {
			out = append(out, m)
		}
	}
	return out
}

// quoted is xs, each quoted by q, joined by ", ".
func quoted(xs []string, q func(string) string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = q(x)
	}
	return strings.Join(out, ", ")
}

func hostPort(listen string) string { return listen }

func writeNginx(p *plan, o Options, omitted []Omission) string {
	// Every value goes through quote.Nginx where nginx reads no variables
	// (map source values) and quote.NginxValue where it does (add_header,
	// map results); a $ in a value then needs the geo block.
	dollar := false
	val := func(s string) string {
		q, d := quote.NginxValue(s)
		dollar = dollar || d
		return q
	}
	var http, loc strings.Builder
	acao := "*"
	if !p.any {
		acao = "$cors_origin"
		http.WriteString("# The allowlist: an origin not listed gets no Access-Control-Allow-Origin.\nmap $http_origin $cors_origin {\n    default \"\";\n")
		for _, e := range p.exact {
			fmt.Fprintf(&http, "    %s $http_origin;\n", quote.Nginx(e))
		}
		for _, r := range p.patterns {
			fmt.Fprintf(&http, "    %s $http_origin;\n", quote.Nginx("~"+r))
		}
		http.WriteString("}\n")
	}
	allowHeaders := ""
	if len(p.headers) > 0 {
		allowHeaders = val(join(p.headers))
	}
	if p.anyHeader {
		allowHeaders = `"$http_access_control_request_headers"`
		fmt.Fprintf(&http, "\n# %s.\n", anyHeaderComment)
		if !p.authListed() {
			allowHeaders = `"$cors_allow_headers"`
			fmt.Fprintf(&http, "map $http_access_control_request_headers $cors_allow_headers {\n    default $http_access_control_request_headers;\n    %s %s;\n}\n", quote.Nginx("~*"+asksForAuthorization), val(join(p.headers)))
		}
	}
	loc.WriteString("        # BEGIN corskit CORS: in the location { } that serves the API (a location with add_header of its own inherits none from server { })\n")
	fmt.Fprintf(&loc, "        add_header Access-Control-Allow-Origin %s always;\n", quote.Nginx(acao))
	if p.credentials {
		loc.WriteString("        add_header Access-Control-Allow-Credentials \"true\" always;\n")
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&loc, "        add_header Access-Control-Expose-Headers %s always;\n", val(join(p.expose)))
	}
	if !p.any {
		loc.WriteString("        add_header Vary Origin always;\n")
	}
	loc.WriteString("        # Preflight answers (harmless on other responses).\n")
	fmt.Fprintf(&loc, "        add_header Access-Control-Allow-Methods %s always;\n", val(join(p.allMethods())))
	if allowHeaders != "" {
		fmt.Fprintf(&loc, "        add_header Access-Control-Allow-Headers %s always;\n", allowHeaders)
	}
	if p.maxAge != "" {
		fmt.Fprintf(&loc, "        add_header Access-Control-Max-Age %s always;\n", p.maxAge)
	}
	loc.WriteString("        # The upstream's own CORS headers are dropped: never two values.\n")
	for _, h := range []string{"Origin", "Credentials", "Methods", "Headers"} {
		fmt.Fprintf(&loc, "        proxy_hide_header Access-Control-Allow-%s;\n", h)
	}
	loc.WriteString("        proxy_hide_header Access-Control-Expose-Headers;\n        proxy_hide_header Access-Control-Max-Age;\n")
	fmt.Fprintf(&loc, "        # Preflights are answered here; only return is used inside if.\n        if ($request_method = OPTIONS) {\n            return %d;\n        }\n        # END corskit CORS\n", p.status)

	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "nginx: put this inside http { }. Every add_header has always, so errors keep their CORS headers."))
	b.WriteString("\n# BEGIN corskit CORS: in http { }, outside any server { }\n")
	if dollar {
		b.WriteString("# A $ in a value is written ${" + quote.NginxDollar + "}: nginx has no other way to send it.\n" + quote.NginxGeo)
	}
	b.WriteString(http.String())
	b.WriteString("# END corskit CORS\n")
	// o.Listen and o.Upstream are checked by checkProxyAddrs: plain words.
	fmt.Fprintf(&b, "\nserver {\n    listen %s;\n\n    location / {\n", o.Listen)
	b.WriteString(loc.String())
	fmt.Fprintf(&b, "        proxy_pass %s;\n    }\n}\n", strings.TrimRight(o.Upstream, "/"))
	return b.String()
}

// caddyValue quotes a header value for the Caddyfile: the values are HTTP
// tokens, which hold neither \ nor ", so quote.Caddy always writes them.
func caddyValue(s string) string {
	q, _ := quote.Caddy(s)
	return q
}

func writeCaddy(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Caddy: a whole Caddyfile (caddy run --config Caddyfile --adapter caddyfile)."))
	b.WriteString("{\n\t# No admin endpoint and no automatic HTTPS for this plain-HTTP listener.\n\tadmin off\n\tauto_https off\n}\n\n")
	fmt.Fprintf(&b, "http://%s {\n", hostPort(o.Listen))
	b.WriteString("\t# BEGIN corskit CORS: in the API's site block, before reverse_proxy or respond\n")
	matcher := ""
	if p.any {
		b.WriteString("\theader Access-Control-Allow-Origin \"*\"\n")
	} else {
		fmt.Fprintf(&b, "\t@cors_origin header_regexp Origin %s\n", quote.CaddyRegexp(p.originRegexp()))
		b.WriteString("\theader @cors_origin Access-Control-Allow-Origin \"{http.request.header.Origin}\"\n")
		matcher = "@cors_origin "
		b.WriteString("\theader +Vary Origin\n")
	}
	if p.credentials {
		fmt.Fprintf(&b, "\theader %sAccess-Control-Allow-Credentials true\n", matcher)
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "\theader %sAccess-Control-Expose-Headers %s\n", matcher, caddyValue(join(p.expose)))
	}
	if p.anyHeader && !p.authListed() {
		fmt.Fprintf(&b, "\n\t# %s.\n\t@cors_asks_auth header_regexp Access-Control-Request-Headers %s\n", anyHeaderComment, quote.CaddyRegexp("(?i)"+asksForAuthorization))
	}
	b.WriteString("\n\t@preflight {\n\t\tmethod OPTIONS\n\t\theader Access-Control-Request-Method *\n\t}\n\thandle @preflight {\n")
	if p.anyHeader {
		b.WriteString("\t\theader Access-Control-Allow-Headers \"{http.request.header.Access-Control-Request-Headers}\"\n")
		if !p.authListed() && len(p.headers) > 0 {
			fmt.Fprintf(&b, "\t\theader @cors_asks_auth Access-Control-Allow-Headers %s\n", caddyValue(join(p.headers)))
		} else if !p.authListed() {
			b.WriteString("\t\theader @cors_asks_auth -Access-Control-Allow-Headers\n")
		}
	}
	b.WriteString("\t\theader {\n")
	fmt.Fprintf(&b, "\t\t\tAccess-Control-Allow-Methods %s\n", caddyValue(join(p.allMethods())))
	if len(p.headers) > 0 && !p.anyHeader {
		fmt.Fprintf(&b, "\t\t\tAccess-Control-Allow-Headers %s\n", caddyValue(join(p.headers)))
	}
	if p.maxAge != "" {
		fmt.Fprintf(&b, "\t\t\tAccess-Control-Max-Age %s\n", p.maxAge)
	}
	fmt.Fprintf(&b, "\t\t}\n\t\trespond %d\n\t}\n\t# END corskit CORS\n\n", p.status)
	fmt.Fprintf(&b, "\treverse_proxy %s {\n\t\t# BEGIN corskit CORS: in the site's reverse_proxy { }, when the upstream sends CORS headers of its own\n\t\t# The upstream's own CORS headers are dropped: never two values.\n", o.Upstream)
	for _, h := range []string{"Allow-Origin", "Allow-Credentials", "Allow-Methods", "Allow-Headers", "Expose-Headers", "Max-Age"} {
		fmt.Fprintf(&b, "\t\theader_down -Access-Control-%s\n", h)
	}
	b.WriteString("\t\t# END corskit CORS\n\t}\n}\n")
	return b.String()
}

func writeApache(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Apache httpd 2.4: a whole configuration (apache2 -d DIR -f this-file -DFOREGROUND); module paths are Debian's."))
	b.WriteString("ServerName localhost\nPidFile apache.pid\nErrorLog /dev/stderr\nLogLevel warn\n")
	fmt.Fprintf(&b, "Listen %s\n", o.Listen)
	for _, m := range []string{"mpm_event", "authz_core", "unixd", "headers", "setenvif", "rewrite", "proxy", "proxy_http"} {
		fmt.Fprintf(&b, "<IfModule !%[1]s_module>\n    LoadModule %[1]s_module /usr/lib/apache2/modules/mod_%[1]s.so\n</IfModule>\n", m)
	}
	b.WriteString("<IfModule unixd_module>\n    User www-data\n    Group www-data\n</IfModule>\n\n")
	if p.any {
		b.WriteString("SetEnvIf Origin \".+\" CORS_ORIGIN=*\n")
	} else {
		fmt.Fprintf(&b, "# The allowlist: CORS_ORIGIN is set only for an allowed origin.\nSetEnvIf Origin %s CORS_ORIGIN=$0\n", quote.ApacheRegexp(p.originRegexp()))
	}
	b.WriteString("# The upstream's own CORS headers are dropped: never two values.\n")
	for _, h := range []string{"Allow-Origin", "Allow-Credentials", "Allow-Methods", "Allow-Headers", "Expose-Headers", "Max-Age"} {
		fmt.Fprintf(&b, "Header unset Access-Control-%s\n", h)
	}
	b.WriteString("# always: on errors too.\nHeader always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n")
	if p.credentials {
		b.WriteString("Header always set Access-Control-Allow-Credentials \"true\" env=CORS_ORIGIN\n")
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "Header always set Access-Control-Expose-Headers %s env=CORS_ORIGIN\n", quote.ApacheHeader(join(p.expose)))
	}
	if !p.any {
		b.WriteString("Header always merge Vary Origin\n")
	}
	fmt.Fprintf(&b, "Header always set Access-Control-Allow-Methods %s env=CORS_ORIGIN\n", quote.ApacheHeader(join(p.allMethods())))
	if len(p.headers) > 0 {
		fmt.Fprintf(&b, "Header always set Access-Control-Allow-Headers %s env=CORS_ORIGIN\n", quote.ApacheHeader(join(p.headers)))
	}
	if p.maxAge != "" {
		fmt.Fprintf(&b, "Header always set Access-Control-Max-Age %s env=CORS_ORIGIN\n", quote.ApacheHeader(p.maxAge))
	}
	fmt.Fprintf(&b, "\n# Preflights are answered here.\nRewriteEngine On\nRewriteCond %%{REQUEST_METHOD} OPTIONS\nRewriteCond %%{HTTP:Access-Control-Request-Method} .+\nRewriteRule ^ - [R=%d,L]\n\n", p.status)
	u := strings.TrimRight(o.Upstream, "/")
	fmt.Fprintf(&b, "ProxyPass / %s/\nProxyPassReverse / %s/\n", u, u)
	return b.String()
}

func writeEnvoy(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Envoy: a whole static configuration (envoy -c this-file)."))
	host, port := splitListen(o.Listen)
	up, _ := url.Parse(o.Upstream)
	uhost, uport := up.Hostname(), up.Port()
	if uport == "" {
		uport = "80"
	}
	fmt.Fprintf(&b, `static_resources:
  listeners:
  - name: corskit
    address: {socket_address: {address: %s, port_value: %s}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: corskit
          route_config:
            virtual_hosts:
            - name: api
              domains: ["*"]
              typed_per_filter_config:
                envoy.filters.http.cors:
                  "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                  allow_origin_string_match:
`, quote.YAML(host), port)
	if p.any {
		b.WriteString("                  - safe_regex: {regex: \".*\"}\n")
	}
	for _, e := range p.exact {
		fmt.Fprintf(&b, "                  - exact: %s\n", quote.YAML(e))
	}
	for _, r := range p.patterns {
		fmt.Fprintf(&b, "                  - safe_regex: {regex: %s}\n", quote.YAML(r))
	}
	fmt.Fprintf(&b, "                  allow_methods: %s\n", quote.YAML(join(p.allMethods())))
	if len(p.headers) > 0 {
		fmt.Fprintf(&b, "                  allow_headers: %s\n", quote.YAML(join(p.headers)))
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "                  expose_headers: %s\n", quote.YAML(join(p.expose)))
	}
	if p.maxAge != "" {
		fmt.Fprintf(&b, "                  max_age: %s\n", quote.YAML(p.maxAge))
	}
	fmt.Fprintf(&b, "                  allow_credentials: %v\n", p.credentials)
	fmt.Fprintf(&b, `              routes:
              - match: {prefix: "/"}
                route: {cluster: upstream}
          http_filters:
          - name: envoy.filters.http.cors
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
  clusters:
  - name: upstream
    type: STRICT_DNS
    load_assignment:
      cluster_name: upstream
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: %s, port_value: %s}}}
`, quote.YAML(uhost), uport)
	return b.String()
}

func writeTraefik(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Traefik v3: the dynamic configuration (file provider)."))
	_, port := splitListen(o.Listen)
	fmt.Fprintf(&b, "# Static configuration to go with it:\n#   entryPoints: {web: {address: \"%s\"}}\n#   providers: {file: {filename: this-file}}\n", ":"+port)
	b.WriteString("http:\n  routers:\n    api:\n      entryPoints: [web]\n      rule: \"PathPrefix(`/`)\"\n      service: api\n      middlewares: [cors]\n")
	b.WriteString("  middlewares:\n    cors:\n      headers:\n")
	if p.any {
		b.WriteString("        accessControlAllowOriginList: [\"*\"]\n")
	} else {
		if len(p.exact) > 0 {
			fmt.Fprintf(&b, "        accessControlAllowOriginList: [%s]\n", quoted(p.exact, quote.YAML))
		}
		if len(p.patterns) > 0 {
			fmt.Fprintf(&b, "        accessControlAllowOriginListRegex: [%s]\n", quoted(p.patterns, quote.YAML))
		}
		b.WriteString("        addVaryHeader: true\n")
	}
	fmt.Fprintf(&b, "        accessControlAllowMethods: [%s]\n", quoted(p.allMethods(), quote.YAML))
	if len(p.headers) > 0 {
		fmt.Fprintf(&b, "        accessControlAllowHeaders: [%s]\n", quoted(p.headers, quote.YAML))
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "        accessControlExposeHeaders: [%s]\n", quoted(p.expose, quote.YAML))
	}
	if p.credentials {
		b.WriteString("        accessControlAllowCredentials: true\n")
	}
	if p.maxAge != "" {
		fmt.Fprintf(&b, "        accessControlMaxAge: %s\n", p.maxAge)
	}
	fmt.Fprintf(&b, "  services:\n    api:\n      loadBalancer:\n        servers:\n        - url: %s\n", quote.YAML(o.Upstream))
	// Traefik reads its dynamic configuration files as Go templates first.
	return quote.GoTemplate(b.String())
}

func splitListen(l string) (host, port string) {
	i := strings.LastIndexByte(l, ':')
	if i < 0 {
		return "0.0.0.0", l
	}
	host, port = l[:i], l[i+1:]
	if host == "" {
		host = "0.0.0.0"
	}
	return host, port
}

func writeExpress(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Express with the cors package: npm install express cors && node app.js (PORT, default 5000)."))
	b.WriteString("const express = require('express');\nconst cors = require('cors');\n\nconst app = express();\n\n// BEGIN corskit CORS: in the app, after const app = express() and before the routes\n")
	origin := p.jsOrigins()
	methods := quoted(p.allMethods(), quote.JS)
	ind := "  "
	switch {
	case p.anyHeader && p.authListed():
		fmt.Fprintf(&b, "// %s.\n", anyHeaderComment)
		fmt.Fprintf(&b, "app.use(cors({\n  origin: %s,\n  methods: [%s],\n  // allowedHeaders left out: cors then echoes the headers the preflight asks for.\n", origin, methods)
	case p.anyHeader:
		ind = "    "
		fmt.Fprintf(&b, "// %s.\n", anyHeaderComment)
		fmt.Fprintf(&b, "const corsListedHeaders = [%s];\n", quoted(p.headers, quote.JS))
		b.WriteString("app.use(cors((req, callback) => {\n  const asked = req.header('Access-Control-Request-Headers') || '';\n")
		fmt.Fprintf(&b, "  const allowedHeaders = %si.test(asked) ? corsListedHeaders : asked;\n  callback(null, {\n", quote.JSRegexp(asksForAuthorization))
		fmt.Fprintf(&b, "    origin: %s,\n    methods: [%s],\n    allowedHeaders,\n", origin, methods)
	default:
		fmt.Fprintf(&b, "app.use(cors({\n  origin: %s,\n  methods: [%s],\n  allowedHeaders: [%s],  // listed: without it, cors allows any header\n", origin, methods, quoted(p.headers, quote.JS))
	}
	writeCorsPackageTail(&b, p, ind)
	if p.anyHeader && !p.authListed() {
		b.WriteString("  });\n}));\n// END corskit CORS\n\n")
	} else {
		b.WriteString("}));\n// END corskit CORS\n\n")
	}
	b.WriteString("app.all('/data', (req, res) => {\n  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) return res.status(405).end();\n  res.json({message: 'Hello from API!'});\n});\n\n")
	b.WriteString("app.listen(Number(process.env.PORT || 5000), process.env.HOST || '127.0.0.1');\n")
	return b.String()
}

// flaskHeader writes an allowed header name for Flask-CORS, which reads a
// name holding any of *\]?$^[() as a regular expression matched at the
// start: such a name is written as a compiled expression matching it alone.
func flaskHeader(h string) string {
	if strings.ContainsAny(h, `*\]?$^[()`) {
		return "re.compile(" + quote.PythonRegexp(regexp.QuoteMeta(h)+"$") + ", re.IGNORECASE)"
	}
	return quote.Python(h)
}

func writeFlask(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Flask with Flask-CORS: python3 app.py (PORT, default 5000)."))
	b.WriteString("import os\nimport re\n\nfrom flask import Flask, jsonify\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n\n# BEGIN corskit CORS: in the app, after app = Flask(__name__)\n")
	origins := `"*"`
	if !p.any {
		items := p.originList(quote.Python, func(r string) string { return "re.compile(" + quote.PythonRegexp(r) + ")" })
		origins = "[" + strings.Join(items, ", ") + "]"
	}
	allowHeaders := quoted(p.headers, flaskHeader) + "],  # listed: without it, Flask-CORS allows any header"
	if p.anyHeader {
		fmt.Fprintf(&b, "# %s.\n", anyHeaderComment)
		any := `re.compile(r"(?!authorization$).*", re.IGNORECASE)],`
		if p.authListed() {
			any = `re.compile(r".*")],`
		}
		allowHeaders = strings.TrimPrefix(quoted(p.headers, flaskHeader)+", "+any, ", ")
	}
	fmt.Fprintf(&b, "CORS(\n    app,\n    origins=%s,\n    methods=[%s],\n    allow_headers=[%s\n", origins, quoted(p.allMethods(), quote.Python), allowHeaders)
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "    expose_headers=[%s],\n", quoted(p.expose, quote.Python))
	}
	fmt.Fprintf(&b, "    supports_credentials=%s,\n", map[bool]string{true: "True", false: "False"}[p.credentials])
	if p.maxAge != "" {
		fmt.Fprintf(&b, "    max_age=%s,\n", p.maxAge)
	}
	b.WriteString("    vary_header=True,\n)\n# END corskit CORS\n\n\n")
	b.WriteString("@app.route(\"/data\", methods=[\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"])\ndef data():\n    return jsonify(message=\"Hello from API!\")\n\n\n")
	b.WriteString("if __name__ == \"__main__\":\n    app.run(host=os.environ.get(\"HOST\", \"127.0.0.1\"), port=int(os.environ.get(\"PORT\", \"5000\")))\n")
	return b.String()
}

func writePHP(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString("<?php\n")
	b.WriteString(header("//", quote.PHPComment, o, omitted, "PHP: php -S 127.0.0.1:${PORT:-5000} app.php (or the front controller of any PHP app)."))
	b.WriteString("\n// BEGIN corskit CORS: at the top of the front controller (or of every endpoint), inside <?php and before any output\n")
	fmt.Fprintf(&b, "$corsExact = [%s];\n", quoted(p.exact, quote.PHP))
	fmt.Fprintf(&b, "$corsPatterns = [%s];\n", quoted(p.patterns, quote.PHPRegexp))
	b.WriteString("$origin = $_SERVER['HTTP_ORIGIN'] ?? null;\n")
	if p.any {
		b.WriteString("$allowed = $origin !== null;\n$allowOrigin = '*';\n")
	} else {
		b.WriteString("$allowed = $origin !== null && (in_array($origin, $corsExact, true) || (bool) array_filter($corsPatterns, fn ($re) => preg_match($re, $origin) === 1));\n$allowOrigin = $origin;\nheader('Vary: Origin', false);\n")
	}
	// phpHeader is a header() call sending name: value, the line quoted whole.
	phpHeader := func(ind, name, value string) {
		fmt.Fprintf(&b, "%sheader(%s);\n", ind, quote.PHP(name+": "+value))
	}
	b.WriteString("if ($allowed) {\n    header('Access-Control-Allow-Origin: ' . $allowOrigin);\n")
	if p.credentials {
		b.WriteString("    header('Access-Control-Allow-Credentials: true');\n")
	}
	if len(p.expose) > 0 {
		phpHeader("    ", "Access-Control-Expose-Headers", join(p.expose))
	}
	b.WriteString("}\nif ($_SERVER['REQUEST_METHOD'] === 'OPTIONS' && isset($_SERVER['HTTP_ACCESS_CONTROL_REQUEST_METHOD'])) {\n    if ($allowed) {\n")
	phpHeader("        ", "Access-Control-Allow-Methods", join(p.allMethods()))
	switch {
	case p.anyHeader:
		fmt.Fprintf(&b, "        // %s.\n        $asked = $_SERVER['HTTP_ACCESS_CONTROL_REQUEST_HEADERS'] ?? '';\n", anyHeaderComment)
		if p.authListed() {
			b.WriteString("        if ($asked !== '') {\n")
		} else {
			fmt.Fprintf(&b, "        if (preg_match(%s, $asked) === 1) {\n", quote.PHPRegexp("(?i)"+asksForAuthorization))
			if len(p.headers) > 0 {
				phpHeader("            ", "Access-Control-Allow-Headers", join(p.headers))
			} else {
				b.WriteString("            // Authorization is not listed: no Access-Control-Allow-Headers, so browsers refuse it.\n")
			}
			b.WriteString("        } elseif ($asked !== '') {\n")
		}
		b.WriteString("            header('Access-Control-Allow-Headers: ' . $asked);\n        }\n")
	case len(p.headers) > 0:
		phpHeader("        ", "Access-Control-Allow-Headers", join(p.headers))
	}
	if p.maxAge != "" {
		phpHeader("        ", "Access-Control-Max-Age", p.maxAge)
	}
	fmt.Fprintf(&b, "    }\n    http_response_code(%d);\n    exit;\n}\n// END corskit CORS\n\n", p.status)
	b.WriteString("header('Content-Type: application/json');\n$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);\nif ($path === '/data' && in_array($_SERVER['REQUEST_METHOD'], ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], true)) {\n    echo json_encode(['message' => 'Hello from API!']);\n} else {\n    http_response_code(404);\n    echo json_encode(['error' => 'not found']);\n}\n")
	return b.String()
}

// goList is xs as a Go []string literal, each element quoted as Go
// defines it (a pattern's backslashes and quotes escaped).
func goList(xs []string) string {
	return "[]string{" + quoted(xs, quote.Go) + "}"
}

// checkGo reports Go source that does not parse.
func checkGo(out, _ string) error {
	_, err := format.Source([]byte(out))
	return err
}

func writeGo(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Go with corskit's cors middleware: go run . (PORT, default 5000)."))
	b.WriteString("package main\n\nimport (\n\t\"encoding/json\"\n\t\"log\"\n\t\"net/http\"\n\t\"os\"\n\n\t\"github.com/corskit/corskit/cors\"\n)\n\nfunc main() {\n")
	b.WriteString("\tmux := http.NewServeMux()\n\tmux.HandleFunc(\"/data\", func(w http.ResponseWriter, r *http.Request) {\n\t\tswitch r.Method {\n\t\tcase \"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\":\n\t\t\tw.Header().Set(\"Content-Type\", \"application/json\")\n\t\t\tjson.NewEncoder(w).Encode(map[string]string{\"message\": \"Hello from API!\"})\n\t\tdefault:\n\t\t\tw.WriteHeader(http.StatusMethodNotAllowed)\n\t\t}\n\t})\n\n")
	b.WriteString("\t// BEGIN corskit CORS: in main, once the router (mux) is built; then serve handler, which wraps the whole router\n\tm, err := cors.New(cors.Config{\n")
	c := o.Policy
	fmt.Fprintf(&b, "\t\tAllowOrigins: %s,\n", goList(c.AllowOrigins))
	if len(c.AllowMethods) > 0 {
		fmt.Fprintf(&b, "\t\tAllowMethods: %s,\n", goList(c.AllowMethods))
	}
	if len(c.AllowHeaders) > 0 {
		fmt.Fprintf(&b, "\t\tAllowHeaders: %s,\n", goList(c.AllowHeaders))
	}
	if len(c.ExposeHeaders) > 0 {
		fmt.Fprintf(&b, "\t\tExposeHeaders: %s,\n", goList(c.ExposeHeaders))
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{c.AllowCredentials, "AllowCredentials"}, {c.AllowPrivateNetwork, "AllowPrivateNetwork"}, {c.PreflightPassthrough, "PreflightPassthrough"},
		{c.DangerouslyAllowNullOrigin, "DangerouslyAllowNullOrigin"}, {c.DangerouslyAllowInsecureOriginsWithCredentials, "DangerouslyAllowInsecureOriginsWithCredentials"}} {
		if f.on {
			fmt.Fprintf(&b, "\t\t%s: true,\n", f.name)
		}
	}
	if c.MaxAge != 0 {
		fmt.Fprintf(&b, "\t\tMaxAge: %d,\n", c.MaxAge)
	}
	if c.PreflightStatus != 0 {
		fmt.Fprintf(&b, "\t\tPreflightStatus: %d,\n", c.PreflightStatus)
	}
	b.WriteString("\t})\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\thandler := m.Handler(mux)\n\t// END corskit CORS\n\n")
	b.WriteString("\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"5000\"\n\t}\n\thost := os.Getenv(\"HOST\")\n\tif host == \"\" {\n\t\thost = \"127.0.0.1\"\n\t}\n\tlog.Fatal(http.ListenAndServe(host+\":\"+port, handler))\n}\n")
	if src, err := format.Source([]byte(b.String())); err == nil {
		return string(src)
	}
	return b.String() // checkGo fails the generation
}
