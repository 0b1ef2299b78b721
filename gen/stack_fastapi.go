package gen

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// FastAPI and Starlette with Starlette's CORSMiddleware (Debian's
// python3-fastapi 0.92, Starlette 0.26, uvicorn 0.17).
func init() {
	register(Stack{
		Name:  "fastapi",
		Title: "FastAPI or Starlette with CORSMiddleware",
		Target: &Target{
			Supports: "exact origins (allow_origins), patterns (allow_origin_regex), credentials, methods, headers (listed; Starlette always allows Content-Type), expose, max-age, Vary",
			write:    writeFastAPI,
			limits:   fastAPILimits,
		},
		Recognize: recognizeFastAPI,
		Causes:    fastAPICauses,
		Doctor:    true,
		Snippet: libraryForms{
			add:     "A. The app has no CORSMiddleware yet: {where}, add",
			replace: "B. The app already calls app.add_middleware(CORSMiddleware, ...): replace that call with this one; keep the app's own imports",
			imports: "from fastapi.middleware.cors import CORSMiddleware\n",
		}.snippet,
		Lint:  fastAPILint,
		Proof: "proved by gen's TestDjangoFastAPIAiohttpInRealEngines (Chromium, Firefox, WebKit) and TestDjangoFastAPIAiohttp/fastapi (the engines' models); evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp",
	})
}

// recognizeFastAPI reads Starlette's own refusal ("Disallowed CORS
// origin"), FastAPI's error JSON ({"detail": ...}) and uvicorn's Server
// header.
func recognizeFastAPI(a Answer) Evidence {
	body := strings.TrimSpace(string(a.Body))
	if strings.HasPrefix(body, "Disallowed CORS ") {
		return Evidence{"the preflight's answer: " + quote.Comment(firstLine(body)), ByApp}
	}
	if strings.HasPrefix(body, `{"detail":`) && strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
		return Evidence{"FastAPI's error JSON: " + quote.Comment(firstLine(body)), ByApp}
	}
	for _, s := range []string{"uvicorn", "hypercorn"} {
		if from, ok := headerHas(a, "Server", s); ok {
			return Evidence{from, ByServer}
		}
	}
	return Evidence{}
}

// firstLine is the first line of s, at most 120 bytes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

var fastAPICauses = []Cause{
	{ID: "starlette-disallowed", Mistake: "the origin, method or a header is not in CORSMiddleware's allow_origins, allow_methods (default GET only) or allow_headers",
		Symptom: "the preflight gets 400 'Disallowed CORS origin' (or method, headers) from Starlette", Fix: "add it to the list; allow_methods defaults to ['GET']",
		Seen: func(a Answer) bool { return a.Status == 400 && strings.HasPrefix(string(a.Body), "Disallowed CORS ") }},
	{ID: "starlette-star-with-credentials", Mistake: "allow_origins=['*'] with allow_credentials=True: Starlette answers * to requests without cookies, and reflects any Origin to requests with a Cookie",
		Symptom: "credentialed calls work from every site: any site reads your users' data", Fix: "list the origins: allow_origins=['https://app.example.com']"},
	{ID: "starlette-500-without-cors", Mistake: "an unhandled exception is answered by ServerErrorMiddleware, outside CORSMiddleware",
		Symptom: "a 500 without Access-Control-Allow-Origin: the console blames CORS for a server error", Fix: "handle the exception (an exception handler that returns a JSONResponse), or read the server's log"},
	{ID: "starlette-middleware-order", Mistake: "another middleware added after CORSMiddleware (so it runs first) answers preflights or refuses requests (authentication, trusted hosts)",
		Symptom: "the preflight gets 401/403/405 without CORS headers", Fix: "add CORSMiddleware last (app.add_middleware puts the last one outermost)"},
	{ID: "starlette-origin-trailing-slash", Mistake: "an origin in allow_origins has a trailing slash or a path",
		Symptom: "'Disallowed CORS origin' for the page's origin", Fix: "scheme://host[:port] exactly, as the browser sends it"},
}

// fastAPILimits adds Starlette's fixed allowance of Content-Type.
func fastAPILimits(p *plan) []Omission {
	out := commonLimits(p)
	if !slices.ContainsFunc(p.headers, func(h string) bool { return strings.EqualFold(h, "content-type") }) {
		out = append(out, Omission{"allow_headers without Content-Type", "Starlette's CORSMiddleware always allows Content-Type in preflights (its SAFELISTED_HEADERS), so a JSON or other non-form Content-Type passes that the policy refuses; the output is WIDER there. List Content-Type, or use another target"})
	}
	return out
}

