package gen

import (
	"regexp"
	"strings"
)

// The hosting platforms whose CORS is static header rules (Vercel,
// Netlify, Firebase Hosting) or a managed CORS configuration (API
// Gateway, Lambda function URLs) share what is below.

// headerPair is one header a platform's rule sends.
type headerPair struct{ Key, Value string }

// staticHeaders are the headers a static rule sends on every answer of
// its path when the allowed origin is acao (an origin, or *): the rule
// cannot look at the request, so the preflight's headers go on every
// answer, which browsers ignore outside a preflight.
func staticHeaders(p *plan, acao string) []headerPair {
	hs := []headerPair{{"Access-Control-Allow-Origin", acao}}
	if p.credentials {
		hs = append(hs, headerPair{"Access-Control-Allow-Credentials", "true"})
	}
	hs = append(hs, headerPair{"Access-Control-Allow-Methods", join(p.allMethods())})
	if len(p.headers) > 0 {
		hs = append(hs, headerPair{"Access-Control-Allow-Headers", join(p.headers)})
	}
	if len(p.expose) > 0 {
		hs = append(hs, headerPair{"Access-Control-Expose-Headers", join(p.expose)})
	}
	if p.maxAge != "" {
		hs = append(hs, headerPair{"Access-Control-Max-Age", p.maxAge})
	}
	if acao != "*" {
		hs = append(hs, headerPair{"Vary", "Origin"})
	}
	return hs
}

// staticOrigin is the one origin a static rule sends: * or the first
// exact origin (oneOriginLimits leaves the others out).
func staticOrigin(p *plan) string {
	if p.any || len(p.exact) == 0 {
		return "*"
	}
	return p.exact[0]
}

// oneOriginLimits are the limits of a platform whose header rules cannot
// test the request's Origin: one origin (or *), listed headers, no
// patterns. fix names what can (an edge function, a Worker).
func oneOriginLimits(platform, fix string) func(p *plan) []Omission {
	return func(p *plan) []Omission {
		out := commonLimits(p)
		if p.any {
			return out
		}
		why := platform + "'s header rules send the same Access-Control-Allow-Origin to every caller: one origin only (" + fix + " can choose by Origin)"
		for _, r := range p.patterns {
			out = append(out, Omission{"origin pattern " + r, why})
		}
		for _, e := range p.exact[min(1, len(p.exact)):] {
			out = append(out, Omission{"origin " + e, why})
		}
		if len(p.exact) == 0 {
			out = append(out, Omission{noOriginLeft, platform + " takes no origin patterns"})
		}
		return out
	}
}

// exactOriginLimits are the limits of a platform that matches origins as
// exact strings (or *): every pattern is left out.
func exactOriginLimits(platform string, more func(p *plan) []Omission) func(p *plan) []Omission {
	return func(p *plan) []Omission {
		out := commonLimits(p)
		for _, r := range p.patterns {
			out = append(out, Omission{"origin pattern " + r, platform + " matches origins as exact strings (or *); list the origins"})
		}
		if len(p.patterns) > 0 && len(p.exact) == 0 && !p.any {
			out = append(out, Omission{noOriginLeft, platform + " takes no origin patterns"})
		}
		if more != nil {
			out = append(out, more(p)...)
		}
		return out
	}
}

// reStaticStar and reStaticCreds find Access-Control-Allow-Origin: * and
// Access-Control-Allow-Credentials: true in the platforms' header files:
// vercel.json and firebase.json ("key": ..., "value": ...), netlify.toml
// (name = "value") and _headers (name: value).
var (
	reStaticStar  = regexp.MustCompile(`(?i)access-control-allow-origin["']?\s*(?:[:=]|,\s*["']?value["']?\s*:)\s*["']?\*`)
	reStaticCreds = regexp.MustCompile(`(?i)access-control-allow-credentials["']?\s*(?:[:=]|,\s*["']?value["']?\s*:)\s*["']?true`)
	reStaticList  = regexp.MustCompile(`(?i)access-control-allow-origin["']?\s*(?:[:=]|,\s*["']?value["']?\s*:)\s*["']?[^"'\s,]+\s*,\s*[^"'\s]`)
)

// staticHeaderLint are the lint rules of a platform's header file.
func staticHeaderLint(platform string, applies func(name, text string) bool) []LintRule {
	return []LintRule{
		{ID: platform + "-star-with-credentials", Severity: "high", Applies: applies, Find: hitsWith(reStaticCreds, reStaticStar, "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true: browsers refuse every credentialed request", "name the one origin (corskit gen "+platform+"), or drop the credentials")},
		{ID: platform + "-origin-list", Severity: "medium", Applies: applies, Find: func(text string) []LintHit {
			return hitsOf(text, reStaticList, "Access-Control-Allow-Origin holds a list: browsers accept one origin, so every caller is refused", "one origin per answer: a rule per origin where the platform can test the Origin header, or an edge function")
		}},
	}
}

// fileNamed reports whether name's base is one of names.
func fileNamed(name string, names ...string) bool {
	base := name[strings.LastIndexAny(name, `/\`)+1:]
	for _, n := range names {
		if base == n {
			return true
		}
	}
	return false
}
