package gen

import (
	"fmt"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// jsOrigins is the policy's origins for a Node CORS layer: '*', or an array
// of exact origins (strings) and patterns (RegExp literals).
func (p *plan) jsOrigins() string {
	if p.any {
		return "'*'"
	}
	var items []string
	for _, e := range p.exact {
		items = append(items, quote.JS(e))
	}
	for _, r := range p.patterns {
		items = append(items, quote.JSRegexp(r))
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// writeFastify writes a Fastify app with @fastify/cors, registered before
// the routes; its preflight answer comes from the plugin's onRequest hook,
// before any auth hook or route runs.
func writeFastify(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Fastify with @fastify/cors: npm install fastify @fastify/cors && node app.js (PORT, default 5000)."))
	b.WriteString("const fastify = require('fastify')();\n\n// BEGIN corskit CORS: after const fastify = require('fastify')() and before the routes\n")
	ind := "  "
	if p.anyHeader && !p.authListed() {
		fmt.Fprintf(&b, "// %s: a preflight asking for it gets no CORS headers.\n", anyHeaderComment)
		b.WriteString("fastify.register(require('@fastify/cors'), {\n  delegator: (req, callback) => {\n")
		fmt.Fprintf(&b, "    const asksForAuthorization = %si.test(req.headers['access-control-request-headers'] || '');\n", quote.JSRegexp(asksForAuthorization))
		b.WriteString("    if (asksForAuthorization) return callback(null, { origin: false });\n    callback(null, {\n")
		ind = "      "
	} else {
		b.WriteString("fastify.register(require('@fastify/cors'), {\n")
	}
	fmt.Fprintf(&b, "%sorigin: %s,\n", ind, p.jsOrigins())
	fmt.Fprintf(&b, "%smethods: [%s],  // @fastify/cors allows GET, HEAD and POST alone unless told\n", ind, quoted(p.allMethods(), quote.JS))
	if p.anyHeader {
		fmt.Fprintf(&b, "%s// allowedHeaders left out: @fastify/cors then echoes the headers the preflight asks for.\n", ind)
	} else {
		fmt.Fprintf(&b, "%sallowedHeaders: [%s],  // listed: without it, @fastify/cors allows any header\n", ind, quoted(p.headers, quote.JS))
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "%sexposedHeaders: [%s],\n", ind, quoted(p.expose, quote.JS))
	}
	if p.credentials {
		fmt.Fprintf(&b, "%scredentials: true,\n", ind)
	}
	if p.maxAge != "" {
		fmt.Fprintf(&b, "%smaxAge: %s,\n", ind, p.maxAge)
	}
	fmt.Fprintf(&b, "%soptionsSuccessStatus: %d,\n", ind, p.status)
	if p.anyHeader && !p.authListed() {
		b.WriteString("    });\n  },\n});\n")
	} else {
		b.WriteString("});\n")
	}
	b.WriteString("// END corskit CORS\n\n")
	b.WriteString("fastify.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/data', handler: async () => ({ message: 'Hello from API!' }) });\n\n")
	b.WriteString("fastify.listen({ port: Number(process.env.PORT || 5000), host: process.env.HOST || '127.0.0.1' });\n")
	return b.String()
}