func writeFastAPI(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "FastAPI with Starlette's CORSMiddleware: python3 app.py (PORT, default 8000; or uvicorn app:app)."))
	b.WriteString("import os\n\nimport uvicorn\nfrom fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\n\n")
	b.WriteString("# BEGIN corskit CORS: after app = FastAPI(), and after the app's other add_middleware calls (the last added runs first)\n")
	origins := `"*"`
	if !p.any {
		origins = quoted(p.exact, quote.Python)
	}
	fmt.Fprintf(&b, "app.add_middleware(\n    CORSMiddleware,\n    allow_origins=[%s],\n", origins)
	if !p.any && len(p.patterns) > 0 {
		var alts []string
		for _, r := range p.patterns {
			alts = append(alts, "(?:"+r+")")
		}
		fmt.Fprintf(&b, "    allow_origin_regex=%s,\n", quote.PythonRegexp(strings.Join(alts, "|")))
	}
	fmt.Fprintf(&b, "    allow_methods=[%s],\n    allow_headers=[%s],\n", quoted(p.allMethods(), quote.Python), quoted(p.headers, quote.Python))
	if len(p.expose) > 0 {
		fmt.Fprintf(&b, "    expose_headers=[%s],\n", quoted(p.expose, quote.Python))
	}
	fmt.Fprintf(&b, "    allow_credentials=%s,\n", pyBool(p.credentials))
	if p.maxAge != "" {
		fmt.Fprintf(&b, "    max_age=%s,\n", p.maxAge)
	}
	b.WriteString(")\n# END corskit CORS\n\n\n")
	b.WriteString("@app.api_route(\"/data\", methods=[\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"])\ndef data():\n    return {\"message\": \"Hello from API!\"}\n\n\n")
	b.WriteString("if __name__ == \"__main__\":\n    uvicorn.run(app, host=os.environ.get(\"HOST\", \"127.0.0.1\"), port=int(os.environ.get(\"PORT\", \"8000\")))\n")
	return b.String()
}

var (
	reStarletteCall  = regexp.MustCompile(`add_middleware\(\s*CORSMiddleware|CORSMiddleware\s*,`)
	reStarletteStar  = regexp.MustCompile(`allow_origins\s*=\s*\[\s*["']\*["']\s*\]`)
	reStarletteCreds = regexp.MustCompile(`allow_credentials\s*=\s*True`)
	reStarletteSlash = regexp.MustCompile(`["'](https?://[^"'/]+/[^"']*)["']`)
)

// isStarlette reports whether a Python source configures CORSMiddleware.
func isStarlette(name, text string) bool {
	return strings.HasSuffix(name, ".py") && strings.Contains(text, "CORSMiddleware")
}

// callsOf returns the text of each call a match of re is in or opens, from
// its opening parenthesis (in the match, or the last one before it) to the
// closing one (at most 8 KiB), with the match's offset.
func callsOf(text string, re *regexp.Regexp) (calls []string, at []int) {
	for _, m := range re.FindAllStringIndex(text, -1) {
		open := strings.IndexByte(text[m[0]:m[1]], '(')
		if open >= 0 {
			open += m[0]
		} else if open = strings.LastIndexByte(text[:m[0]], '('); open < 0 {
			continue
		}
		depth, end := 0, min(len(text), open+8192)
	scan:
		for i := open; i < end; i++ {
			switch text[i] {
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					end = i + 1
					break scan
				}
			}
		}
		calls, at = append(calls, text[open:end]), append(at, m[0])
	}
	return calls, at
}

var fastAPILint = []LintRule{
	{ID: "starlette-star-with-credentials", Severity: "high", Applies: isStarlette, Find: func(text string) []LintHit {
		var out []LintHit
		calls, at := callsOf(text, reStarletteCall)
		for i, c := range calls {
			if reStarletteStar.MatchString(c) && reStarletteCreds.MatchString(c) {
				out = append(out, hitAt(text, at[i], `CORSMiddleware with allow_origins=["*"] and allow_credentials=True: Starlette reflects any Origin to requests that carry a Cookie, so any site can read your users' data`, `allow_origins=["https://app.example.com"] (the origins, by name)`))
			}
		}
		return out
	}},
	{ID: "starlette-origin-with-path", Severity: "medium", Applies: isStarlette, Find: func(text string) []LintHit {
		var out []LintHit
		calls, at := callsOf(text, reStarletteCall)
		for i, c := range calls {
			for _, m := range reStarletteSlash.FindAllStringSubmatchIndex(c, -1) {
				if v := c[m[2]:m[3]]; strings.Contains(c[max(0, m[0]-80):m[0]], "allow_origins") {
					out = append(out, hitAt(text, at[i]+m[2], "origin "+quote.Python(v)+" in allow_origins has a path or a trailing slash: Starlette compares the Origin header as a string, so it never matches", "write it as scheme://host[:port]"))
				}
			}
		}
		return out
	}},
}
