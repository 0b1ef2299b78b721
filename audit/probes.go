package audit

import (
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/corskit/corskit/internal/severity"
)

// Severity ranks a finding by what an attacker's page can read (the scale
// lint shares).
type Severity = severity.Severity

// The severities, lowest first.
const (
	Info   = severity.Info   // broken or risky, but nothing readable cross-site
	Low    = severity.Low    // an unauthenticated read, or a read needing more than a page
	Medium = severity.Medium // needs another weakness (a subdomain, the network path) or enables one (cache)
	High   = severity.High   // any site can read the response with the user's credentials
)

// ParseSeverity reads "info", "low", "medium" or "high".
func ParseSeverity(s string) (Severity, bool) { return severity.Parse(s) }

// probe is one attacker origin and the rule it tests.
type probe struct {
	rule   string // rule id, e.g. "reflect-any-origin"
	title  string
	origin string
	// creds and anon: the severity when the origin can read with and without
	// credentials.
	creds, anon Severity
	fix         string
}

const fixAllowlist = "compare the Origin header with an exact allowlist (scheme://host[:port]) and echo it only on a match; corskit's cors middleware or `corskit gen` does this"

// probes derives the attacker origins from the target URL's host and the
// trusted origins, the frontends the API is meant to serve.
func probes(target *url.URL, trusted []string) []probe {
	host := target.Hostname()
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		site = host
	}
	hosts := []string{site}
	for _, t := range trusted {
		if u, err := url.Parse(t); err == nil && u.Hostname() != "" && u.Hostname() != site {
			hosts = append(hosts, u.Hostname())
		}
	}
	ps := []probe{
		{rule: "reflect-any-origin", title: "arbitrary origin trusted", origin: "https://evil.example", creds: High, anon: Low, fix: fixAllowlist},
		{rule: "null-origin", title: "origin null trusted (sandboxed iframes and data: pages of any site send it)", origin: "null", creds: High, anon: Low, fix: "never allow the origin null; " + fixAllowlist},
	}
	for _, h := range hosts {
		dotless := strings.Replace(h, ".", "x", 1)
		ps = append(ps,
			probe{rule: "prefix-match", title: "origin matched by prefix: " + h + " followed by anything", origin: "https://" + h + ".evil.example", creds: High, anon: Low, fix: "anchor the match at the end of the host; " + fixAllowlist},
			probe{rule: "suffix-match", title: "origin matched by suffix: anything ending in " + h, origin: "https://evil" + h, creds: High, anon: Low, fix: "require a dot before the domain (or an exact host); " + fixAllowlist},
			probe{rule: "unescaped-dot", title: "regular expression with an unescaped dot: " + dotless + " passes for " + h, origin: "https://" + dotless, creds: High, anon: Low, fix: "escape the dots in the pattern (\\.) and anchor it; " + fixAllowlist},

			probe{rule: "any-subdomain", title: "every subdomain of " + h + " trusted: one XSS or takeover there reads this API", origin: "https://corskit-probe." + h, creds: Medium, anon: Info, fix: "list the subdomains that need access instead of *." + h},
		)
		// Characters some browsers (Safari) allow in hosts: a check that stops
		// at them trusts https://<trusted><char>.evil.example.
		for _, c := range []string{"_", "`", "!", "~", "%60"} {
			ps = append(ps, probe{rule: "special-characters", title: "origin with " + c + " after " + h + " trusted (some browsers send such hosts)", origin: "https://" + h + c + ".evil.example", creds: Medium, anon: Info, fix: "match hosts exactly; " + fixAllowlist})
		}
		if target.Scheme == "https" {
			ps = append(ps, probe{rule: "scheme-downgrade", title: "http://" + h + " trusted by an https API: anyone on the network path can inject script there", origin: "http://" + h, creds: Medium, anon: Info, fix: "allow only https:// origins"})
		}
	}
	for _, o := range []string{"https://corskit-probe.github.io", "https://codepen.io", "https://jsfiddle.net", "https://corskit-probe.herokuapp.com", "https://corskit-probe.netlify.app", "https://corskit-probe.vercel.app", "https://corskit-probe.pages.dev"} {
		ps = append(ps, probe{rule: "third-party-hosting", title: "a shared hosting origin (" + o + ") trusted: anyone can publish a page there", origin: o, creds: High, anon: Low, fix: "never trust shared hosting domains; " + fixAllowlist})
	}
	return ps
}
