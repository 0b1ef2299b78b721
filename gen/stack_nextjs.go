package gen

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Next.js (App Router): CORS in proxy.ts, which Next.js 16 calls what
// 12 to 15 called middleware.ts, the one place that sees every request,
// preflights included, before route handlers and next.config.js headers.
// Proved on next dev in the slow run only: see Proof.
func init() {
	register(Stack{
		Name:      "nextjs",
		Title:     "Next.js (proxy.ts, formerly middleware.ts)",
		Target:    &Target{Supports: "exact origins, patterns (RegExp), credentials, methods, headers (* echoed, Authorization only when listed), expose, max-age, Vary; proved on next dev 16.5 with CORSKIT_SLOW=1 only", write: writeNext, limits: anyHeaderLimits},
		Recognize: recognizeNext,
		Causes:    nextCauses,
		Doctor:    true,
		Comment:   "//",
		Lint:      nextLint,
		Proof:     "proved only with CORSKIT_SLOW=1: gen's TestMoreStacksInRealEngines (Chromium, Firefox, WebKit, and the engines' models) and TestHostileValuesOnMoreStacks run it on next dev 16.5 (Turbopack), which compiles for tens of seconds on a loaded 2-core machine, beyond the default run's budget; in the default run, TestNextOutputIsQuoted (the hostile values through internal/quote's JS quoting) and TestRecognize; evidence to a working app (a route handler without OPTIONS; next.config.js headers() with * and credentials) by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp on one shared next dev, with CORSKIT_SLOW=1 or CORSKIT_BROKEN_ALL=1; next build and next start not run",
	})
}

// recognizeNext reads Next.js's marks: X-Powered-By: Next.js (on unless
// poweredByHeader: false), and the router's headers on its answers.
func recognizeNext(a Answer) Evidence {
	if from, ok := headerHas(a, "X-Powered-By", "next.js"); ok {
		return Evidence{from, ByApp}
	}
	for _, h := range []string{"X-Nextjs-Cache", "X-Nextjs-Prerender", "X-Nextjs-Stale-Time"} {
		if from, ok := headerSent(a, h); ok {
			return Evidence{from, ByApp}
		}
	}
	if from, ok := headerHas(a, "Vary", "next-router-state-tree"); ok {
		return Evidence{from, ByApp}
	}
	return Evidence{}
}

// nextCauses are the CORS mistakes Next.js users report most
// (vercel/next.js issues 48770 and 57999, pull requests 62439 and 63264).
var nextCauses = []Cause{
	{ID: "nextjs-route-without-options", Mistake: "the route handler (app/.../route.ts) sets CORS headers on its own answers but exports no OPTIONS: the preflight is answered by Next.js (405, or its automatic OPTIONS with an Allow header) without them",
		Symptom: "'Response to preflight request doesn't pass access control check' (no Access-Control-Allow-Origin, or 'does not have HTTP ok status')",
		Fix:     "answer CORS in proxy.ts (corskit gen nextjs), which sees the preflight first; or export an OPTIONS handler that sends the same headers",
		Seen: func(a Answer) bool {
			return (a.Status == 405 || nextAutoOptions(a)) && a.Header.Get("Access-Control-Allow-Origin") == "" && recognizeNext(a).Rank > NoEvidence
		}},
	{ID: "nextjs-config-headers-static", Mistake: "next.config.js headers() sends one fixed Access-Control-Allow-Origin: it cannot answer each allowed origin with its own, and '*' with Access-Control-Allow-Credentials: true is refused",
		Symptom: "'The Access-Control-Allow-Origin header has a value that is not equal to the supplied origin', or the wildcard refused with credentials",
		Fix:     "drop the Access-Control-* entries from headers() and answer CORS in proxy.ts, which reads the request's Origin",
		Seen: func(a Answer) bool {
			acao := a.Header.Get("Access-Control-Allow-Origin")
			return (acao == "*" || nextAutoOptions(a) && acao != "") && recognizeNext(a).Rank > NoEvidence
		}},
	{ID: "nextjs-matcher-misses-route", Mistake: "proxy.ts (middleware.ts) has a config.matcher that does not cover the API's path (e.g. '/api/:path*' for routes under /v1), or the file is inside app/ instead of beside it, so it never runs for the request",
		Symptom: "no Access-Control-Allow-Origin on the preflight nor on the answer, although the code sets it",
		Fix:     "matcher: the API's paths (or '/:path*'), and the file at the project root (or in src/), beside app/"},
	{ID: "nextjs-preflight-passed-on", Mistake: "proxy.ts sets the CORS headers on NextResponse.next() for every method: the preflight goes on to the route, which answers OPTIONS with 405 or without the headers",
		Symptom: "'does not have HTTP ok status' on the preflight",
		Fix:     "answer the preflight in proxy.ts itself: return new NextResponse(null, { status: 204, headers }) when the method is OPTIONS"},
}

