package check

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/corskit/corskit/browser"
)

// refusal is how one framework's CORS code refuses a request, told by its
// answer: status, body, headers. The table is one stack per entry so that
// it moves as is into a stack registry (recognition and named causes).
type refusal struct {
	// stack names the framework's CORS code as users know it.
	stack string
	// match reports whether the refused answer is this framework's
	// refusal, and what it refused ("origin", "method", "headers"; ""
	// when the answer does not say).
	match func(x *browser.Exchange) (what []string, ok bool)
	// settings names, for each thing refused, the setting to change.
	settings map[string]string
}

// refusals are the frameworks' own refusals, checked before the generic
// causes (a route, an auth layer). Each was read from the framework's
// source or documentation; the ones marked "real server" are proved in
// check/refusals_test.go.
var refusals = []refusal{
	{stack: "Starlette's CORSMiddleware (FastAPI)", // real server
		match: bodyList(400, regexp.MustCompile(`^Disallowed CORS ((?:origin|method|headers)(?:, (?:origin|method|headers))*)$`)),
		settings: map[string]string{"origin": "allow_origins (or allow_origin_regex)", "method": "allow_methods (its default is GET only)",
			"headers": "allow_headers (Accept, Accept-Language, Content-Language and Content-Type are always allowed)"}},
	{stack: "aiohttp-cors",
		match: bodyWords(403, regexp.MustCompile(`^CORS preflight request failed: (?:(origin) '[^']*' is not allowed|request (method) .* is not allowed|(headers) are not allowed)`)),
		settings: map[string]string{"origin": "the origins of cors.setup(...)'s defaults or the route's cors.add(...)", "method": "allow_methods of the ResourceOptions",
			"headers": "allow_headers of the ResourceOptions"}},
	{stack: "Spring's CORS processor (@CrossOrigin, CorsConfiguration)",
		match:    bodyWords(403, regexp.MustCompile(`^Invalid CORS request$`)),
		settings: map[string]string{"": "the CorsConfiguration: allowedOrigins or allowedOriginPatterns, allowedMethods (default GET, HEAD, POST), allowedHeaders"}},
	{stack: "Tomcat's CorsFilter (probably: a 403 text/plain preflight answer with an empty body and no CORS header)",
		match:    tomcatRefusal,
		settings: map[string]string{"": "the filter's cors.allowed.origins, cors.allowed.methods (default GET, POST, HEAD, OPTIONS) and cors.allowed.headers init-params in web.xml"}},
	{stack: "ASP.NET Core's CORS middleware (a 204 preflight answer from Kestrel without CORS headers)",
		match:    aspnetRefusal,
		settings: map[string]string{"": "the policy's WithOrigins, WithMethods and WithHeaders (or AllowAnyMethod, AllowAnyHeader); the refusal is logged as \"CORS policy execution failed\""}},
	{stack: "rack-cors (probably: a 200 preflight answer with no header and no body, its silent refusal)",
		match:    rackRefusal,
		settings: map[string]string{"": "the matching `resource` of the `allow do ... end` block: its origins, methods: and headers:"}},
}

// bodyList matches a status and a body whose first group lists the things
// refused, comma-separated.
func bodyList(status int, re *regexp.Regexp) func(*browser.Exchange) ([]string, bool) {
	return func(x *browser.Exchange) ([]string, bool) {
		m := re.FindSubmatch(trimBody(x))
		if x.Response.Status != status || m == nil {
			return nil, false
		}
		return strings.Split(string(m[1]), ", "), true
	}
}

// bodyWords matches a status and a body whose non-empty groups name the
// thing refused.
func bodyWords(status int, re *regexp.Regexp) func(*browser.Exchange) ([]string, bool) {
	return func(x *browser.Exchange) ([]string, bool) {
		m := re.FindSubmatch(trimBody(x))
		if x.Response.Status != status || m == nil {
			return nil, false
		}
		var what []string
		for _, g := range m[1:] {
			if len(g) > 0 {
				what = append(what, string(g))
			}
		}
		return what, true
	}
}

func trimBody(x *browser.Exchange) []byte {
	b := x.Response.Body
	if len(b) > 512 {
		b = b[:512]
	}
	return []byte(strings.TrimSpace(string(b)))
}

func tomcatRefusal(x *browser.Exchange) ([]string, bool) {
	h := x.Response.Header
	return nil, x.Request.Preflight && x.Response.Status == http.StatusForbidden && len(trimBody(x)) == 0 && !hasCORS(h) &&
		strings.HasPrefix(h.Get("Content-Type"), "text/plain")
}

func aspnetRefusal(x *browser.Exchange) ([]string, bool) {
	h := x.Response.Header
	return nil, x.Request.Preflight && x.Response.Status == http.StatusNoContent && !hasCORS(h) &&
		strings.Contains(strings.ToLower(h.Get("Server")), "kestrel")
}

// rackRefusal is rack-cors' answer to a preflight it refuses: 200, an
// empty body, and no header of the app's (no Content-Type, no CORS).
func rackRefusal(x *browser.Exchange) ([]string, bool) {
	h := x.Response.Header
	if !x.Request.Preflight || x.Response.Status != http.StatusOK || len(trimBody(x)) != 0 || hasCORS(h) {
		return nil, false
	}
	for k := range h {
		switch k {
		case "Content-Length", "Date", "Connection", "Keep-Alive", "Server", "Transfer-Encoding":
		default:
			return nil, false
		}
	}
	return nil, true
}

// frameworkRefusal names the framework whose CORS code refused the answer
// x, and what to change there; ok is false for an answer no framework in
// the table gives.
func frameworkRefusal(x *browser.Exchange) (Mistake, bool) {
	if x == nil {
		return Mistake{}, false
	}
	for _, r := range refusals {
		what, ok := r.match(x)
		if !ok {
			continue
		}
		return refusalMistake(r, x, what), true
	}
	return Mistake{}, false
}

// refusalMistake words a framework's refusal: its name says what was
// refused, its detail which setting to change, keeping what it lists.
func refusalMistake(r refusal, x *browser.Exchange, what []string) Mistake {
	name := "request refused by the CORS code"
	if len(what) > 0 {
		name = what[0] + " refused by the CORS code"
		if what[0] == "headers" {
			name = "header refused by the CORS code"
		}
	}
	body := trimBody(x)
	answer := fmt.Sprintf("%d", x.Response.Status)
	if len(body) > 0 {
		answer += fmt.Sprintf(" %q", body)
	}
	kind := "request"
	if x.Request.Preflight {
		kind = "preflight"
	}
	asked := describeAsk(x)
	var fixes []string
	for _, w := range what {
		if s, ok := r.settings[w]; ok {
			fixes = append(fixes, s)
		}
	}
	if len(fixes) == 0 {
		fixes = append(fixes, r.settings[""])
	}
	return Mistake{name, fmt.Sprintf("the %s (%s) got %s: %s refused it; it is the CORS settings, not a route or an auth layer. Add what the page sends to %s, keeping what is listed there",
		kind, asked, answer, r.stack, strings.Join(fixes, "; "))}
}

// describeAsk says what the refused request asked for: its origin, and for
// a preflight the method and headers.
func describeAsk(x *browser.Exchange) string {
	h := x.Request.Header
	s := "Origin " + h.Get("Origin")
	if m := h.Get("Access-Control-Request-Method"); m != "" {
		s += ", method " + m
	}
	if hs := h.Get("Access-Control-Request-Headers"); hs != "" {
		s += ", headers " + hs
	}
	return s
}
