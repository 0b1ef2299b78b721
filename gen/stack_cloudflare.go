package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Cloudflare Workers: a Worker module whose fetch handler answers
// preflights and adds the headers (run here on workerd, pinned in
// internal/servertest/npm.go).
func init() {
	register(Stack{
		Name:      "cloudflare-workers",
		Title:     "Cloudflare Workers",
		Target:    &Target{Supports: "exact origins, patterns (RegExp), credentials, methods, headers (* by the asked headers), expose, max-age, Vary", write: writeCloudflareWorker, limits: anyHeaderLimits},
		Recognize: recognizeCloudflare,
		Causes:    cloudflareCauses,
		Doctor:    true,
		Comment:   "//",
		Lint:      cloudflareLint,
		Proof:     "proved on workerd (the Workers runtime) by gen's TestMoreStacks (the engines' models) and TestMoreStacksInRealEngines (Chromium, Firefox, WebKit); hostile values by TestHostileValuesOnMoreStacks; evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the cases in brokenworkers_test.go); recognition by TestPlatformsRecognized",
	})
}

// recognizeCloudflare reads Cloudflare's marks: CF-Ray on every answer
// that passed its network, Server: cloudflare. Both say Cloudflare's
// network, not that a Worker answered: ranked ByServer, so an app's own
// marks behind it win.
func recognizeCloudflare(a Answer) Evidence {
	if from, ok := headerSent(a, "CF-Ray"); ok {
		return Evidence{from, ByServer}
	}
	if from, ok := headerHas(a, "Server", "cloudflare"); ok {
		return Evidence{from, ByServer}
	}
	return Evidence{}
}

// cloudflareCauses are the mistakes of CORS written in a Worker.
var cloudflareCauses = []Cause{
	{ID: "workers-no-preflight", Mistake: "the Worker adds Access-Control-Allow-Origin to its answers but passes OPTIONS on to the origin (or its router), which refuses it",
		Symptom: symptomNotOK,
		Fix:     "answer OPTIONS with Access-Control-Request-Method in the Worker itself, first in fetch, with 204 and the Allow-Methods/Allow-Headers"},
	{ID: "workers-immutable-headers", Mistake: "response.headers.set on the Response fetch() returned: its headers are immutable and the Worker throws",
		Symptom: "'TypeError: Can't modify immutable headers' in the Worker's log and a 500 without CORS headers",
		Fix:     "new Response(response.body, response), then set the headers on the copy"},
	{ID: "workers-duplicate-origin", Mistake: "headers.append('Access-Control-Allow-Origin', ...) while the origin server sends its own",
		Symptom: symptomMultipleOrigins, Fix: "delete the origin's Access-Control-* headers, then headers.set"},
	{ID: "workers-error-without-cors", Mistake: "an exception or an early return (auth, 404) leaves the Worker before the CORS headers are added",
		Symptom: "the browser reports a CORS error instead of the 401/404/500", Fix: "add the headers in one wrapper around the whole handler, errors included"},
}

// reWorker* find CORS written in a Worker.
var (
	reWorkerFetch   = regexp.MustCompile(`(?m)\basync\s+fetch\s*\(|addEventListener\(\s*['"]fetch['"]`)
	reWorkerACAO    = regexp.MustCompile(`(?i)['"]Access-Control-Allow-Origin['"]`)
	reWorkerOptions = regexp.MustCompile(`['"]OPTIONS['"]`)
)

// isWorker reports whether text is a Worker's fetch handler.
func isWorker(name, text string) bool { return isJSFile(name) && reWorkerFetch.MatchString(text) }

var cloudflareLint = []LintRule{
	{ID: "workers-no-preflight", Severity: "medium", Applies: isWorker, Find: func(text string) []LintHit {
		if reWorkerOptions.MatchString(text) {
			return nil
		}
		loc := reWorkerACAO.FindStringIndex(text)
		if loc == nil {
			return nil
		}
		return []LintHit{hitAt(text, loc[0], "the Worker sets Access-Control-Allow-Origin but never answers OPTIONS: preflights reach the origin, which may refuse them", "answer request.method === 'OPTIONS' with Access-Control-Request-Method first in fetch (corskit gen cloudflare-workers)")}
	}},
}

