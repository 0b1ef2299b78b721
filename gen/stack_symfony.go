package gen

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Symfony with NelmioCorsBundle (config/packages/nelmio_cors.yaml). The
// bundle is not packaged for Debian, so the output is checked, not run.
func init() {
	register(Stack{
		Name:  "symfony",
		Title: "Symfony with NelmioCorsBundle",
		Target: &Target{
			Supports: "exact origins, patterns (origin_regex), * without credentials, credentials, methods, headers (listed), expose, max-age, Vary",
			write:    writeSymfony,
			limits:   symfonyLimits,
		},
		Recognize: recognizeSymfony,
		Causes:    symfonyCauses,
		Doctor:    true,
		Snippet:   formsSnippet("composer require nelmio/cors-bundle; Symfony Flex enables it and writes this file", "keep the app's other paths: entries only if they set no allow_origin, origin_regex or allow_credentials of their own (a path's keys override the defaults)"),
		Lint:      symfonyLint,
		Proof:     "not proved on a real server: NelmioCorsBundle is not packaged here; gen's TestFrameworkSymfony reads the YAML (yaml.v3) against the bundle's documented keys and matches its origin regexes with PHP's preg_match as the bundle does",
	})
}

// nelmioUnauthorizedHeader starts NelmioCorsBundle's 400 body for a
// preflight asking for a header allow_headers does not list.
const nelmioUnauthorizedHeader = "Unauthorized header "

// nelmioRefusedHeader reports whether a is the bundle's refusal of a
// requested header.
func nelmioRefusedHeader(a Answer) bool {
	return a.Status == 400 && strings.HasPrefix(string(a.Body), nelmioUnauthorizedHeader)
}

// recognizeSymfony reads Symfony's marks: the profiler's X-Debug-Token
// (debug mode), the sf_redirect cookie, and NelmioCorsBundle's refusal of
// a header.
func recognizeSymfony(a Answer) Evidence {
	if from, ok := headerSent(a, "X-Debug-Token"); ok {
		return Evidence{from, ByApp}
	}
	if from, ok := hasCookie(a, "sf_redirect"); ok {
		return Evidence{from, ByApp}
	}
	if nelmioRefusedHeader(a) {
		return Evidence{"the body: " + string(a.Body[:len(nelmioUnauthorizedHeader)]) + "... (NelmioCorsBundle's 400)", ByApp}
	}
	return Evidence{}
}

// symfonyCauses are NelmioCorsBundle's mistakes its users report most.
var symfonyCauses = []Cause{
	{ID: "symfony-paths", Mistake: "no paths: entry matches the path called: the defaults apply only to paths that match an entry (the recipe's is '^/'; an app's '^/api/' leaves /login out)",
		Symptom: "no CORS header at all on that path, the preflight answered by the router (405) or a firewall", Fix: "a paths: entry matching the path, e.g. '^/': ~ to apply the defaults everywhere"},
	{ID: "symfony-origin-regex", Mistake: "allow_origin holds a pattern without origin_regex: true (it is then compared as text), or origin_regex: true with an unanchored or unescaped value ('https://app.example.com' also matches https://app.example.com.evil.test)",
		Symptom: "the origin is never matched (no Access-Control-Allow-Origin), or an origin you did not mean is", Fix: "origin_regex: true with each value anchored and escaped: '^https://app\\.example\\.com$'"},
	{ID: "symfony-env-origin", Mistake: "allow_origin is the recipe's '%env(CORS_ALLOW_ORIGIN)%' and CORS_ALLOW_ORIGIN is still the recipe's '^https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?$' in production",
		Symptom: "only localhost pages get Access-Control-Allow-Origin", Fix: "set CORS_ALLOW_ORIGIN in the deployed environment to a regex of your origins"},
	{ID: "symfony-header-not-listed", Mistake: "the preflight asks for a header allow_headers does not list: the bundle answers 400 'Unauthorized header ...'",
		Symptom: symptomNotOK, Fix: "add the header to allow_headers", Seen: nelmioRefusedHeader},
	{ID: "symfony-star-with-credentials", Mistake: "allow_origin: ['*'] with allow_credentials: true: the bundle always answers with the request's Origin, so every origin is allowed with credentials",
		Symptom: symptomAnySite, Fix: "list the origins (origin_regex: true for patterns)"},
}

// symfonyLimits adds, to commonLimits, the patterns the bundle cannot hold:
// it wraps each in { } as preg_match's delimiters, so a pattern whose own
// braces do not pair would end them early.
func symfonyLimits(p *plan) []Omission {
	out := commonLimits(p)
	for _, r := range p.patterns {
		if !bracesPair(r) {
			out = append(out, Omission{"origin pattern " + r, "NelmioCorsBundle writes each pattern between { and } for preg_match, and this one's braces do not pair; write a literal brace as \\x7b or \\x7d"})
		}
	}
	return out
}