// nextAutoOptions reports whether a is the answer Next.js (16.5, App
// Router) gives an OPTIONS request to a route handler that exports no
// OPTIONS: 204 with an Allow header listing the handler's methods. Only
// next.config.js headers() add headers to it.
func nextAutoOptions(a Answer) bool {
	return a.Status == 204 && a.Header.Get("Allow") != ""
}

// reNext* find Next.js's CORS configuration.
var (
	reNextACAOStar    = regexp.MustCompile(`['"]Access-Control-Allow-Origin['"]\s*[,:]\s*(value\s*:\s*)?['"]\*['"]`)
	reNextACACTrue    = regexp.MustCompile(`['"]Access-Control-Allow-Credentials['"]\s*[,:]\s*(value\s*:\s*)?['"]true['"]`)
	reNextWriteExport = regexp.MustCompile(`export\s+(async\s+)?(function\s+|const\s+)(POST|PUT|PATCH|DELETE)\b`)
	reNextOptions     = regexp.MustCompile(`export\s+(async\s+)?(function\s+|const\s+)OPTIONS\b|\bOPTIONS\s*[,}]`)
)

// isNextFile reports whether name is a Next.js file where CORS is set:
// next.config.*, proxy.* or middleware.* beside app/, a route handler.
func isNextFile(name, text string) bool {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	stem := strings.TrimSuffix(base, path.Ext(base))
	switch {
	case stem == "next.config":
		return true
	case stem == "proxy" || stem == "middleware" || stem == "route":
		return isJSFile(name) && strings.Contains(text, "next/server")
	}
	return false
}

var nextLint = []LintRule{
	{ID: "nextjs-star-with-credentials", Severity: "high", Applies: isNextFile, Find: hitsWith(reNextACACTrue, reNextACAOStar, "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true (in headers(), a proxy or a route): browsers refuse every credentialed request", "answer each allowed origin with its own value in proxy.ts (corskit gen nextjs)")},
	{ID: "nextjs-route-without-options", Severity: "medium", Applies: func(name, text string) bool {
		return isNextFile(name, text) && strings.HasPrefix(path.Base(strings.ReplaceAll(name, "\\", "/")), "route.")
	}, Find: func(text string) []LintHit {
		if !strings.Contains(text, "Access-Control-Allow-Origin") || reNextOptions.MatchString(text) {
			return nil
		}
		loc := reNextWriteExport.FindStringIndex(text)
		if loc == nil {
			return nil
		}
		return []LintHit{hitAt(text, loc[0], "a route handler that sets CORS headers and answers POST, PUT, PATCH or DELETE exports no OPTIONS: Next.js answers the preflight without them", "export an OPTIONS handler with the same headers, or answer CORS in proxy.ts")}
	}},
}

