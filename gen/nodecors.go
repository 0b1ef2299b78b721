package gen

import (
	"fmt"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// What the Node stacks share: the policy's origins as JavaScript, the
// corsOptions object of @koa/cors and hono/cors and the middleware that
// mounts it, and the options of the cors package (Express's, which Nest
// uses) that @fastify/cors takes under the same names.

// jsOrigins is the policy's origins for a Node CORS layer: '*', or an array
// of exact origins (strings) and patterns (RegExp literals).
func (p *plan) jsOrigins() string {
	if p.any {
		return "'*'"
	}
	return "[" + strings.Join(p.originList(quote.JS, quote.JSRegexp), ", ") + "]"
}

// writeCorsOptions writes the corsOptions object that @koa/cors and
// hono/cors both take (the same option names), naming lib in its comments.
func writeCorsOptions(b *strings.Builder, p *plan, origin, lib string) {
	b.WriteString("const corsOptions = {\n")
	fmt.Fprintf(b, "  origin: %s,\n", origin)
	fmt.Fprintf(b, "  allowMethods: [%s],\n", quoted(p.allMethods(), quote.JS))
	if p.anyHeader {
		fmt.Fprintf(b, "  // allowHeaders left out: %s then echoes the headers the preflight asks for.\n", lib)
	} else {
		fmt.Fprintf(b, "  allowHeaders: [%s],  // listed: without it, %s allows any header\n", quoted(p.headers, quote.JS), lib)
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(b, "  exposeHeaders: [%s],\n", quoted(p.expose, quote.JS))
	}
	if p.credentials {
		b.WriteString("  credentials: true,\n")
	}
	if p.maxAge != "" {
		fmt.Fprintf(b, "  maxAge: %s,\n", p.maxAge)
	}
	b.WriteString("};\n")
}

// corsLayer is how an app mounts a middleware built from corsOptions
// (@koa/cors, hono/cors), skipping it for a preflight that asks for
// Authorization when allow_headers: * does not list it.
type corsLayer struct {
	// lib is the package, for the comments.
	lib string
	// originNote says what lib does with the origin function's result, and
	// originFn is that function: the origin when listed.
	originNote, originFn string
	// use opens the app's call that mounts a middleware, e.g. "app.use(";
	// ctx is a middleware's first argument; asked reads the preflight's
	// Access-Control-Request-Headers from it.
	use, ctx, asked string
}

// write writes the origins, corsOptions and the mounting call.
func (l corsLayer) write(b *strings.Builder, p *plan) {
	origin := "'*'"
	if !p.any {
		fmt.Fprintf(b, "const corsOrigins = %s;\n", p.jsOrigins())
		b.WriteString("// " + l.originNote + "\n")
		origin = l.originFn
	}
	writeCorsOptions(b, p, origin, l.lib)
	if p.anyHeader && !p.authListed() {
		fmt.Fprintf(b, "// %s: a preflight asking for it gets no CORS headers.\n", anyHeaderComment)
		fmt.Fprintf(b, "const corsLayer = cors(corsOptions);\n%s(%s, next) => (", l.use, l.ctx)
		fmt.Fprintf(b, "%si.test(%s) ? next() : corsLayer(%s, next)));\n", quote.JSRegexp(asksForAuthorization), l.asked, l.ctx)
	} else {
		b.WriteString(l.use + "cors(corsOptions));\n")
	}
}

// writeCorsPackageTail writes, at indent ind, the cors package's options
// that follow the origins, methods and headers.
func writeCorsPackageTail(b *strings.Builder, p *plan, ind string) {
	if len(p.expose) > 0 {
		fmt.Fprintf(b, "%sexposedHeaders: [%s],\n", ind, quoted(p.expose, quote.JS))
	}
	if p.credentials {
		b.WriteString(ind + "credentials: true,\n")
	}
	if p.maxAge != "" {
		fmt.Fprintf(b, "%smaxAge: %s,\n", ind, p.maxAge)
	}
	fmt.Fprintf(b, "%soptionsSuccessStatus: %d,\n", ind, p.status)
}
