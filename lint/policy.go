package lint

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/origin"
	"github.com/corskit/corskit/internal/policyfile"
	"github.com/corskit/corskit/internal/severity"
)

// gatewayKeys are the keys a corskit proxy file holds besides the policy.
var gatewayKeys = policyfile.GatewayKeys()

var secretName = regexp.MustCompile(`(?i)token|secret|session|passw|auth|api[-_]?key|cookie|csrf|xsrf`)

// lintPolicy reports every validation error of the middleware, located, and
// the warnings of a policy that validates.
func lintPolicy(file string, data []byte) []Finding {
	doc, err := policyfile.ParseDocument(file, data)
	if err != nil {
		return []Finding{fromError(file, err)}
	}
	if doc.Root() == nil {
		return []Finding{newFinding(file, 1, 1, "policy-empty", severity.Info, "the policy is empty", "list allow_origins")}
	}
	var out []Finding
	var credRoutes []*yaml.Node
	check := func(m *yaml.Node, extras ...string) map[string]*yaml.Node {
		cfg, ex, locate, err := doc.Policy(m, extras...)
		if err != nil {
			for _, e := range unjoin(err) {
				out = append(out, fromError(file, e))
			}
			return ex
		}
		if _, err := cors.New(cfg); err != nil {
			for _, e := range unjoin(locate(err)) {
				out = append(out, fromError(file, e))
			}
		}
		out = append(out, policyWarnings(file, m, cfg)...)
		if cfg.AllowCredentials {
			credRoutes = append(credRoutes, m)
		}
		return ex
	}
	extras := check(doc.Root(), gatewayKeys...)
	rootCfg, _, _, _ := doc.Policy(doc.Root(), gatewayKeys...)
	if routes, ok := extras["routes"]; ok {
		for _, r := range routes.Content {
			check(r, "prefix")
		}
	}
	if slices.Contains(rootCfg.AllowOrigins, "*") && len(credRoutes) > 0 {
		n := valueNode(doc.Root(), "allow_origins")
		out = append(out, newFinding(file, n.Line, n.Column, "wildcard-beside-credentials", severity.Medium,
			"allow_origins has * while routes allow credentials: paths no route covers are readable by every site, and a route typo falls back to it",
			"name the origins at the top level too, or give the public paths their own route"))
	}
	return out
}

// policyWarnings reports what validates but is risky.
func policyWarnings(file string, m *yaml.Node, cfg cors.Config) []Finding {
	var out []Finding
	for _, n := range items(m, "allow_origins") {
		p, err := origin.Parse(n.Value)
		if err != nil {
			continue
		}
		// With credentials, cors.New refuses it already (unless opted in).
		insecureRefused := cfg.AllowCredentials && !cfg.DangerouslyAllowInsecureOriginsWithCredentials
		if p.Scheme == "http" && !origin.IsLoopbackHost(p.Host) && p.Kind != origin.Any && !insecureRefused {
			out = append(out, newFinding(file, n.Line, n.Column, "http-origin", severity.Medium,
				"http:// origin "+strconv.Quote(n.Value)+" in a policy: anyone on its network path can inject script and use it",
				"use the https:// origin; keep http:// for loopback development origins"))
		}
		if p.Kind == origin.Null {
			out = append(out, newFinding(file, n.Line, n.Column, "null-origin", severity.High,
				"null is allowed: sandboxed iframes and data: pages of any site send it", "remove null"))
		}
	}
	if n := valueNode(m, "max_age"); n != nil {
		if v, err := strconv.Atoi(n.Value); err == nil && v > 7200 && v <= cors.MaxMaxAge {
			out = append(out, newFinding(file, n.Line, n.Column, "max-age-capped", severity.Info,
				"max_age "+n.Value+" is more than Chromium honours (7200 s)", "use at most 7200"))
		}
	}
	for _, n := range items(m, "expose_headers") {
		if secretName.MatchString(n.Value) {
			out = append(out, newFinding(file, n.Line, n.Column, "secret-exposed", severity.Medium,
				"expose_headers lists "+strconv.Quote(n.Value)+", which looks like a secret: every allowed origin can read it", "do not expose credentials or tokens to cross-origin pages"))
		}
	}
	return out
}

func valueNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func items(m *yaml.Node, key string) []*yaml.Node {
	n := valueNode(m, key)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{n}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// fromError turns a located policy error ("file:line:col: ...") into a finding.
func fromError(file string, err error) Finding {
	line, col := 1, 1
	var pe *policyfile.Error
	msg := err.Error()
	if errors.As(err, &pe) {
		parts := strings.Split(pe.Source, ":")
		if len(parts) >= 3 {
			line, _ = strconv.Atoi(parts[len(parts)-2])
			col, _ = strconv.Atoi(parts[len(parts)-1])
		}
		msg = strings.TrimPrefix(msg, pe.Source+": ")
	}
	// The middleware's errors carry their remedy apart; an error of the
	// file itself (YAML syntax, an unknown key) says it all in one.
	fix := msg
	var ce *cors.ConfigError
	if errors.As(err, &ce) {
		fix = ce.Fix
	}
	return newFinding(file, max(line, 1), max(col, 1), "policy-invalid", severity.High, msg, fix)
}
