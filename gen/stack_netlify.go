package gen

import (
	"fmt"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Netlify: custom headers in netlify.toml ([[headers]]) or the publish
// directory's _headers file. They cannot test the request's Origin, and
// apply only to what Netlify serves itself, never to functions or proxies.
func init() {
	register(Stack{
		Name:   "netlify",
		Title:  "Netlify (netlify.toml or _headers)",
		Target: &Target{Formats: []string{"toml", "headers"}, Supports: "one exact origin or *, credentials, methods, headers, expose, max-age; files Netlify serves itself only (functions set their own)", write: writeNetlify, limits: netlifyLimits},
		Recognize: func(a Answer) Evidence {
			if from, ok := headerSent(a, "X-NF-Request-ID"); ok {
				return Evidence{from, ByApp}
			}
			if from, ok := headerHas(a, "Server", "netlify"); ok {
				return Evidence{from, ByServer}
			}
			return Evidence{}
		},
		Causes: netlifyCauses,
		Doctor: true,
		Lint: staticHeaderLint("netlify", func(name, _ string) bool {
			return fileNamed(name, "netlify.toml", "_headers")
		}),
		Proof: "not proved on a real server: Netlify's edge does not run here (netlify dev is not Netlify's CDN); TestPlatformsAgainstTheirSchemas reads netlify.toml with tomllib and _headers by its documented syntax, and TestHostileValuesOnPlatforms reads every value back",
	})
}

// netlifyCauses are the CORS mistakes Netlify's users report most.
var netlifyCauses = []Cause{
	{ID: "netlify-headers-skip-functions", Mistake: "the CORS headers are in _headers or netlify.toml, but the API is a Netlify Function (or a proxy rewrite): custom headers apply only to files Netlify serves itself",
		Symptom: "no Access-Control-Allow-Origin on the function's answers, preflight included",
		Fix:     "return the CORS headers from the function, and answer OPTIONS there with 204"},
	{ID: "netlify-one-origin", Mistake: "a list of origins in Access-Control-Allow-Origin (the rule cannot test the request's Origin)",
		Symptom: "'The 'Access-Control-Allow-Origin' header contains multiple values'", Fix: "one origin, or an Edge Function that echoes the allowed Origin"},
	{ID: "netlify-path-misses", Mistake: "the rule's for path does not cover the file (for = \"/fonts\" is not /fonts/a.woff2)",
		Symptom: "no Access-Control-Allow-Origin on the file", Fix: "for = \"/fonts/*\""},
	{ID: "netlify-star-with-credentials", Mistake: "Access-Control-Allow-Origin = \"*\" with Access-Control-Allow-Credentials = \"true\"",
		Symptom: symptomWildcardCredentialsEnd, Fix: "name the one origin"},
}

// netlifyLimits: one origin, and, for _headers, values a line can hold.
func netlifyLimits(p *plan) []Omission {
	out := oneOriginLimits("Netlify", "an Edge Function")(p)
	for _, h := range staticHeaders(p, staticOrigin(p)) {
		if _, ok := quote.HeaderLine(h.Value); !ok {
			out = append(out, Omission{h.Key, "_headers has no quoting: the value holds a control character or surrounding space"})
		}
	}
	return out
}

// writeNetlify writes netlify.toml's [[headers]] or a _headers file.
func writeNetlify(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	hs := staticHeaders(p, staticOrigin(p))
	if o.Format == "headers" {
		b.WriteString(header("#", quote.Comment, o, omitted, "Netlify: the _headers file of the publish directory. It applies to the files Netlify serves, never to functions or proxied paths."))
		b.WriteString("\n# BEGIN corskit CORS: in _headers, under the path of the files the other site reads\n/*\n")
		for _, h := range hs {
			v, ok := quote.HeaderLine(h.Value)
			if !ok {
				continue // left out by netlifyLimits
			}
			fmt.Fprintf(&b, "  %s: %s\n", h.Key, v)
		}
		b.WriteString("# END corskit CORS\n")
		return b.String()
	}
	b.WriteString(header("#", quote.Comment, o, omitted, "Netlify: netlify.toml at the repository's root. It applies to the files Netlify serves, never to functions or proxied paths."))
	b.WriteString("\n# BEGIN corskit CORS: in netlify.toml, beside its other [[headers]] tables\n[[headers]]\n  for = \"/*\"\n  [headers.values]\n")
	for _, h := range hs {
		fmt.Fprintf(&b, "    %s = %s\n", h.Key, quote.TOML(h.Value))
	}
	b.WriteString("# END corskit CORS\n")
	return b.String()
}
