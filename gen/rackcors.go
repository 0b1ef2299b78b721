package gen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// rubyOrigins is the policy's origins for rack-cors's origins: '*', or
// exact origins (strings) and patterns (Regexps anchored with \A and \z,
// since Ruby's ^ and $ match at line ends).
func (p *plan) rubyOrigins() string {
	if p.any {
		return "'*'"
	}
	var items []string
	for _, e := range p.exact {
		items = append(items, quote.Ruby(e))
	}
	for _, r := range p.patterns {
		body := strings.TrimSuffix(strings.TrimPrefix(r, "^"), "$")
		items = append(items, "Regexp.new("+quote.Ruby(`\A(?:`+body+`)\z`)+")")
	}
	return strings.Join(items, ", ")
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