// writeNext writes proxy.ts: the preflight answered there, the other
// requests passed on with NextResponse.next() and the headers added to
// their answers. TypeScript with its types, as next build checks it.
func writeNext(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "Next.js: proxy.ts at the project root (or in src/), beside app/. Next.js 12 to 15: name it middleware.ts and the function middleware. Proved by corskit's tests on next dev 16.5 (Turbopack), not on next build / next start."))
	b.WriteString("// BEGIN corskit CORS: proxy.ts at the project root, beside app/ (middleware.ts with export function middleware before Next.js 16); an app that has one calls corsProxy(request) first and returns its answer; remove the Access-Control-* headers the app sets elsewhere (next.config.js headers(), and a rule left empty there; route handlers)\n")
	b.WriteString("import { NextResponse, type NextRequest } from 'next/server';\n\n")
	if p.any {
		b.WriteString("const corsAllowed = (_origin: string): boolean => true;\n")
	} else {
		fmt.Fprintf(&b, "const corsOrigins: (string | RegExp)[] = %s;\n", p.jsOrigins())
		b.WriteString("const corsAllowed = (origin: string): boolean => corsOrigins.some((o) => (typeof o === 'string' ? o === origin : o.test(origin)));\n")
	}
	b.WriteString("\nexport function corsProxy(request: NextRequest): NextResponse {\n  const origin = request.headers.get('origin') || '';\n")
	b.WriteString("  const asked = request.headers.get('access-control-request-headers') || '';\n")
	b.WriteString("  const preflight = request.method === 'OPTIONS' && request.headers.has('access-control-request-method');\n")
	fmt.Fprintf(&b, "  // A preflight is answered here: passed on, the route would answer OPTIONS itself (405, or without these headers).\n  const response = preflight ? new NextResponse(null, { status: %d }) : NextResponse.next();\n", p.status)
	writeNextHeaders(&b, p)
	b.WriteString("  return response;\n}\n\n")
	b.WriteString("export function proxy(request: NextRequest): NextResponse {\n  return corsProxy(request);\n}\n\n")
	b.WriteString("// The paths proxy runs on: every path here; narrow it to the API's (e.g. '/api/:path*'), never past it.\nexport const config = { matcher: '/:path*' };\n")
	b.WriteString("// END corskit CORS\n")
	return b.String()
}

// writeNextHeaders writes the headers corsProxy adds for an allowed
// origin: all of them on a preflight, the rest on any answer.
func writeNextHeaders(b *strings.Builder, p *plan) {
	if !p.any {
		b.WriteString("  response.headers.append('Vary', 'Origin');\n")
	}
	cond := "origin && corsAllowed(origin)"
	if p.anyHeader && !p.authListed() {
		fmt.Fprintf(b, "  // %s: a preflight asking for it gets no CORS headers.\n", anyHeaderComment)
		fmt.Fprintf(b, "  if (preflight && %si.test(asked)) return response;\n", quote.JSRegexp(asksForAuthorization))
	}
	fmt.Fprintf(b, "  if (!(%s)) return response;\n", cond)
	acao := "origin"
	if p.any {
		acao = quote.JS("*")
	}
	fmt.Fprintf(b, "  response.headers.set('Access-Control-Allow-Origin', %s);\n", acao)
	if p.credentials {
		b.WriteString("  response.headers.set('Access-Control-Allow-Credentials', 'true');\n")
	}
	if len(p.expose) > 0 {
		fmt.Fprintf(b, "  if (!preflight) response.headers.set('Access-Control-Expose-Headers', [%s].join(', '));\n", quoted(p.expose, quote.JS))
	}
	b.WriteString("  if (preflight) {\n")
	fmt.Fprintf(b, "    response.headers.set('Access-Control-Allow-Methods', [%s].join(', '));\n", quoted(p.allMethods(), quote.JS))
	if p.anyHeader {
		b.WriteString("    if (asked) response.headers.set('Access-Control-Allow-Headers', asked);\n")
		b.WriteString("    response.headers.append('Vary', 'Access-Control-Request-Headers');\n")
	} else {
		fmt.Fprintf(b, "    response.headers.set('Access-Control-Allow-Headers', [%s].join(', '));\n", quoted(p.headers, quote.JS))
	}
	if p.maxAge != "" {
		fmt.Fprintf(b, "    response.headers.set('Access-Control-Max-Age', %s);\n", quote.JS(p.maxAge))
	}
	b.WriteString("  }\n")
}
