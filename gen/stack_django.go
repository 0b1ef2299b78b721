package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Django with django-cors-headers (Debian's python3-django-cors-headers
// 3.14; the settings' names are the library's since 3.5).
func init() {
	register(Stack{
		Name:  "django",
		Title: "Django with django-cors-headers",
		Target: &Target{
			Supports: "exact origins (CORS_ALLOWED_ORIGINS), patterns (CORS_ALLOWED_ORIGIN_REGEXES), * without credentials (CORS_ALLOW_ALL_ORIGINS), credentials, methods, headers (listed), expose, max-age, Vary",
			write:    writeDjango,
			limits:   commonLimits,
		},
		Recognize: recognizeDjango,
		Causes:    djangoCauses,
		Doctor:    true,
		Lint:      djangoLint,
		Proof:     "proved by gen's TestDjangoFastAPIAiohttpInRealEngines (Chromium, Firefox, WebKit) and TestDjangoFastAPIAiohttp/django (the engines' models); evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp",
	})
}

// recognizeDjango reads Django's marks: its csrftoken and sessionid
// cookies, its error pages, and the Server header of runserver and
// wsgiref (WSGIServer/0.2 CPython/3.x), which other WSGI apps share.
func recognizeDjango(a Answer) Evidence {
	for _, c := range []string{"csrftoken", "sessionid", "django_language"} {
		if from, ok := hasCookie(a, c); ok {
			return Evidence{from, ByApp}
		}
	}
	body := string(a.Body)
	for _, mark := range []string{"<h1>Not Found</h1><p>The requested resource was not found on this server.</p>", "CSRF verification failed. Request aborted.", "DisallowedHost at ", "You're seeing this error because you have <code>DEBUG = True</code> in\n    your Django settings file"} {
		if strings.Contains(body, mark) {
			return Evidence{"the body: " + strings.TrimSpace(strings.SplitN(mark, "\n", 2)[0]), ByApp}
		}
	}
	if from, ok := headerHas(a, "Server", "wsgiserver/"); ok {
		return Evidence{from, ByServer}
	}
	return Evidence{}
}

// djangoCauses are django-cors-headers' mistakes its users report most.
var djangoCauses = []Cause{
	{ID: "django-middleware-order", Mistake: "CorsMiddleware is below CommonMiddleware or a middleware that answers first (authentication, redirects, APPEND_SLASH)",
		Symptom: "the preflight gets a 301/302/401/403 without Access-Control-Allow-Origin ('Redirect is not allowed for a preflight request', or 'does not have HTTP ok status')",
		Fix:     `put "corsheaders.middleware.CorsMiddleware" first in MIDDLEWARE, above CommonMiddleware`},
	{ID: "django-old-setting-names", Mistake: "the settings use the names before django-cors-headers 3.5 (CORS_ORIGIN_WHITELIST, CORS_ORIGIN_REGEX_WHITELIST, CORS_ORIGIN_ALLOW_ALL) beside the new ones, which win",
		Symptom: "an origin listed under the old name is refused", Fix: "one list, under CORS_ALLOWED_ORIGINS (CORS_ALLOWED_ORIGIN_REGEXES, CORS_ALLOW_ALL_ORIGINS)"},
	{ID: "django-origin-with-path", Mistake: "an origin in CORS_ALLOWED_ORIGINS has a path or a trailing slash, or no scheme",
		Symptom: "the origin is never matched: no Access-Control-Allow-Origin", Fix: `scheme://host[:port], e.g. "https://app.example.com"`},
	{ID: "django-urls-regex", Mistake: "CORS_URLS_REGEX (e.g. r'^/api/.*$') does not match the path called",
		Symptom: "no CORS header at all on that path, the preflight answered by the view (often 405)", Fix: "widen CORS_URLS_REGEX to the paths the page calls, or remove it"},
	{ID: "django-append-slash", Mistake: "the page calls /path without the trailing slash the URL pattern has, and APPEND_SLASH redirects",
		Symptom: "'Redirect is not allowed for a preflight request', or a 301 to /path/ that drops the method's body", Fix: "call the URL with its trailing slash (or define the route without it)"},
	{ID: "django-allow-all-with-credentials", Mistake: "CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True: the library reflects every origin",
		Symptom: symptomAnySite, Fix: "list the origins in CORS_ALLOWED_ORIGINS"},
	{ID: "django-headers-replaced", Mistake: "CORS_ALLOW_HEADERS set to a short list replaces the library's defaults (authorization, content-type, x-csrftoken ...)",
		Symptom: "'Request header field authorization is not allowed by Access-Control-Allow-Headers'", Fix: "CORS_ALLOW_HEADERS = (*default_headers, \"x-custom\") from corsheaders.defaults"},
	{ID: "django-csrf-trusted-origins", Mistake: "a cross-origin POST with the session cookie meets CsrfViewMiddleware, which wants the origin in CSRF_TRUSTED_ORIGINS (scheme included since Django 4.0)",
		Symptom: "403 'CSRF verification failed. Request aborted.'", Fix: "CSRF_TRUSTED_ORIGINS = [\"https://app.example.com\"] and the X-CSRFToken header"},
}

// djangoSettings writes the CORS_* settings for p.
func djangoSettings(p *plan) string {
	var b strings.Builder
	if p.any {
		b.WriteString("CORS_ALLOW_ALL_ORIGINS = True\n")
	} else {
		fmt.Fprintf(&b, "CORS_ALLOWED_ORIGINS = [%s]\n", quoted(p.exact, quote.Python))
		fmt.Fprintf(&b, "CORS_ALLOWED_ORIGIN_REGEXES = [%s]\n", quoted(p.patterns, quote.PythonRegexp))
	}
	fmt.Fprintf(&b, "CORS_ALLOW_METHODS = [%s]\n", quoted(p.allMethods(), quote.Python))
	b.WriteString("# Listed: the library's defaults (authorization, x-csrftoken ...) are replaced by this list.\n")
	fmt.Fprintf(&b, "CORS_ALLOW_HEADERS = [%s]\n", quoted(p.headers, quote.Python))
	fmt.Fprintf(&b, "CORS_EXPOSE_HEADERS = [%s]\n", quoted(p.expose, quote.Python))
	fmt.Fprintf(&b, "CORS_ALLOW_CREDENTIALS = %s\n", pyBool(p.credentials))
	maxAge := p.maxAge
	if maxAge == "" {
		maxAge = "0  # no Access-Control-Max-Age (the library's default is 86400)"
	}
	fmt.Fprintf(&b, "CORS_PREFLIGHT_MAX_AGE = %s\n", maxAge)
	return b.String()
}

func pyBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
}

