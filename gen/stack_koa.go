package gen

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Koa with @koa/cors (pinned in internal/servertest/npm.go: koa 3,
// @koa/cors 5, whose default origin became * in version 5).
func init() {
	register(Stack{
		Name:      "koa",
		Title:     "Koa with @koa/cors",
		Target:    &Target{Supports: "exact origins, patterns (RegExp), credentials, methods, headers (* by a per-request wrapper), expose, max-age, Vary", write: writeKoa, limits: anyHeaderLimits},
		Recognize: recognizeKoa,
		Causes:    koaCauses,
		Doctor:    true,
		Comment:   "//",
		Snippet:   nodeSnippet("@koa/cors", "const cors = require('@koa/cors');\n"),
		Lint:      koaLint,
		Proof:     "proved by gen's TestMoreStacks (the engines' models) and TestMoreStacksInRealEngines (Chromium, Firefox, WebKit); evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the cases in morestacks_test.go); recognition by TestMoreStacksRecognized",
	})
}

// koaDefaultMethods is @koa/cors's Access-Control-Allow-Methods when the
// app lists none (the cors package for Express orders them otherwise:
// GET,HEAD,PUT,PATCH,POST,DELETE).
const koaDefaultMethods = "GET,HEAD,PUT,POST,DELETE,PATCH"

// recognizeKoa reads Koa's marks: @koa/cors's default methods on a
// preflight answer, and Koa's bare status-text bodies (text/plain; charset=utf-8,
// "Not Found"), with @koa/router's answer to OPTIONS (200, an Allow
// header, "OK").
func recognizeKoa(a Answer) Evidence {
	if a.Header.Get("Access-Control-Allow-Methods") == koaDefaultMethods {
		return Evidence{"Access-Control-Allow-Methods: " + koaDefaultMethods + " (@koa/cors's default)", ByApp}
	}
	body := string(a.Body)
	if a.Header.Get("Content-Type") == "text/plain; charset=utf-8" && a.Status >= 400 && body == http.StatusText(a.Status) && a.Header.Get("X-Powered-By") == "" {
		return Evidence{"the body: " + body + " (Koa's text/plain status body)", ByApp}
	}
	if koaRouterOptions(a) {
		return Evidence{"the body: OK with Allow: " + a.Header.Get("Allow") + " (@koa/router's allowedMethods)", ByApp}
	}
	return Evidence{}
}

// koaRouterOptions reports whether a is @koa/router's answer to OPTIONS
// (allowedMethods): 200, an Allow header, the body OK, no CORS header.
func koaRouterOptions(a Answer) bool {
	return a.Status == 200 && a.Header.Get("Allow") != "" && string(a.Body) == "OK" && a.Header.Get("Access-Control-Allow-Origin") == ""
}

// koaCauses are @koa/cors's mistakes its users report most.
var koaCauses = []Cause{
	{ID: "koa-cors-after-routes", Mistake: "app.use(cors()) comes after the routes (router.routes(), router.allowedMethods()): a route that answers never calls next, so its answer has no CORS headers",
		Symptom: "the preflight answered by @koa/router (200 with Allow, no Access-Control-Allow-Origin) or the response without Access-Control-Allow-Origin",
		Fix:     "app.use(cors(...)) first, before app.use(router.routes())",
		Seen:    koaRouterOptions},
	{ID: "koa-origin-string", Mistake: "origin is one string: @koa/cors sends it to every caller, whatever its origin",
		Symptom: symptomOtherOrigins,
		Fix:     "origin: a function of ctx returning ctx.get('Origin') for the allowed origins and '' for the rest"},
	{ID: "koa-cors-v5-star", Mistake: "@koa/cors 5 changed the default origin from the request's Origin to *: an app relying on the old default breaks on credentialed requests",
		Symptom: symptomWildcardCredentials,
		Fix:     "origin: the allowed origins (a function), and credentials: true"},
	{ID: "koa-credentials-any-origin", Mistake: "credentials: true without origin: @koa/cors then reflects every origin with credentials",
		Symptom: symptomAnySite, Fix: "origin: a function that returns the request's Origin for your origins only"},
}

// reKoa* find @koa/cors's options.
var (
	reKoaCorsCall = regexp.MustCompile(`app\.use\(\s*cors\(`)
	reKoaRoutes   = regexp.MustCompile(`app\.use\(\s*[A-Za-z_$][\w$]*\.(routes|allowedMethods)\(`)
	reJSOrigin    = regexp.MustCompile(`\borigin\s*:`)
)

// isKoaApp reports whether text uses @koa/cors.
func isKoaApp(name, text string) bool { return isJSFile(name) && strings.Contains(text, "@koa/cors") }

var koaLint = []LintRule{
	{ID: "koa-cors-after-routes", Severity: "medium", Applies: isKoaApp, Find: func(text string) []LintHit {
		c, r := reKoaCorsCall.FindStringIndex(text), reKoaRoutes.FindStringIndex(text)
		if c == nil || r == nil || c[0] < r[0] {
			return nil
		}
		return []LintHit{hitAt(text, c[0], "app.use(cors(...)) after the router: the routes answer without CORS headers", "move app.use(cors(...)) above app.use(router.routes())")}
	}},
	{ID: "koa-credentials-any-origin", Severity: "high", Applies: isKoaApp, Find: func(text string) []LintHit {
		if !reJSCredentials.MatchString(text) || reJSOrigin.MatchString(text) {
			return nil
		}
		return hitsOf(text, reKoaCorsCall, "@koa/cors with credentials: true and no origin reflects every origin with credentials, so any site can read your users' data", "origin: (ctx) => (allowed.includes(ctx.get('Origin')) ? ctx.get('Origin') : '')")
	}},
}

// koaLayer is @koa/cors as the first middleware, for every path.
var koaLayer = corsLayer{
	lib:        "@koa/cors",
	originNote: "@koa/cors answers any origin unless told: an origin not listed gets no Access-Control-Allow-Origin.",
	originFn:   "(ctx) => (corsOrigins.some((o) => (typeof o === 'string' ? o === ctx.get('Origin') : o.test(ctx.get('Origin')))) ? ctx.get('Origin') : '')",
	use:        "app.use(", ctx: "ctx", asked: "ctx.get('Access-Control-Request-Headers')",
}

// writeKoa writes a Koa app with @koa/cors as its first middleware: a
// middleware registered after the routes never sees the requests they
// answer.
func writeKoa(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Koa with @koa/cors: npm install koa @koa/cors && node app.js (PORT, default 5000)."))
	b.WriteString("const Koa = require('koa');\nconst cors = require('@koa/cors');\n\nconst app = new Koa();\n\n// BEGIN corskit CORS: the first app.use, before the routes (a router's routes() included)\n")
	koaLayer.write(&b, p)
	b.WriteString("// END corskit CORS\n\n")
	b.WriteString("app.use(async (ctx, next) => {\n  if (ctx.path !== '/data' || !['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();\n  ctx.body = { message: 'Hello from API!' };\n});\n\n")
	b.WriteString("app.listen(Number(process.env.PORT || 5000), process.env.HOST || '127.0.0.1');\n")
	return b.String()
}
