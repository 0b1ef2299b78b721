package gen

import (
	"fmt"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// writeKoa writes a Koa app with @koa/cors as its first middleware: a
// middleware registered after the routes never sees the requests they
// answer.
func writeKoa(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Koa with @koa/cors: npm install koa @koa/cors && node app.js (PORT, default 5000)."))
	b.WriteString("const Koa = require('koa');\nconst cors = require('@koa/cors');\n\nconst app = new Koa();\n\n// BEGIN corskit CORS: the first app.use, before the routes (a router's routes() included)\n")
	origin := "'*'"
	if !p.any {
		fmt.Fprintf(&b, "const corsOrigins = %s;\n", p.jsOrigins())
		b.WriteString("// @koa/cors answers any origin unless told: an origin not listed gets no Access-Control-Allow-Origin.\n")
		origin = "(ctx) => (corsOrigins.some((o) => (typeof o === 'string' ? o === ctx.get('Origin') : o.test(ctx.get('Origin')))) ? ctx.get('Origin') : '')"
	}
	b.WriteString("const corsOptions = {\n")
	fmt.Fprintf(&b, "  origin: %s,\n", origin)
	fmt.Fprintf(&b, "  allowMethods: [%s],\n", quoted(p.allMethods(), quote.JS))
	if p.anyHeader {
		b.WriteString("  // allowHeaders left out: @koa/cors then echoes the headers the preflight asks for.\n")
	} else {
		fmt.Fprintf(&b, "  allowHeaders: [%s],  // listed: without it, @koa/cors allows any header\n", quoted(p.headers, quote.JS))
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "  exposeHeaders: [%s],\n", quoted(p.expose, quote.JS))
	}
	if p.credentials {
		b.WriteString("  credentials: true,\n")
	}
	if p.maxAge != "" {
		fmt.Fprintf(&b, "  maxAge: %s,\n", p.maxAge)
	}
	b.WriteString("};\n")
	if p.anyHeader && !p.authListed() {
		fmt.Fprintf(&b, "// %s: a preflight asking for it gets no CORS headers.\n", anyHeaderComment)
		b.WriteString("const corsLayer = cors(corsOptions);\napp.use((ctx, next) => (")
		fmt.Fprintf(&b, "%si.test(ctx.get('Access-Control-Request-Headers')) ? next() : corsLayer(ctx, next)));\n", quote.JSRegexp(asksForAuthorization))
	} else {
		b.WriteString("app.use(cors(corsOptions));\n")
	}
	b.WriteString("// END corskit CORS\n\n")
	b.WriteString("app.use(async (ctx, next) => {\n  if (ctx.path !== '/data' || !['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();\n  ctx.body = { message: 'Hello from API!' };\n});\n\n")
	b.WriteString("app.listen(Number(process.env.PORT || 5000), process.env.HOST || '127.0.0.1');\n")
	return b.String()
}