// bracesPair reports whether re's unescaped braces pair up, as PCRE reads
// them when { } delimit the expression.
func bracesPair(re string) bool {
	depth := 0
	for i := 0; i < len(re); i++ {
		switch re[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// symfonyOrigins are allow_origin's values and origin_regex: the exact
// origins as they are without patterns, else every origin as an anchored
// expression (origin_regex applies to the whole list).
func symfonyOrigins(p *plan) (vals []string, regex bool) {
	switch {
	case p.any:
		return []string{"*"}, false
	case len(p.patterns) == 0:
		return p.exact, false
	}
	for _, e := range p.exact {
		vals = append(vals, "^"+regexp.QuoteMeta(e)+"$")
	}
	for _, r := range p.patterns {
		if bracesPair(r) {
			vals = append(vals, r)
		}
	}
	return vals, true
}

// writeSymfony writes config/packages/nelmio_cors.yaml.
func writeSymfony(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Symfony with NelmioCorsBundle: config/packages/nelmio_cors.yaml."))
	fmt.Fprintf(&b, "# "+notProvedLine+"\n", "NelmioCorsBundle")
	b.WriteString("# BEGIN corskit CORS: config/packages/nelmio_cors.yaml, its nelmio_cors: block\nnelmio_cors:\n    defaults:\n")
	origins, regex := symfonyOrigins(p)
	if regex {
		b.WriteString("        # Every allow_origin value is a regular expression (the bundle matches it case-insensitively).\n")
	}
	fmt.Fprintf(&b, "        origin_regex: %t\n", regex)
	fmt.Fprintf(&b, "        allow_origin: [%s]\n", quoted(origins, quote.SymfonyYAML))
	fmt.Fprintf(&b, "        allow_methods: [%s]\n", quoted(p.allMethods(), quote.SymfonyYAML))
	lower := make([]string, len(p.headers))
	for i, h := range p.headers {
		lower[i] = strings.ToLower(h)
	}
	b.WriteString("        # Lower case: the bundle compares the requested names, lower-cased, with these.\n")
	fmt.Fprintf(&b, "        allow_headers: [%s]\n", quoted(lower, quote.SymfonyYAML))
	fmt.Fprintf(&b, "        expose_headers: [%s]\n", quoted(p.expose, quote.SymfonyYAML))
	fmt.Fprintf(&b, "        allow_credentials: %t\n", p.credentials)
	fmt.Fprintf(&b, "        max_age: %s\n", cmp.Or(p.maxAge, "0"))
	b.WriteString("    paths:\n        # The defaults apply only to paths an entry matches: '^/' is every path.\n        '^/': ~\n# END corskit CORS\n")
	return b.String()
}

// reNelmio* find the bundle's keys.
var (
	reNelmioStar   = regexp.MustCompile(`(?m)^\s*allow_origin:\s*\[\s*['"]\*['"]`)
	reNelmioCreds  = regexp.MustCompile(`(?m)^\s*allow_credentials:\s*true\b`)
	reNelmioRegex  = regexp.MustCompile(`(?m)^\s*origin_regex:\s*true\b`)
	reNelmioOrigin = regexp.MustCompile(`(?m)^\s*allow_origin:\s*(\[.*)$`)
	reYAMLQuoted   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'`)
)

// isNelmioConfig reports whether text configures NelmioCorsBundle.
func isNelmioConfig(name, text string) bool {
	return (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) && strings.Contains(text, "nelmio_cors:")
}

var symfonyLint = []LintRule{
	{ID: "symfony-star-with-credentials", Severity: "high", Applies: isNelmioConfig, Find: hitsWith(reNelmioCreds, reNelmioStar, "allow_origin: ['*'] with allow_credentials: true: NelmioCorsBundle answers with the request's Origin, so every site can read your users' data", "allow_origin: ['https://app.example.com']")},
	{ID: "symfony-unanchored-origin-regex", Severity: "medium", Applies: isNelmioConfig, Find: func(text string) []LintHit {
		if !reNelmioRegex.MatchString(text) {
			return nil
		}
		var out []LintHit
		for _, m := range reNelmioOrigin.FindAllStringSubmatchIndex(text, -1) {
			for _, q := range reYAMLQuoted.FindAllStringIndex(text[m[2]:m[3]], -1) {
				v := text[m[2]+q[0]+1 : m[2]+q[1]-1]
				if v == "*" || strings.HasPrefix(v, "%env(") || (strings.HasPrefix(v, "^") && strings.HasSuffix(v, "$")) {
					continue
				}
				out = append(out, hitAt(text, m[2]+q[0], "origin regex "+quote.YAML(v)+" is not anchored with ^ and $: with origin_regex: true it also matches origins that merely contain it (e.g. "+quote.YAML(v+".evil.test")+")", "anchor it (and escape its dots): "+quote.YAML(anchoredRegex(v))))
			}
		}
		return out
	}},
}

// anchoredRegex is an origin regex v anchored with ^ and $, its dots
// escaped when it has no escapes yet (it was written as an origin).
func anchoredRegex(v string) string {
	v = strings.TrimSuffix(strings.TrimPrefix(v, "^"), "$")
	if !strings.Contains(v, `\`) {
		v = strings.ReplaceAll(v, ".", `\.`)
	}
	return "^" + v + "$"
}
