package gen

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// rack-cors in front of a Rack app (Sinatra, Rails) under Puma: Debian's
// ruby-rack-cors 1.1.1, ruby-sinatra 3, puma 5.
func init() {
	register(Stack{
		Name:      "rack-cors",
		Title:     "Ruby (Sinatra, Rails) with rack-cors",
		Target:    &Target{Supports: "exact origins, patterns (Regexp), credentials, methods, headers (* by a conditional resource), expose, max-age, Vary", write: writeRackCors, limits: anyHeaderLimits},
		Recognize: recognizeRackCors,
		Causes:    rackCorsCauses,
		Doctor:    true,
		Snippet:   whereNote("; remove the app's own use Rack::Cors block (or, in Rails, its insert_before 0, Rack::Cors block) first"),
		Lint:      rackCorsLint,
		Proof:     "proved by gen's TestMoreStacks (the engines' models) and TestMoreStacksInRealEngines (Chromium, Firefox, WebKit); evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the cases in morestacks_test.go); recognition by TestMoreStacksRecognized",
	})
}

// rackCorsRefusal reports whether a is rack-cors's answer to a preflight
// it does not allow: 200, an empty body, and no header at all but the
// framing Puma adds (chunked: no Content-Length; no Date, no Content-Type,
// no CORS header, no Allow). Go's net/http, say, sends Date and
// Content-Length: 0 with an empty answer, so it is not taken for this.
func rackCorsRefusal(a Answer) bool {
	if a.Status != 200 || len(a.Body) != 0 {
		return false
	}
	for name := range a.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Transfer-Encoding", "Connection", "Keep-Alive", "Server", "Vary":
		default:
			return false
		}
	}
	return true
}

// recognizeRackCors reads rack-cors's marks: its silent refusal of a
// preflight, the Access-Control-Allow-Methods and (often empty)
// Access-Control-Expose-Headers it puts on every actual response, and
// Sinatra's and Rails' own marks.
func recognizeRackCors(a Answer) Evidence {
	if a.Header.Get("Access-Control-Allow-Origin") != "" && a.Header.Get("Access-Control-Allow-Methods") != "" && len(a.Header.Values("Access-Control-Expose-Headers")) > 0 && a.Header.Get("Access-Control-Max-Age") != "" && a.Header.Get("Content-Type") != "" {
		return Evidence{"Access-Control-Allow-Methods and Access-Control-Max-Age on an actual response (rack-cors sends them on every response)", ByApp}
	}
	if a.Header.Get("X-Cascade") == "pass" {
		return Evidence{"X-Cascade: pass (Sinatra)", ByApp}
	}
	if a.Header.Get("X-Runtime") != "" && a.Header.Get("X-Request-Id") != "" {
		return Evidence{"X-Runtime and X-Request-Id (Rails)", ByApp}
	}
	if rackCorsRefusal(a) {
		return Evidence{"an empty 200 with no CORS header (rack-cors's refusal of a preflight)", ByServer}
	}
	return byHeaders(nil, []string{"puma", "webrick", "thin", "unicorn", "passenger"})(a)
}

