package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// NestJS on its Express platform (pinned in internal/servertest/npm.go:
// @nestjs/core, @nestjs/common and @nestjs/platform-express 12.6):
// app.enableCors(options) and NestFactory.create(AppModule, { cors })
// hand their options to the cors package, as Express does.
func init() {
	register(Stack{
		Name:      "nestjs",
		Title:     "NestJS (Express platform) with app.enableCors",
		Target:    &Target{Supports: "exact origins, patterns (RegExp), credentials, methods, headers (* by a per-request options delegate), expose, max-age, Vary", write: writeNest, limits: anyHeaderLimits},
		Recognize: recognizeNest,
		Causes:    nestCauses,
		Doctor:    true,
		Comment:   "//",
		Snippet:   nestSnippet.snippet,
		Lint:      nestLint,
		Proof:     "proved by gen's TestMoreStacks (the engines' models) and TestMoreStacksInRealEngines (Chromium, Firefox, WebKit) on NestJS 12.6 from npm; evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the cases in morestacks_test.go); recognition by TestMoreStacksRecognized",
	})
}

// reNestError is the JSON body of Nest's HttpException filter, with which
// Nest answers a route it has not (404 "Cannot METHOD /path", the
// answer to a preflight when CORS is not on) and its other HTTP errors
// (an exception made without a description, such as new
// UnauthorizedException(), has no "error" key);
// reNestServerError is its answer to an unexpected exception.
var (
	reNestError       = regexp.MustCompile(`^\{"message":("Cannot [A-Z]+ [^"]{0,200}"|"[^"]{0,200}"|\[[^\]]{0,400}\])(,"error":"[A-Za-z' -]{1,40}")?,"statusCode":[1-5][0-9][0-9]\}`)
	reNestServerError = regexp.MustCompile(`^\{"statusCode":500,"message":"Internal server error"\}`)
)

// nestErrorBody returns the start of a's body when it is Nest's error
// JSON, or "". Fastify writes the same keys, with its 404's "Route
// METHOD:/path not found": that one is Fastify's.
func nestErrorBody(a Answer) string {
	body := string(a.Body)
	if reFastifyRoute.MatchString(body) {
		return ""
	}
	if m := reNestError.FindString(body); m != "" {
		return m
	}
	return reNestServerError.FindString(body)
}

// recognizeNest reads Nest's error JSON; Nest on Express also sends
// X-Powered-By: Express, which Express's recognition leaves to this one
// when the body is Nest's.
func recognizeNest(a Answer) Evidence {
	if m := nestErrorBody(a); m != "" {
		return Evidence{"the body: " + m + " (NestJS's HttpException JSON)", ByApp}
	}
	return Evidence{}
}

// nestPreflight404 reports whether a is Nest's 404 to an OPTIONS request:
// no CORS layer ran before the router.
func nestPreflight404(a Answer) bool {
	return a.Status == 404 && strings.HasPrefix(string(a.Body), `{"message":"Cannot OPTIONS `)
}

// nestRefusedWithoutCORS reports whether a is Nest's 401 or 403 without
// Access-Control-Allow-Origin: an app.use middleware that throws
// UnauthorizedException or ForbiddenException before CORS ran (guards
// run after it).
func nestRefusedWithoutCORS(a Answer) bool {
	return (a.Status == 401 || a.Status == 403) && a.Header.Get("Access-Control-Allow-Origin") == "" && nestErrorBody(a) != ""
}

