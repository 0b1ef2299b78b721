package gen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Vercel: vercel.json's headers, one rule per allowed origin, each
// conditioned on the request's Origin (has). Not run here: Vercel's
// routing is not published as a program that runs offline.
func init() {
	register(Stack{
		Name:      "vercel",
		Title:     "Vercel (vercel.json headers)",
		Target:    &Target{Supports: "exact origins (a rule each, has: Origin), credentials, methods, headers, expose, max-age, Vary; no patterns, no * in headers", write: writeVercel, limits: exactOriginLimits("Vercel", nil), check: checkVercel, whole: "in vercel.json at the project's root, merged into its headers list"},
		Recognize: recognizeVercel,
		Causes:    vercelCauses,
		Doctor:    true,
		Lint:      staticHeaderLint("vercel", func(name, _ string) bool { return fileNamed(name, "vercel.json") }),
		Proof:     "not proved on a real server: Vercel's edge does not run here; TestPlatformsAgainstTheirSchemas checks vercel.json against its documented fields (source as path-to-regexp, has conditions, header names) and TestHostileValuesOnPlatforms reads every value back",
	})
}

// recognizeVercel reads Vercel's marks: X-Vercel-Id on every answer its
// edge sends (ByApp: no proxy in front adds it), Server: Vercel.
func recognizeVercel(a Answer) Evidence {
	if from, ok := headerSent(a, "X-Vercel-Id"); ok {
		return Evidence{from, ByApp}
	}
	if from, ok := headerHas(a, "Server", "vercel"); ok {
		return Evidence{from, ByServer}
	}
	return Evidence{}
}

// vercelCauses are the CORS mistakes Vercel's users report most; its
// knowledge base's CORS guide (vercel.com/kb/guide/how-to-enable-cors)
// and Deployment Protection's OPTIONS Allowlist page say the same.
var vercelCauses = []Cause{
	{ID: "vercel-function-answers-options", Mistake: "the API is a Vercel Function that does not handle OPTIONS: vercel.json's headers are added, but the preflight's status is the function's 404/405 (or 500)",
		Symptom: symptomNotOK,
		Fix:     "answer OPTIONS in the function with 204 (vercel.json's headers then carry the CORS headers), or in middleware"},
	{ID: "vercel-redirect-before-headers", Mistake: "a redirect (trailingSlash, cleanUrls, redirects) answers the preflight: browsers do not follow redirects on a preflight",
		Symptom: "'Redirect is not allowed for a preflight request'", Fix: "call the final URL (with or without the trailing slash as the project serves it)"},
	{ID: "vercel-source-misses-path", Mistake: "the rule's source does not match the API's paths (\"/api\" matches only /api itself, not /api/users)",
		Symptom: "no Access-Control-Allow-Origin on the API's answers", Fix: "source: \"/api/(.*)\" (path-to-regexp)"},
	{ID: "vercel-deployment-protection", Mistake: "Deployment Protection (Vercel Authentication, Password Protection, Trusted IPs) covers the deployment: it runs at Vercel's edge, before vercel.json's headers and the function, and answers the preflight, which carries no credentials, with 401 unless its path is in the project's OPTIONS Allowlist",
		Symptom: "'Response to preflight request doesn't pass access control check: It does not have HTTP ok status' (a 401), often on preview deployments only",
		Fix:     "add the API's path (e.g. /api) to the OPTIONS Allowlist in the project's Deployment Protection settings, or call a deployment that is not protected"},
	{ID: "vercel-star-with-credentials", Mistake: "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true",
		Symptom: "'The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include''",
		Fix:     "one rule per origin with has: [{type: header, key: origin, value: ^https://app\\.example\\.com$}]"},
}

// vercelRule writes one vercel.json header rule.
func vercelRule(b *strings.Builder, has string, hs []headerPair, last bool) {
	b.WriteString("    {\n      \"source\": \"/(.*)\",\n")
	if has != "" {
		fmt.Fprintf(b, "      \"has\": [{ \"type\": \"header\", \"key\": \"origin\", \"value\": %s }],\n", quote.JSON(has))
	}
	b.WriteString("      \"headers\": [\n")
	for i, h := range hs {
		fmt.Fprintf(b, "        { \"key\": %s, \"value\": %s }%s\n", quote.JSON(h.Key), quote.JSON(h.Value), map[bool]string{true: "", false: ","}[i == len(hs)-1])
	}
	b.WriteString("      ]\n    }" + map[bool]string{true: "", false: ","}[last] + "\n")
}

// writeVercel writes vercel.json: a rule sending Vary: Origin on every
// answer, then one rule per origin whose has condition is the origin as an
// anchored expression. JSON holds no comment: corskit gen says on
// standard error what it is.
func writeVercel(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString("{\n  \"headers\": [\n")
	if p.any {
		vercelRule(&b, "", staticHeaders(p, "*"), true)
	} else {
		vercelRule(&b, "", []headerPair{{"Vary", "Origin"}}, len(p.exact) == 0)
		for i, e := range p.exact {
			hs := staticHeaders(p, e)
			vercelRule(&b, "^"+regexp.QuoteMeta(e)+"$", hs[:len(hs)-1], i == len(p.exact)-1)
		}
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}

// VercelConfig is vercel.json's headers as Vercel documents them.
type vercelConfig struct {
	Headers []struct {
		Source string `json:"source"`
		Has    []struct {
			Type, Key, Value string
		} `json:"has"`
		Headers []struct {
			Key, Value string
		} `json:"headers"`
	} `json:"headers"`
}

// checkVercel reads out as vercel.json.
func checkVercel(out, _ string) error {
	var c vercelConfig
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		return err
	}
	if len(c.Headers) == 0 {
		return fmt.Errorf("no header rule")
	}
	return nil
}