// djangoSettingsWhere is where the settings piece goes.
const djangoSettingsWhere = "in settings.py, at the end; remove the app's own CORS_* settings first, the old names too (CORS_ORIGIN_WHITELIST, CORS_ORIGIN_REGEX_WHITELIST, CORS_ORIGIN_ALLOW_ALL), and keep CORS_URLS_REGEX only if it matches every path the page calls"

func writeDjango(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Django with django-cors-headers, one file that is its own settings and URLconf: python3 app.py (PORT, default 8000)."))
	b.WriteString(`import os
import secrets

from django.http import JsonResponse
from django.urls import path

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(32)
ROOT_URLCONF = __name__
INSTALLED_APPS = [
    # BEGIN corskit CORS: in settings.py, in INSTALLED_APPS, unless it is there
    "corsheaders",
    # END corskit CORS
]
MIDDLEWARE = [
    # BEGIN corskit CORS: in settings.py, first in MIDDLEWARE, above CommonMiddleware and any middleware that answers requests itself (authentication, redirects); remove CorsMiddleware from where it was
    "corsheaders.middleware.CorsMiddleware",
    # END corskit CORS
    "django.middleware.common.CommonMiddleware",
]

`)
	fmt.Fprintf(&b, "# BEGIN corskit CORS: %s\n%s# END corskit CORS\n\n\n", djangoSettingsWhere, djangoSettings(p))
	b.WriteString(`def data(request):
    if request.method not in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        return JsonResponse({"error": "method not allowed"}, status=405)
    return JsonResponse({"message": "Hello from API!"})


urlpatterns = [path("data", data)]

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "__main__")
    import django
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    django.setup()
    run(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000")), get_wsgi_application(), threading=True)
`)
	return b.String()
}