// writeCloudflareWorker writes a Worker module: the CORS helpers at the
// top, and the fetch handler answering preflights first and wrapping every
// other answer (errors included).
func writeCloudflareWorker(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Cloudflare Workers: a Worker module (wrangler deploy worker.js; workerd serve runs it locally)."))
	b.WriteString("\n// BEGIN corskit CORS: at the top of the Worker's module, outside the fetch handler\n")
	b.WriteString("const corsNames = ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers', 'Access-Control-Expose-Headers', 'Access-Control-Max-Age'];\n")
	if p.any {
		b.WriteString("const corsAllowed = (origin) => origin !== null;\n")
	} else {
		fmt.Fprintf(&b, "const corsOrigins = %s;\n", p.jsOrigins())
		b.WriteString("// An origin not listed gets no Access-Control-Allow-Origin.\nconst corsAllowed = (origin) => origin !== null && corsOrigins.some((o) => (typeof o === 'string' ? o === origin : o.test(origin)));\n")
	}
	b.WriteString("\n// corsHeaders are the headers every answer to request carries.\nfunction corsHeaders(request) {\n  const origin = request.headers.get('Origin');\n  const h = new Headers();\n  if (!corsAllowed(origin)) return h;\n")
	acao := "origin"
	if p.any {
		acao = "'*'"
	}
	fmt.Fprintf(&b, "  h.set('Access-Control-Allow-Origin', %s);\n", acao)
	if p.credentials {
		b.WriteString("  h.set('Access-Control-Allow-Credentials', 'true');\n")
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "  h.set('Access-Control-Expose-Headers', %s);\n", quote.JS(join(p.expose)))
	}
	b.WriteString("  return h;\n}\n\n")
	writeWorkerPreflight(&b, p)
	b.WriteString("// withCors copies response (fetch's headers are immutable) with the origin's own CORS headers replaced: never two values.\nfunction withCors(response, h) {\n  const r = new Response(response.body, response);\n  for (const name of corsNames) r.headers.delete(name);\n  for (const [k, v] of h) r.headers.set(k, v);\n")
	if !p.any {
		b.WriteString("  r.headers.append('Vary', 'Origin');\n")
	}
	b.WriteString("  return r;\n}\n// END corskit CORS\n\n")
	b.WriteString("async function handle(request) {\n  const url = new URL(request.url);\n  if (url.pathname === '/data' && ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method)) {\n    return Response.json({ message: 'Hello from API!' });\n  }\n  return Response.json({ error: 'not found' }, { status: 404 });\n}\n\n")
	b.WriteString("export default {\n  async fetch(request, env, ctx) {\n    // BEGIN corskit CORS: first in the fetch handler, before the routes and any auth check; handle(request, env, ctx) is the handler you had\n")
	b.WriteString("    if (request.method === 'OPTIONS' && request.headers.has('Access-Control-Request-Method')) return corsPreflight(request);\n")
	b.WriteString("    const h = corsHeaders(request);\n    let response;\n    try {\n      response = await handle(request, env, ctx);\n    } catch (err) {\n      response = Response.json({ error: 'internal error' }, { status: 500 });\n    }\n    return withCors(response, h);\n    // END corskit CORS\n  },\n};\n")
	return b.String()
}

// writeWorkerPreflight writes corsPreflight, the Worker's answer to a
// preflight.
func writeWorkerPreflight(b *strings.Builder, p *plan) {
	b.WriteString("// corsPreflight answers a preflight here: it never reaches the routes or the origin.\nfunction corsPreflight(request) {\n  const h = corsHeaders(request);\n  if (h.has('Access-Control-Allow-Origin')) {\n")
	fmt.Fprintf(b, "    h.set('Access-Control-Allow-Methods', %s);\n", quote.JS(join(p.allMethods())))
	switch {
	case p.anyHeader:
		fmt.Fprintf(b, "    // %s.\n    const asked = request.headers.get('Access-Control-Request-Headers') || '';\n", anyHeaderComment)
		if p.authListed() {
			b.WriteString("    if (asked !== '') h.set('Access-Control-Allow-Headers', asked);\n")
		} else {
			fmt.Fprintf(b, "    if (%si.test(asked)) {\n", quote.JSRegexp(asksForAuthorization))
			if len(p.headers) > 0 {
				fmt.Fprintf(b, "      h.set('Access-Control-Allow-Headers', %s);\n", quote.JS(join(p.headers)))
			} else {
				b.WriteString("      // Authorization is not listed: no Access-Control-Allow-Headers, so browsers refuse it.\n")
			}
			b.WriteString("    } else if (asked !== '') {\n      h.set('Access-Control-Allow-Headers', asked);\n    }\n")
		}
	case len(p.headers) > 0:
		fmt.Fprintf(b, "    h.set('Access-Control-Allow-Headers', %s);\n", quote.JS(join(p.headers)))
	}
	if p.maxAge != "" {
		fmt.Fprintf(b, "    h.set('Access-Control-Max-Age', %s);\n", quote.JS(p.maxAge))
	}
	b.WriteString("  }\n")
	if !p.any {
		b.WriteString("  h.append('Vary', 'Origin');\n")
	}
	fmt.Fprintf(b, "  return new Response(null, { status: %d, headers: h });\n}\n\n", p.status)
}