// nestCauses are the CORS mistakes NestJS users report most (nestjs/nest
// issues 1134, 3458, 9291, 9727 and 10735 are preflights answered 404).
var nestCauses = []Cause{
	{ID: "nestjs-no-cors-before-router", Mistake: "no CORS runs before Nest's router: app.enableCors is not called, or is called after await app.listen(...) (or app.init()), which adds its middleware behind the router and its 404 handler, so no request reaches it",
		Symptom: "the preflight gets Nest's 404 {\"message\":\"Cannot OPTIONS /path\",\"error\":\"Not Found\",\"statusCode\":404}: 'Response to preflight request doesn't pass access control check: It does not have HTTP ok status'",
		Fix:     "call app.enableCors({...}) right after const app = await NestFactory.create(AppModule), before app.listen, or pass { cors: {...} } to NestFactory.create",
		Seen:    nestPreflight404},
	{ID: "nestjs-enablecors-default-star", Mistake: "app.enableCors() (or { cors: true }) without options: the cors package then sends Access-Control-Allow-Origin: * to every caller, which a credentialed request refuses",
		Symptom: symptomWildcardCredentials,
		Fix:     "app.enableCors({ origin: ['https://app.example.com'], credentials: true })",
		Seen: func(a Answer) bool {
			return a.Header.Get("Access-Control-Allow-Origin") == "*" && a.Header.Get("Access-Control-Allow-Methods") == "GET,HEAD,PUT,PATCH,POST,DELETE"
		}},
	{ID: "nestjs-middleware-before-cors", Mistake: "an app.use(...) middleware (authentication, a session check) registered before app.enableCors answers the preflight, which carries no credentials",
		Symptom: "the preflight gets 401 or 403 without Access-Control-Allow-Origin: 'does not have HTTP ok status'",
		Fix:     "call app.enableCors before any app.use, or pass { cors: {...} } to NestFactory.create, which registers it first; guards run after CORS and need no change",
		Seen:    nestRefusedWithoutCORS},
	{ID: "nestjs-origin-true-credentials", Mistake: "origin: true (or a callback that allows everything) with credentials: true reflects every origin with credentials",
		Symptom: symptomAnySite, Fix: "origin: the array of your origins"},
}

// nestSnippet is the doctor's two forms for a Nest app: the enableCors
// call needs no install (the Express platform brings the cors package).
var nestSnippet = libraryForms{
	add:     "A. The app does not enable CORS yet: {where}, add",
	replace: "B. The app already calls app.enableCors(...) (or passes cors to NestFactory.create): replace that call with this one and drop the cors option, {where}",
}

// reNest* find Nest's CORS calls.
var (
	reNestEnableCors = regexp.MustCompile(`\.enableCors\(`)
	reNestCreateCors = regexp.MustCompile(`NestFactory\.create\([^;]*\bcors\s*:`)
	reNestListen     = regexp.MustCompile(`\.listen\(`)
	reNestOriginAll  = regexp.MustCompile(`\borigin\s*:\s*(true|['"]\*['"])`)
)

// isNestApp reports whether text is a Nest bootstrap file.
func isNestApp(name, text string) bool {
	return isJSFile(name) && strings.Contains(text, "@nestjs/") && strings.Contains(text, "NestFactory")
}

var nestLint = []LintRule{
	{ID: "nestjs-origin-any-with-credentials", Severity: "high", Applies: isNestApp, Find: hitsWith(reJSCredentials, reNestOriginAll, "Nest's CORS options with origin: true (or '*') and credentials: true: true reflects every origin with credentials, so any site can read your users' data ('*' is refused by browsers)", "origin: ['https://app.example.com']")},
	{ID: "nestjs-enablecors-default-star", Severity: "medium", Applies: isNestApp, Find: func(text string) []LintHit {
		return hitsOf(text, regexp.MustCompile(`\.enableCors\(\s*\)|\bcors\s*:\s*true\b`), "enableCors() (or cors: true) sends Access-Control-Allow-Origin: * to everyone: credentialed requests are refused, and any site reads public answers", "app.enableCors({ origin: ['https://app.example.com'] })")
	}},
	{ID: "nestjs-enablecors-after-listen", Severity: "medium", Applies: isNestApp, Find: func(text string) []LintHit {
		c, l := reNestEnableCors.FindStringIndex(text), reNestListen.FindStringIndex(text)
		if c == nil || l == nil || c[0] < l[0] || reNestCreateCors.MatchString(text) {
			return nil
		}
		return []LintHit{hitAt(text, c[0], "enableCors after listen: its middleware comes after Nest's router, so preflights get 404 and answers carry no CORS headers", "call app.enableCors({...}) before await app.listen(...)")}
	}},
}