// reDjango* find django-cors-headers' settings.
var (
	reDjangoAllowAll = regexp.MustCompile(`(?m)^\s*CORS_(ALLOW_ALL_ORIGINS|ORIGIN_ALLOW_ALL)\s*=\s*True\b`)
	reDjangoCreds    = regexp.MustCompile(`(?m)^\s*CORS_ALLOW_CREDENTIALS\s*=\s*True\b`)
	reDjangoOldName  = regexp.MustCompile(`(?m)^\s*(CORS_ORIGIN_WHITELIST|CORS_ORIGIN_REGEX_WHITELIST|CORS_ORIGIN_ALLOW_ALL)\s*=`)
	reDjangoCors     = regexp.MustCompile(`["']corsheaders\.middleware\.CorsMiddleware["']`)
	reDjangoCommon   = regexp.MustCompile(`["']django\.middleware\.common\.CommonMiddleware["']`)
	reDjangoOrigins  = regexp.MustCompile(`(?s)CORS_(?:ALLOWED_ORIGINS|ORIGIN_WHITELIST)\s*=\s*[\[(](.*?)[\])]`)
	reQuotedOrigin   = regexp.MustCompile(`["']([a-z][a-z0-9+.-]*://[^"']*)["']`)
)

// isDjangoSettings reports whether text sets django-cors-headers' settings
// or its middleware.
func isDjangoSettings(name, text string) bool {
	return strings.HasSuffix(name, ".py") && (strings.Contains(text, "CORS_") || reDjangoCors.MatchString(text))
}

var djangoLint = []LintRule{
	{ID: "django-allow-all-with-credentials", Severity: "high", Applies: isDjangoSettings, Find: hitsWith(reDjangoCreds, reDjangoAllowAll, "CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS: django-cors-headers then reflects every origin with credentials, so any site can read your users' data", `CORS_ALLOWED_ORIGINS = ["https://app.example.com"]`)},
	{ID: "django-old-setting-name", Severity: "low", Applies: isDjangoSettings, Find: func(text string) []LintHit {
		return hitsOf(text, reDjangoOldName, "a setting name from before django-cors-headers 3.5: the new name wins where both are set, and the old ones go away", "rename: CORS_ORIGIN_WHITELIST to CORS_ALLOWED_ORIGINS, CORS_ORIGIN_REGEX_WHITELIST to CORS_ALLOWED_ORIGIN_REGEXES, CORS_ORIGIN_ALLOW_ALL to CORS_ALLOW_ALL_ORIGINS")
	}},
	{ID: "django-cors-middleware-order", Severity: "medium", Applies: isDjangoSettings, Find: func(text string) []LintHit {
		c, m := reDjangoCors.FindStringIndex(text), reDjangoCommon.FindStringIndex(text)
		if c == nil || m == nil || c[0] < m[0] {
			return nil
		}
		return []LintHit{hitAt(text, c[0], "CorsMiddleware below CommonMiddleware: APPEND_SLASH redirects and other early answers leave without CORS headers, and preflights fail", `move "corsheaders.middleware.CorsMiddleware" to the top of MIDDLEWARE`)}
	}},
	{ID: "django-origin-with-path", Severity: "medium", Applies: isDjangoSettings, Find: func(text string) []LintHit {
		var out []LintHit
		for _, m := range reDjangoOrigins.FindAllStringSubmatchIndex(text, -1) {
			for _, o := range reQuotedOrigin.FindAllStringSubmatchIndex(text[m[2]:m[3]], -1) {
				v := text[m[2]+o[2] : m[2]+o[3]]
				if rest := v[strings.Index(v, "://")+3:]; strings.Contains(rest, "/") {
					out = append(out, hitAt(text, m[2]+o[2], "origin "+quote.Python(v)+" has a path or a trailing slash: browsers send scheme://host[:port] only, so it never matches", "write it as "+quote.Python(strings.TrimRight(v[:strings.Index(v, "://")+3+strings.Index(rest, "/")], "/"))))
				}
			}
		}
		return out
	}},
}
