package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Laravel's config/cors.php, read by the HandleCors middleware (in
// Laravel's framework since 9.2, on fruitcake/php-cors; the
// fruitcake/laravel-cors package before). Debian packages Laravel 8 only,
// without HandleCors, so the output is checked, not run.
func init() {
	register(Stack{
		Name:  "laravel",
		Title: "Laravel (config/cors.php, HandleCors)",
		Target: &Target{
			Supports: "exact origins (allowed_origins), patterns (allowed_origins_patterns, preg_match), * without credentials, credentials, methods, headers (listed), expose, max-age",
			write:    writeLaravel,
			limits:   commonLimits,
		},
		Recognize: recognizeLaravel,
		Causes:    laravelCauses,
		Doctor:    true,
		Comment:   "//",
		Snippet:   formsSnippet("Laravel 9.2 and later: php artisan config:publish cors, or create the file; Laravel 8: composer require fruitcake/laravel-cors and put \\Fruitcake\\Cors\\HandleCors::class first in $middleware of app/Http/Kernel.php", "keep 'paths' only if it matches every path the page calls; php artisan config:clear afterwards"),
		Lint:      laravelLint,
		Proof:     "not proved on a real server: Laravel 9+ (HandleCors) is not packaged here; gen's TestFrameworkLaravel has php -l check the file and php read its array back against the policy",
	})
}

// recognizeLaravel reads Laravel's cookies: its session (laravel_session,
// the default session.cookie) and the XSRF-TOKEN cookie its
// VerifyCsrfToken middleware sets.
func recognizeLaravel(a Answer) Evidence {
	for _, c := range []string{"laravel_session", "XSRF-TOKEN"} {
		if from, ok := hasCookie(a, c); ok {
			return Evidence{from, ByApp}
		}
	}
	return Evidence{}
}

// laravelCauses are Laravel's CORS mistakes its users report most.
var laravelCauses = []Cause{
	{ID: "laravel-paths", Mistake: "'paths' in config/cors.php does not match the route called (the default is ['api/*', 'sanctum/csrf-cookie']: /login, /broadcasting/auth or a web route is outside it; fruitcake/laravel-cors's default was [])",
		Symptom: "no CORS header at all on that route, the preflight answered by the router (405, 404) or by a redirect", Fix: "add the route's path to 'paths' (e.g. 'login', 'api/*'), then php artisan config:clear"},
	{ID: "laravel-supports-credentials", Mistake: "the page sends cookies (Sanctum's SPA authentication, fetch's credentials: 'include', axios's withCredentials) but 'supports_credentials' is false",
		Symptom: "'The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include''", Fix: "'supports_credentials' => true, with the origins listed in 'allowed_origins' (not '*')"},
	{ID: "laravel-config-cached", Mistake: "the configuration is cached (php artisan config:cache, often in deployment), so a change to config/cors.php does nothing",
		Symptom: "the answers do not change after config/cors.php does", Fix: "php artisan config:clear (or config:cache again after the change)"},
	{ID: "laravel-handlecors-not-global", Mistake: "HandleCors is missing from the global $middleware (app/Http/Kernel.php, or bootstrap/app.php since Laravel 11), or only on a route group: error answers and preflights for unmatched methods leave without CORS headers",
		Symptom: "a 404/405/500 answer without Access-Control-Allow-Origin, which the browser reports as a CORS error", Fix: "\\Illuminate\\Http\\Middleware\\HandleCors::class first in the global $middleware"},
	{ID: "laravel-star-with-credentials", Mistake: "'allowed_origins' => ['*'] with 'supports_credentials' => true: php-cors then reflects every origin with credentials",
		Symptom: symptomAnySite, Fix: "list the origins in 'allowed_origins'"},
}

// laravelConfig writes config/cors.php's keys for p, one per line.
func laravelConfig(p *plan) string {
	var b strings.Builder
	b.WriteString("// 'paths' covers every route: the policy is the whole app's. Narrow it (e.g. 'api/*') only to paths that include every one the page calls.\n")
	b.WriteString("'paths' => ['*'],\n")
	fmt.Fprintf(&b, "'allowed_methods' => [%s],\n", quoted(p.allMethods(), quote.PHP))
	if p.any {
		b.WriteString("'allowed_origins' => ['*'],\n'allowed_origins_patterns' => [],\n")
	} else {
		fmt.Fprintf(&b, "'allowed_origins' => [%s],\n", quoted(p.exact, quote.PHP))
		fmt.Fprintf(&b, "'allowed_origins_patterns' => [%s],\n", quoted(p.patterns, quote.PHPRegexp))
	}
	fmt.Fprintf(&b, "'allowed_headers' => [%s],\n", quoted(p.headers, quote.PHP))
	fmt.Fprintf(&b, "'exposed_headers' => [%s],\n", quoted(p.expose, quote.PHP))
	if p.maxAge == "" {
		b.WriteString("// 0: php-cors then sends Access-Control-Max-Age: 0 (no caching); the policy sets none.\n'max_age' => 0,\n")
	} else {
		fmt.Fprintf(&b, "'max_age' => %s,\n", p.maxAge)
	}
	fmt.Fprintf(&b, "'supports_credentials' => %t,\n", p.credentials)
	return b.String()
}

// writeLaravel writes config/cors.php.
func writeLaravel(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString("<?php\n")
	b.WriteString(header("//", quote.PHPComment, o, omitted, "Laravel: config/cors.php, read by HandleCors (in the framework since Laravel 9.2; fruitcake/laravel-cors before). php artisan config:clear after changing it."))
	fmt.Fprintf(&b, "// "+notProvedLine+"\n\nreturn [\n", "Laravel 9 or later")
	b.WriteString("    // BEGIN corskit CORS: in config/cors.php, the keys of the returned array\n")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(laravelConfig(p), "\n"), "\n") {
		b.WriteString("    " + line)
	}
	b.WriteString("\n    // END corskit CORS\n];\n")
	return b.String()
}

// reLaravel* find config/cors.php's keys.
var (
	reLaravelStar   = regexp.MustCompile(`['"]allowed_origins['"]\s*=>\s*(\[|array\()\s*['"]\*['"]`)
	reLaravelCreds  = regexp.MustCompile(`['"]supports_credentials['"]\s*=>\s*true\b`)
	reLaravelNoPath = regexp.MustCompile(`['"]paths['"]\s*=>\s*(\[\s*\]|array\(\s*\))`)
)

// isLaravelCors reports whether name is Laravel's config/cors.php.
func isLaravelCors(name, text string) bool {
	return strings.HasSuffix(name, "cors.php") && strings.Contains(text, "allowed_origins")
}

var laravelLint = []LintRule{
	{ID: "laravel-star-with-credentials", Severity: "high", Applies: isLaravelCors, Find: hitsWith(reLaravelCreds, reLaravelStar, "'allowed_origins' => ['*'] with 'supports_credentials' => true: HandleCors (php-cors) then reflects every origin with credentials, so any site can read your users' data", "'allowed_origins' => ['https://app.example.com']")},
	{ID: "laravel-empty-paths", Severity: "medium", Applies: isLaravelCors, Find: func(text string) []LintHit {
		return hitsOf(text, reLaravelNoPath, "'paths' => []: HandleCors adds CORS headers to no route (fruitcake/laravel-cors's old default)", "'paths' => ['api/*', 'sanctum/csrf-cookie'] (every path the page calls)")
	}},
}