// rackCorsCauses are rack-cors's mistakes its users report most.
var rackCorsCauses = []Cause{
	{ID: "rack-cors-refused-preflight", Mistake: "rack-cors refused the preflight, which it does by answering 200 with no CORS header at all: the method is not in the resource's methods (GET alone when methods is not given), a header is not in its headers (without headers:, only Accept, Accept-Language, Content-Language and Content-Type pass), or no resource path matches the path called ('/api/*' for /data)",
		Symptom: "the preflight gets an empty 200 with no Access-Control-Allow-Origin: 'Response to preflight request doesn't pass access control check'",
		Fix:     "resource '*' (or a path that matches), methods: [:get, :post, :put, :patch, :delete, :options, :head], headers: the page's headers (or :any)", Seen: rackCorsRefusal},
	{ID: "rack-cors-method-not-listed", Mistake: "the resource's methods leave the method out (rack-cors allows GET alone when methods is not given)",
		Symptom: "the silent refusal of the preflight", Fix: "methods: [:get, :post, :put, :patch, :delete, :options, :head] on the resource"},
	{ID: "rack-cors-header-not-listed", Mistake: "the resource's headers leave out a header the page sends (without headers:, only Accept, Accept-Language, Content-Language and Content-Type pass)",
		Symptom: "the silent refusal of the preflight", Fix: "headers: ['Authorization', 'X-Custom'] (or :any) on the resource"},
	{ID: "rack-cors-resource-path", Mistake: "the resource's path ('/api/*') does not match the path the page calls",
		Symptom: "no CORS header at all on that path, its preflight silently refused", Fix: "resource '*' or a pattern that matches the paths the page calls"},
	{ID: "rack-cors-credentials-wildcard", Mistake: "origins '*' with credentials: true: rack-cors refuses it when the app boots (Rack::Cors::Resource::CorsMisconfigurationError)",
		Symptom: "the app does not start", Fix: "list the origins: origins 'https://app.example.com'"},
	{ID: "rack-cors-not-first", Mistake: "Rack::Cors is not the first middleware (Rails: insert_before 0): authentication (Devise/Warden), Rack::Attack or a redirect answers the preflight first",
		Symptom: "the preflight gets 401/403/302 without CORS headers: 'does not have HTTP ok status'", Fix: "config.middleware.insert_before 0, Rack::Cors do ... end"},
}

// reRack* find rack-cors's configuration.
var (
	reRackOriginsAny  = regexp.MustCompile(`(?m)^\s*origins\s+['"]\*['"]`)
	reRackCredentials = regexp.MustCompile(`credentials:\s*true\b|:credentials\s*=>\s*true\b`)
	reRackOriginPath  = regexp.MustCompile(`(?m)^\s*origins\s+.*?['"]([a-z][a-z0-9+.-]*://[^'"/]+/[^'"]*)['"]`)
	reRackInsert      = regexp.MustCompile(`middleware\.(use|insert_after|insert_before\s+(?:[1-9]|ActionDispatch|Rack::(?:Runtime|MethodOverride)|Warden))\b[^\n]*Rack::Cors`)
)

// isRackCorsConfig reports whether text configures rack-cors.
func isRackCorsConfig(name, text string) bool {
	return (strings.HasSuffix(name, ".rb") || strings.HasSuffix(name, ".ru")) && strings.Contains(text, "Rack::Cors")
}

var rackCorsLint = []LintRule{
	{ID: "rack-cors-credentials-wildcard", Severity: "high", Applies: isRackCorsConfig, Find: hitsWith(reRackCredentials, reRackOriginsAny, "origins '*' with credentials: true: rack-cors refuses it when the app boots (CorsMisconfigurationError)", "origins 'https://app.example.com'")},
	{ID: "rack-cors-origin-with-path", Severity: "medium", Applies: isRackCorsConfig, Find: func(text string) []LintHit {
		var out []LintHit
		for _, m := range reRackOriginPath.FindAllStringSubmatchIndex(text, -1) {
			v := text[m[2]:m[3]]
			out = append(out, hitAt(text, m[2], "origin "+quote.Ruby(v)+" has a path or a trailing slash: browsers send scheme://host[:port] only, so it never matches", "write it as "+quote.Ruby(v[:strings.Index(v, "://")+3+strings.Index(v[strings.Index(v, "://")+3:], "/")])))
		}
		return out
	}},
	{ID: "rack-cors-not-first", Severity: "medium", Applies: isRackCorsConfig, Find: func(text string) []LintHit {
		return hitsOf(text, reRackInsert, "Rack::Cors is not inserted first: middleware before it (authentication, Rack::Attack, redirects) answers preflights without CORS headers", "config.middleware.insert_before 0, Rack::Cors do ... end")
	}},
}

// rubyOrigins is the policy's origins for rack-cors's origins: '*', or
// exact origins (strings) and patterns (Regexps anchored with \A and \z,
// since Ruby's ^ and $ match at line ends).
func (p *plan) rubyOrigins() string {
	if p.any {
		return "'*'"
	}
	return strings.Join(p.originList(quote.Ruby, func(r string) string {
		body := strings.TrimSuffix(strings.TrimPrefix(r, "^"), "$")
		return "Regexp.new(" + quote.Ruby(`\A(?:`+body+`)\z`) + ")"
	}), ", ")
}

