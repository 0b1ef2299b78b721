package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// aiohttp with aiohttp-cors (Debian's python3-aiohttp-cors 0.7, aiohttp
// 3.8).
func init() {
	register(Stack{
		Name:  "aiohttp",
		Title: "aiohttp with aiohttp-cors",
		Target: &Target{
			Supports: "exact origins or * (no patterns), credentials, methods, headers (listed), expose, max-age; only the routes given to cors.add, so a 404 carries no CORS headers",
			write:    writeAiohttp,
			limits:   aiohttpLimits,
		},
		Recognize: recognizeAiohttp,
		Causes:    aiohttpCauses,
		Doctor:    true,
		Snippet: libraryForms{
			add:     "A. The app has no aiohttp_cors yet: {where}, add",
			replace: "B. The app already calls aiohttp_cors.setup(...): replace that call and its cors.add(...) lines with these; keep the app's own import aiohttp_cors",
			imports: "import aiohttp_cors\n",
		}.snippet,
		Lint:  aiohttpLint,
		Proof: "proved by gen's TestDjangoFastAPIAiohttpInRealEngines (Chromium, Firefox, WebKit) and TestDjangoFastAPIAiohttp/aiohttp (the engines' models); evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp",
	})
}

// recognizeAiohttp reads aiohttp-cors's refusals ("CORS preflight request
// failed: ...") and aiohttp's Server header (Python/3.x aiohttp/3.x).
func recognizeAiohttp(a Answer) Evidence {
	if body := strings.TrimSpace(string(a.Body)); strings.HasPrefix(body, "CORS preflight request failed: ") {
		return Evidence{"the preflight's answer: " + quote.Comment(firstLine(body)), ByApp}
	}
	if from, ok := headerHas(a, "Server", "aiohttp"); ok {
		return Evidence{from, ByServer}
	}
	return Evidence{}
}

var aiohttpCauses = []Cause{
	{ID: "aiohttp-cors-no-methods", Mistake: "ResourceOptions without allow_methods: aiohttp-cors then allows no method in preflights",
		Symptom: "403 'CORS preflight request failed: request method 'PUT' is not allowed'", Fix: `allow_methods=["GET", "POST", "PUT", "DELETE"] (or "*")`,
		Seen: func(a Answer) bool {
			return a.Status == 403 && strings.Contains(string(a.Body), "CORS preflight request failed: request method")
		}},
	{ID: "aiohttp-cors-route-not-added", Mistake: "the route was added after the loop of cors.add(route), or never given to cors.add",
		Symptom: "no CORS headers on that route; its preflight gets aiohttp's 405 Method Not Allowed", Fix: "call cors.add(resource) for every resource, after the last add_route"},
	{ID: "aiohttp-cors-route-allows-method", Mistake: "cors.add(route) for each route: a route given to cors.add allows its method in preflights whatever allow_methods says",
		Symptom: "methods the policy does not list (DELETE, PATCH) pass the preflight", Fix: "cors.add(resource) for each of app.router.resources(), with allow_methods in the ResourceOptions"},
	{ID: "aiohttp-cors-origin-refused", Mistake: "the page's origin is not a key of the defaults (or of the route's config); keys are compared as exact strings",
		Symptom: "403 'CORS preflight request failed: origin '...' is not allowed'", Fix: "add the origin, scheme://host[:port], as a key",
		Seen: func(a Answer) bool { return a.Status == 403 && strings.Contains(string(a.Body), "is not allowed") }},
	{ID: "aiohttp-cors-star-with-credentials", Mistake: `the key "*" with allow_credentials=True: aiohttp-cors echoes any Origin with credentials`,
		Symptom: "credentialed calls work from every site: any site reads your users' data", Fix: "name the origins as keys"},
	{ID: "aiohttp-cors-headers", Mistake: "allow_headers does not list a header the page sends (default: none)",
		Symptom: "403 'CORS preflight request failed: headers are not allowed: CONTENT-TYPE'", Fix: `allow_headers=["Content-Type", ...]`},
}