// writeNest writes a Nest app on the Express platform in plain
// JavaScript (the decorators applied as functions, so that node runs it
// without a TypeScript build); the marked enableCors call is the same in
// a main.ts.
func writeNest(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "NestJS on Express: npm install @nestjs/core @nestjs/common @nestjs/platform-express reflect-metadata rxjs && node main.js (PORT, default 5000). In a TypeScript main.ts, the marked enableCors call is the same."))
	b.WriteString("require('reflect-metadata');\nconst { NestFactory } = require('@nestjs/core');\nconst { Module, Controller, Get, Post, Put, Patch, Delete } = require('@nestjs/common');\n\n")
	b.WriteString("// @Controller('data') with one handler per method, the decorators applied as functions.\nclass DataController {}\n")
	b.WriteString("for (const [name, route] of [['get', Get], ['post', Post], ['put', Put], ['patch', Patch], ['delete', Delete]]) {\n")
	b.WriteString("  DataController.prototype[name] = () => ({ message: 'Hello from API!' });\n")
	b.WriteString("  route()(DataController.prototype, name, Object.getOwnPropertyDescriptor(DataController.prototype, name));\n}\n")
	b.WriteString("Controller('data')(DataController);\nclass AppModule {}\nModule({ controllers: [DataController] })(AppModule);\n\n")
	b.WriteString("async function bootstrap() {\n  const app = await NestFactory.create(AppModule, { logger: ['error'] });\n\n")
	b.WriteString("  // BEGIN corskit CORS: in bootstrap, after const app = await NestFactory.create(AppModule) and before any app.use and app.listen\n")
	writeNestCors(&b, p)
	b.WriteString("  // END corskit CORS\n\n")
	b.WriteString("  await app.listen(Number(process.env.PORT || 5000), process.env.HOST || '127.0.0.1');\n}\nbootstrap();\n")
	return b.String()
}

// writeNestCors writes the enableCors call: the cors package's options,
// or, for allow_headers: * without Authorization listed, a delegate that
// lists the policy's headers when the preflight asks for Authorization.
func writeNestCors(b *strings.Builder, p *plan) {
	origin := p.jsOrigins()
	methods := quoted(p.allMethods(), quote.JS)
	ind := "    "
	switch {
	case p.anyHeader && p.authListed():
		fmt.Fprintf(b, "  // %s.\n", anyHeaderComment)
		fmt.Fprintf(b, "  app.enableCors({\n    origin: %s,\n    methods: [%s],\n    // allowedHeaders left out: the cors package then echoes the headers the preflight asks for.\n", origin, methods)
	case p.anyHeader:
		ind = "      "
		fmt.Fprintf(b, "  // %s.\n", anyHeaderComment)
		fmt.Fprintf(b, "  const corsListedHeaders = [%s];\n", quoted(p.headers, quote.JS))
		b.WriteString("  app.enableCors((req, callback) => {\n    const asked = req.headers['access-control-request-headers'] || '';\n")
		fmt.Fprintf(b, "    const allowedHeaders = %si.test(asked) ? corsListedHeaders : asked;\n    callback(null, {\n", quote.JSRegexp(asksForAuthorization))
		fmt.Fprintf(b, "      origin: %s,\n      methods: [%s],\n      allowedHeaders,\n", origin, methods)
	default:
		fmt.Fprintf(b, "  app.enableCors({\n    origin: %s,\n    methods: [%s],\n    allowedHeaders: [%s],  // listed: without it, the cors package allows any header\n", origin, methods, quoted(p.headers, quote.JS))
	}
	writeCorsPackageTail(b, p, ind)
	if p.anyHeader && !p.authListed() {
		b.WriteString("    });\n  });\n")
	} else {
		b.WriteString("  });\n")
	}
}
