package gen

import (
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Hono with its cors middleware (hono/cors), served on Node by
// @hono/node-server (pinned in internal/servertest/npm.go: hono 4.13,
// whose default allowMethods ends with QUERY).
func init() {
	register(Stack{
		Name:      "hono",
		Title:     "Hono with hono/cors",
		Target:    &Target{Supports: "exact origins, patterns (an origin function), credentials, methods, headers (* by a per-request wrapper), expose, max-age, Vary", write: writeHono, limits: anyHeaderLimits},
		Recognize: recognizeHono,
		Causes:    honoCauses,
		Doctor:    true,
		Comment:   "//",
		Snippet:   honoSnippet.snippet,
		Lint:      honoLint,
		Proof:     "proved by gen's TestMoreStacks (the engines' models) and TestMoreStacksInRealEngines (Chromium, Firefox, WebKit) on Hono 4.13 with @hono/node-server 2.1 from npm; evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the cases in morestacks_test.go); recognition by TestMoreStacksRecognized",
	})
}

// honoDefaultMethods is hono/cors's Access-Control-Allow-Methods when the
// app lists none (Hono 4.13; earlier 4.x versions had no QUERY, and
// answer what @koa/cors answers, which names no stack).
const honoDefaultMethods = "GET,HEAD,PUT,POST,DELETE,PATCH,QUERY"

// recognizeHono reads Hono's marks: its default 404 body, "404 Not
// Found" as text/plain; charset=UTF-8, and hono/cors's default methods.
func recognizeHono(a Answer) Evidence {
	if honoNotFound(a) {
		return Evidence{"the body: 404 Not Found (Hono's default notFound)", ByApp}
	}
	if a.Header.Get("Access-Control-Allow-Methods") == honoDefaultMethods {
		return Evidence{"Access-Control-Allow-Methods: " + honoDefaultMethods + " (hono/cors's default)", ByApp}
	}
	return Evidence{}
}

// honoNotFound reports whether a is Hono's default 404.
func honoNotFound(a Answer) bool {
	return a.Status == 404 && string(a.Body) == "404 Not Found" && strings.HasPrefix(a.Header.Get("Content-Type"), "text/plain")
}

// honoCauses are hono/cors's mistakes its users report most (honojs/hono
// issues 687, 1587, 2557 and 3493: middleware paths and order).
var honoCauses = []Cause{
	{ID: "hono-cors-misses-route", Mistake: "no hono/cors middleware runs for the route: none is registered, or app.use('/api', cors(...)) matches /api alone (Hono's paths are exact; '/api/*' matches below it), or its path names another prefix than the routes'",
		Symptom: "the preflight gets Hono's 404 '404 Not Found' without Access-Control-Allow-Origin: 'does not have HTTP ok status'",
		Fix:     "app.use('/api/*', cors(...)) with the routes' prefix, or app.use('*', cors(...))",
		Seen:    func(a Answer) bool { return honoNotFound(a) && a.Header.Get("Access-Control-Allow-Origin") == "" }},
	{ID: "hono-cors-after-routes", Mistake: "app.use(cors(...)) comes after the routes: a route registered before it answers without calling next, so its answer has no CORS headers (the preflight, which no route answers, still gets them)",
		Symptom: "the preflight passes, then 'No 'Access-Control-Allow-Origin' header is present on the requested resource' on the response",
		Fix:     "app.use('*', cors(...)) first, before app.get/app.post/app.route"},
	{ID: "hono-origin-function-boolean", Mistake: "the origin function returns true or false, as the cors package for Express takes: hono/cors sends what it returns as Access-Control-Allow-Origin, so 'true'",
		Symptom: "'The 'Access-Control-Allow-Origin' header has a value 'true' that is not equal to the supplied origin'",
		Fix:     "origin: (origin) => (allowed.includes(origin) ? origin : null): return the origin to allow, null to refuse",
		Seen:    func(a Answer) bool { return a.Header.Get("Access-Control-Allow-Origin") == "true" }},
	{ID: "hono-default-origin-star", Mistake: "cors() without origin sends Access-Control-Allow-Origin: * (also with credentials: true, which browsers then refuse)",
		Symptom: symptomWildcardCredentials,
		Fix:     "origin: ['https://app.example.com'] with credentials: true"},
}

// honoSnippet is the doctor's two forms for a Hono app: A adds the
// middleware (cors comes with hono), B replaces the app's own
// app.use(..., cors(...)), whatever path it was mounted on.
var honoSnippet = libraryForms{
	add:     "A. The app has no CORS yet: {where}, add (in an ES module, import { cors } from 'hono/cors' instead of the require)",
	replace: "B. The app already calls app.use(..., cors(...)): replace that call with this one, {where}; keep the app's own import of cors",
	imports: "const { cors } = require('hono/cors');\n",
}

// reHono* find hono/cors's calls.
var (
	reHonoCorsCall = regexp.MustCompile(`\.use\(\s*(['"][^'"]*['"]\s*,\s*)?cors\(`)
	reHonoRoute    = regexp.MustCompile(`\b[A-Za-z_$][\w$]*\.(get|post|put|patch|delete|all|on|route)\(\s*['"\[]`)
	reHonoReflect  = regexp.MustCompile(`\borigin\s*:\s*(['"]\*['"]|\(?\s*([A-Za-z_$][\w$]*)\s*(,[^)]*)?\)?\s*=>\s*([A-Za-z_$][\w$]*)\s*[,}\n])`)
)

// isHonoApp reports whether text uses hono/cors.
func isHonoApp(name, text string) bool { return isJSFile(name) && strings.Contains(text, "hono/cors") }

var honoLint = []LintRule{
	{ID: "hono-origin-any-with-credentials", Severity: "high", Applies: isHonoApp, Find: func(text string) []LintHit {
		if !reJSCredentials.MatchString(text) {
			return nil
		}
		var out []LintHit
		for _, m := range reHonoReflect.FindAllStringSubmatchIndex(text, -1) {
			star := text[m[2]] == '\'' || text[m[2]] == '"'
			if star || text[m[4]:m[5]] == text[m[8]:m[9]] {
				out = append(out, hitAt(text, m[0], "hono/cors with credentials: true and an origin of '*' (refused by browsers) or a function returning its argument (every origin, with credentials: any site reads your users' data)", "origin: ['https://app.example.com'] or (origin) => (allowed.includes(origin) ? origin : null)"))
			}
		}
		return out
	}},
	{ID: "hono-cors-after-routes", Severity: "medium", Applies: isHonoApp, Find: func(text string) []LintHit {
		c, r := reHonoCorsCall.FindStringIndex(text), reHonoRoute.FindStringIndex(text)
		if c == nil || r == nil || c[0] < r[0] {
			return nil
		}
		return []LintHit{hitAt(text, c[0], "the cors middleware comes after a route: that route answers without CORS headers", "move app.use('*', cors(...)) above the routes")}
	}},
}

// honoLayer is hono/cors as the first middleware, on every path ('*').
var honoLayer = corsLayer{
	lib:        "hono/cors",
	originNote: "hono/cors sends what the function returns: the origin when listed, null (no header) otherwise.",
	originFn:   "(origin) => (corsOrigins.some((o) => (typeof o === 'string' ? o === origin : o.test(origin))) ? origin : null)",
	use:        "app.use('*', ", ctx: "c", asked: "c.req.header('Access-Control-Request-Headers') || ''",
}

// writeHono writes a Hono app on @hono/node-server with hono/cors as its
// first middleware, on every path.
func writeHono(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Hono with hono/cors: npm install hono @hono/node-server && node app.js (PORT, default 5000)."))
	b.WriteString("const { Hono } = require('hono');\nconst { cors } = require('hono/cors');\nconst { serve } = require('@hono/node-server');\n\nconst app = new Hono();\n\n")
	b.WriteString("// BEGIN corskit CORS: after const app = new Hono() and before the routes, on every path ('*')\n")
	honoLayer.write(&b, p)
	b.WriteString("// END corskit CORS\n\n")
	b.WriteString("app.on(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], '/data', (c) => c.json({ message: 'Hello from API!' }));\n\n")
	b.WriteString("serve({ fetch: app.fetch, port: Number(process.env.PORT || 5000), hostname: process.env.HOST || '127.0.0.1' });\n")
	return b.String()
}
