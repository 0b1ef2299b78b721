package cors

import (
	"net/http"

	"github.com/corskit/corskit/internal/headers"
)

// Outcome classifies a request under a policy.
type Outcome string

// The outcomes, as a gateway counts them.
const (
	NotCORS          Outcome = "non_cors"          // no Origin header
	PreflightAllowed Outcome = "preflight_allowed" // a preflight the policy allows
	PreflightDenied  Outcome = "preflight_denied"  // a preflight it refuses
	ActualAllowed    Outcome = "actual_allowed"    // another request, from an allowed origin
	ActualDenied     Outcome = "actual_denied"     // another request, from a disallowed origin
)

// Classify says what the policy in force makes of r, and why when it refuses
// it, without answering it: for metrics and for a report-only roll-out.
func (m *Middleware) Classify(r *http.Request) (Outcome, string) {
	p := m.policy.Load()
	origins, ok := r.Header["Origin"]
	if !ok {
		return NotCORS, ""
	}
	allowed := len(origins) == 1 && p.origins.Contains(origins[0])
	acrm, preflight := r.Header["Access-Control-Request-Method"]
	if r.Method != http.MethodOptions || !preflight {
		if !allowed {
			return ActualDenied, "origin not allowed"
		}
		return ActualAllowed, ""
	}
	if !allowed {
		return PreflightDenied, "origin not allowed"
	}
	method := ""
	if len(acrm) == 1 {
		method = acrm[0]
	}
	if !headers.IsToken(method) || !(headers.IsSafelistedMethod(method) || p.anyMethod || p.hasMethod(method)) {
		return PreflightDenied, "method " + p.methodHint(method) + " not allowed"
	}
	if denied, ok := p.checkRequestHeaders(r.Header["Access-Control-Request-Headers"]); !ok {
		if denied == "" {
			return PreflightDenied, "Access-Control-Request-Headers over the limit of " + limitsText
		}
		return PreflightDenied, "request header " + denied + " not allowed"
	}
	if pna := r.Header["Access-Control-Request-Private-Network"]; len(pna) == 1 && pna[0] == "true" && !p.privateNet {
		return PreflightDenied, "private network access not allowed"
	}
	return PreflightAllowed, ""
}

// AllowsOrigin reports whether the policy in force allows the origin, as the
// Origin header carries it. A gateway uses it to refuse WebSocket upgrades
// from other origins, which browsers do not subject to CORS.
func (m *Middleware) AllowsOrigin(origin string) bool {
	return m.policy.Load().origins.Contains(origin)
}