// writeRackCors writes a Sinatra app under Puma with rack-cors in front,
// in config.ru. rack-cors refuses a preflight it does not allow by
// answering it with no CORS header at all; its methods default to GET.
func writeRackCors(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Sinatra with rack-cors, in config.ru: puma -b tcp://127.0.0.1:${PORT:-5000} config.ru (Rails: the same allow block in config/initializers/cors.rb)."))
	b.WriteString("require 'sinatra/base'\nrequire 'rack/cors'\n\n# BEGIN corskit CORS: in config.ru, before run (Rails: config.middleware.insert_before 0, Rack::Cors do ... end)\n")
	methods := make([]string, 0, len(p.allMethods()))
	for _, m := range p.allMethods() {
		// rack-cors compares the requested method lowercased.
		methods = append(methods, quote.Ruby(strings.ToLower(m)))
	}
	// opts are a resource's options, one a line, the last without a comma.
	opts := func(headers, headersNote string, extra ...string) string {
		lines := []string{headersNote + "      headers: " + headers, "      # rack-cors allows GET alone unless told.\n      methods: [" + strings.Join(methods, ", ") + "]"}
		if len(p.expose) > 0 {
			lines = append(lines, "      expose: ["+quoted(p.expose, quote.Ruby)+"]")
		}
		if p.credentials {
			lines = append(lines, "      credentials: true")
		}
		if p.maxAge != "" {
			lines = append(lines, "      max_age: "+p.maxAge)
		} else {
			lines = append(lines, "      # rack-cors sends Access-Control-Max-Age: 7200 unless told; 5 is the engines' default.\n      max_age: 5")
		}
		return strings.Join(append(lines, extra...), ",\n") + "\n"
	}
	listed := "[" + quoted(p.headers, quote.Ruby) + "]"
	b.WriteString("use Rack::Cors do\n  allow do\n")
	fmt.Fprintf(&b, "    origins %s\n", p.rubyOrigins())
	switch {
	case p.anyHeader && p.authListed():
		fmt.Fprintf(&b, "    # %s.\n", anyHeaderComment)
		fmt.Fprintf(&b, "    resource '*',\n%s", opts(":any", ""))
	case p.anyHeader:
		fmt.Fprintf(&b, "    # %s: the first resource serves the rest, the second a preflight asking for it.\n", anyHeaderComment)
		cond := "      if: proc { |env| env['HTTP_ACCESS_CONTROL_REQUEST_HEADERS'].to_s !~ Regexp.new(" + quote.Ruby(asksForAuthorization) + ", Regexp::IGNORECASE) }"
		fmt.Fprintf(&b, "    resource '*',\n%s", opts(":any", "", cond))
		fmt.Fprintf(&b, "    resource '*',\n%s", opts(listed, ""))
	default:
		var extra []string
		if simple := rackSimpleUnlisted(p.headers); len(simple) > 0 {
			re := `(^|,)\s*(` + strings.Join(simple, "|") + `)\s*(,|$)`
			b.WriteString("    # rack-cors lets Accept, Accept-Language, Content-Language and Content-Type through unlisted,\n    # whatever their value: a preflight asking for one the policy does not list is refused here.\n")
			extra = append(extra, "      if: proc { |env| env['HTTP_ACCESS_CONTROL_REQUEST_HEADERS'].to_s !~ Regexp.new("+quote.Ruby(re)+", Regexp::IGNORECASE) }")
		}
		fmt.Fprintf(&b, "    resource '*',\n%s", opts(listed, "      # listed: :any would allow any header.\n", extra...))
	}
	b.WriteString("  end\nend\n# END corskit CORS\n\n")
	b.WriteString("class App < Sinatra::Base\n  %w[get post put patch delete].each do |verb|\n    send(verb, '/data') do\n      content_type :json\n      '{\"message\": \"Hello from API!\"}'\n    end\n  end\nend\n\nrun App\n")
	return b.String()
}

// rackSimpleUnlisted are the request headers rack-cors allows without a
// list (whatever their value) that headers does not name.
func rackSimpleUnlisted(headers []string) []string {
	var out []string
	for _, h := range []string{"accept", "accept-language", "content-language", "content-type"} {
		if !slices.ContainsFunc(headers, func(l string) bool { return strings.EqualFold(l, h) }) {
			out = append(out, h)
		}
	}
	return out
}