// aiohttpLimits: aiohttp-cors matches origins as exact strings.
func aiohttpLimits(p *plan) []Omission {
	out := commonLimits(p)
	for _, r := range p.patterns {
		out = append(out, Omission{"origin pattern " + r, "aiohttp-cors matches origins as exact strings (or *); list the origins"})
	}
	if len(p.patterns) > 0 && len(p.exact) == 0 && !p.any {
		out = append(out, Omission{noOriginLeft, "aiohttp-cors takes no origin patterns"})
	}
	return out
}

func writeAiohttp(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "aiohttp with aiohttp-cors: python3 app.py (PORT, default 8080)."))
	b.WriteString("import os\n\nimport aiohttp_cors\nfrom aiohttp import web\n\n\nasync def data(request):\n    return web.json_response({\"message\": \"Hello from API!\"})\n\n\napp = web.Application()\n")
	b.WriteString("for method in (\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"):\n    app.router.add_route(method, \"/data\", data)\n\n")
	b.WriteString("# BEGIN corskit CORS: after the app's last add_route (cors.add covers only the resources that exist), before web.run_app\n")
	fmt.Fprintf(&b, "cors_options = aiohttp_cors.ResourceOptions(\n    allow_credentials=%s,\n    allow_methods=[%s],\n    allow_headers=[%s],\n    expose_headers=[%s],\n", pyBool(p.credentials), quoted(p.allMethods(), quote.Python), quoted(p.headers, quote.Python), quoted(p.expose, quote.Python))
	if p.maxAge != "" {
		fmt.Fprintf(&b, "    max_age=%s,\n", p.maxAge)
	}
	b.WriteString(")\n")
	origins := []string{"*"}
	if !p.any {
		origins = p.exact
	}
	fmt.Fprintf(&b, "cors = aiohttp_cors.setup(app, defaults={origin: cors_options for origin in [%s]})\n", quoted(origins, quote.Python))
	b.WriteString("# By resource: cors.add(route) would allow each route's method whatever allow_methods says.\nfor resource in list(app.router.resources()):\n    cors.add(resource)\n# END corskit CORS\n\n")
	b.WriteString("if __name__ == \"__main__\":\n    web.run_app(app, host=os.environ.get(\"HOST\", \"127.0.0.1\"), port=int(os.environ.get(\"PORT\", \"8080\")))\n")
	return b.String()
}

var (
	reAiohttpStar = regexp.MustCompile(`["']\*["']\s*:\s*aiohttp_cors\.ResourceOptions\(([^()]|\([^()]*\))*allow_credentials\s*=\s*True`)
	reAiohttpOpts = regexp.MustCompile(`ResourceOptions\(`)
)

func isAiohttpCors(name, text string) bool {
	return strings.HasSuffix(name, ".py") && strings.Contains(text, "aiohttp_cors")
}

var aiohttpLint = []LintRule{
	{ID: "aiohttp-cors-star-with-credentials", Severity: "high", Applies: isAiohttpCors, Find: func(text string) []LintHit {
		return hitsOf(text, reAiohttpStar, `aiohttp-cors with the key "*" and allow_credentials=True echoes every origin with credentials: any site can read your users' data`, `name the origins as keys: {"https://app.example.com": aiohttp_cors.ResourceOptions(...)}`)
	}},
	{ID: "aiohttp-cors-no-methods", Severity: "low", Applies: isAiohttpCors, Find: func(text string) []LintHit {
		var out []LintHit
		calls, at := callsOf(text, reAiohttpOpts)
		for i, c := range calls {
			if !strings.Contains(c, "allow_methods") {
				out = append(out, hitAt(text, at[i], "ResourceOptions without allow_methods: aiohttp-cors allows no method in preflights, so PUT, DELETE and JSON POSTs fail", `allow_methods=["GET", "POST", "PUT", "DELETE"]`))
			}
		}
		return out
	}},
}
