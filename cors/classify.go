package cors

import (
	"net/http"
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
// it, without answering it: for metrics and for a report-only roll-out. The
// zero Middleware, which enforces nothing, classifies every request NotCORS.
func (m *Middleware) Classify(r *http.Request) (Outcome, string) {
	p := m.policy.Load()
	origins, ok := r.Header["Origin"]
	if !ok || p == nil {
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
	var d preflightDecision
	p.decidePreflight(&preflightRequest{origins: origins, acrm: acrm, header: r.Header}, &d)
	switch d.refused {
	case refusedNothing:
		return PreflightAllowed, ""
	case refusedMethod:
		return PreflightDenied, "method " + d.what + " not allowed"
	case refusedHeader:
		return PreflightDenied, "request header " + d.what + " not allowed"
	case refusedPrivateNetwork:
		return PreflightDenied, "private network access not allowed"
	}
	return PreflightDenied, d.reason()
}

// AllowsOrigin reports whether the policy in force allows the origin, as the
// Origin header carries it. A gateway uses it to refuse WebSocket upgrades
// from other origins, which browsers do not subject to CORS. The zero
// Middleware allows none.
func (m *Middleware) AllowsOrigin(origin string) bool {
	p := m.policy.Load()
	return p != nil && p.origins.Contains(origin)
}
