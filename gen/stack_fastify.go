package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Fastify with @fastify/cors (pinned in internal/servertest/npm.go:
// fastify 5, @fastify/cors 11, whose methods default is GET,HEAD,POST).
func init() {
	register(Stack{
		Name:      "fastify",
		Title:     "Fastify with @fastify/cors",
		Target:    &Target{Supports: "exact origins, patterns (RegExp), credentials, methods, headers (* by a per-request delegator), expose, max-age, Vary", write: writeFastify, limits: anyHeaderLimits},
		Recognize: recognizeFastify,
		Causes:    fastifyCauses,
		Doctor:    true,
		Comment:   "//",
		Snippet:   nodeSnippet("@fastify/cors", ""),
		Lint:      fastifyLint,
		Proof:     "proved by gen's TestMoreStacks (the engines' models) and TestMoreStacksInRealEngines (Chromium, Firefox, WebKit); evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the cases in morestacks_test.go); recognition by TestMoreStacksRecognized",
	})
}

// recognizeFastify reads Fastify's marks: its JSON error shape (a 404's
// "Route METHOD:/path not found", FST_ERR_ codes), @fastify/cors's
// refusal of a preflight without Origin or Access-Control-Request-Method
// and its default methods, and Fastify 5's Keep-Alive timeout.
func recognizeFastify(a Answer) Evidence {
	body := string(a.Body)
	if reFastifyRoute.MatchString(body) {
		return Evidence{"the body: " + reFastifyRoute.FindString(body), ByApp}
	}
	if strings.Contains(body, `"code":"FST_ERR_`) {
		return Evidence{"the body: a Fastify error code (FST_ERR_...)", ByApp}
	}
	if a.Status == 400 && body == "Invalid Preflight Request" {
		return Evidence{"the body: Invalid Preflight Request (@fastify/cors's strictPreflight)", ByApp}
	}
	if a.Header.Get("Access-Control-Allow-Methods") == "GET,HEAD,POST" {
		return Evidence{"Access-Control-Allow-Methods: GET,HEAD,POST (@fastify/cors's default)", ByApp}
	}
	if a.Header.Get("Keep-Alive") == "timeout=72" {
		return Evidence{"Keep-Alive: timeout=72 (Fastify's default keepAliveTimeout)", ByServer}
	}
	return Evidence{}
}

// reFastifyRoute is Fastify's 404 JSON.
var reFastifyRoute = regexp.MustCompile(`\{"message":"Route [A-Z]+:[^"]{0,200} not found","error":"Not Found","statusCode":404\}`)

// fastifyCauses are @fastify/cors's mistakes its users report most.
var fastifyCauses = []Cause{
	{ID: "fastify-methods-default", Mistake: "@fastify/cors is registered without methods: since version 10 it allows GET, HEAD and POST alone",
		Symptom: "'Method PUT is not allowed by Access-Control-Allow-Methods in preflight response', the preflight answered with Access-Control-Allow-Methods: GET,HEAD,POST",
		Fix:     "methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] in the register options",
		Seen:    func(a Answer) bool { return a.Header.Get("Access-Control-Allow-Methods") == "GET,HEAD,POST" }},
	{ID: "fastify-no-cors-on-route", Mistake: "@fastify/cors is not registered, or registered inside an encapsulated plugin (without fastify-plugin), so the route's context has no CORS",
		Symptom: "the preflight gets Fastify's 404 {\"message\":\"Route OPTIONS:/path not found\"...}: 'does not have HTTP ok status'",
		Fix:     "register @fastify/cors on the root instance, before the routes",
		Seen:    func(a Answer) bool { return strings.Contains(string(a.Body), `"message":"Route OPTIONS:`) }},
	{ID: "fastify-origin-string", Mistake: "origin is one string: @fastify/cors sends it to every caller, whatever its origin",
		Symptom: symptomOtherOrigins,
		Fix:     "origin: an array of the allowed origins (strings and RegExps): a match is reflected, anything else gets none"},
	{ID: "fastify-origin-true-credentials", Mistake: "origin: true with credentials: true reflects every origin with credentials",
		Symptom: symptomAnySite, Fix: "origin: the array of your origins"},
	{ID: "fastify-hook-after-auth", Mistake: "hook: 'preHandler' (or an auth onRequest hook added first) lets authentication answer the preflight, which carries no credentials",
		Symptom: "the preflight gets 401/403: 'does not have HTTP ok status'", Fix: "keep @fastify/cors's default hook, onRequest, and register it before the auth plugin"},
}

// reFastify* find @fastify/cors's options.
var (
	reFastifyRegister  = regexp.MustCompile(`register\(\s*(require\(\s*['"]@fastify/cors['"]\s*\)|[A-Za-z_$][\w$]*)\s*,\s*\{`)
	reFastifyOriginAll = regexp.MustCompile(`\borigin\s*:\s*(true|['"]\*['"])`)
	reJSCredentials    = regexp.MustCompile(`\bcredentials\s*:\s*true\b`)
	reJSMethods        = regexp.MustCompile(`\bmethods\s*:`)
	reJSWriteRoute     = regexp.MustCompile(`\.(put|patch|delete)\s*\(|method\s*:\s*\[?\s*['"](PUT|PATCH|DELETE)['"]`)
)

// isFastifyApp reports whether text uses @fastify/cors.
func isFastifyApp(name, text string) bool {
	return isJSFile(name) && strings.Contains(text, "@fastify/cors")
}

// isJSFile reports whether name is a JavaScript or TypeScript source.
func isJSFile(name string) bool {
	for _, ext := range []string{".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

var fastifyLint = []LintRule{
	{ID: "fastify-origin-any-with-credentials", Severity: "high", Applies: isFastifyApp, Find: hitsWith(reJSCredentials, reFastifyOriginAll, "@fastify/cors's origin: true (or '*') with credentials: true reflects every origin with credentials, so any site can read your users' data", "origin: ['https://app.example.com']")},
	{ID: "fastify-methods-default", Severity: "medium", Applies: isFastifyApp, Find: func(text string) []LintHit {
		if reJSMethods.MatchString(text) || !reJSWriteRoute.MatchString(text) {
			return nil
		}
		return hitsOf(text, reFastifyRegister, "@fastify/cors without methods allows GET, HEAD and POST alone (since version 10), and the app has PUT, PATCH or DELETE routes: their preflights are refused", "methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']")
	}},
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
	writeCorsPackageTail(&b, p, ind)
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
