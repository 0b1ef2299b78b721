package cors

import (
	"net/http"

	"github.com/corskit/corskit/cors/internal/link"
)

// gatewayView is what cors/unstable/hooks reaches of a Middleware through
// cors/internal/link: a decision made once per request and applied later,
// the fast path's preflight answer, and the origin check for WebSockets.
type gatewayView struct{ m *Middleware }

func init() {
	link.Of = func(m any) link.Policy { return gatewayView{m.(*Middleware)} }
}

// Decide decides r as Handler would, saying what the policy makes of it and
// why when it refuses it. The zero Middleware, which enforces nothing,
// decides every request NotCORS.
func (g gatewayView) Decide(r *http.Request) link.Decision {
	p := g.m.policy.Load()
	origins, ok := r.Header["Origin"]
	if !ok || p == nil {
		return link.Decision{Outcome: link.NotCORS, Policy: policyOrNil(p), Origins: origins}
	}
	d := link.Decision{Policy: p, Origins: origins, Allowed: len(origins) == 1 && p.origins.Contains(origins[0])}
	acrm, preflight := r.Header["Access-Control-Request-Method"]
	if r.Method != http.MethodOptions || !preflight {
		d.Outcome = link.ActualAllowed
		if !d.Allowed {
			d.Outcome, d.Reason = link.ActualDenied, "origin not allowed"
		}
		return d
	}
	d.Preflight = true
	p.decidePreflight(&preflightRequest{origins: origins, acrm: acrm, header: r.Header}, &d.Answer)
	d.Outcome, d.Reason = preflightOutcome(&d.Answer)
	return d
}

// policyOrNil keeps a nil *policy out of an interface, where it would not
// compare equal to nil.
func policyOrNil(p *policy) any {
	if p == nil {
		return nil
	}
	return p
}

// preflightOutcome classifies a preflight's decision, with the reason a
// gateway logs.
func preflightOutcome(d *preflightDecision) (link.Outcome, string) {
	switch d.Refused {
	case refusedNothing:
		return link.PreflightAllowed, ""
	case refusedMethod:
		return link.PreflightDenied, "method " + d.What + " not allowed"
	case refusedHeader:
		return link.PreflightDenied, "request header " + d.What + " not allowed"
	case refusedPrivateNetwork:
		return link.PreflightDenied, "private network access not allowed"
	}
	return link.PreflightDenied, refusalReason(d)
}

// Apply answers r from d, which Decide returned for r, as Handler would
// have: nothing is decided again.
func (g gatewayView) Apply(w http.ResponseWriter, r *http.Request, next http.Handler, d link.Decision) {
	p, _ := d.Policy.(*policy)
	switch {
	case p == nil: // the zero Middleware
		next.ServeHTTP(w, r)
	case d.Preflight:
		p.answerPreflight(w, r, d.Origins, &d.Answer, next)
	default:
		if p.anyOrigin {
			p.actual(w, r, d.Origins)
		} else {
			p.actualFor(w, r, d.Origins, d.Allowed)
		}
		next.ServeHTTP(w, r)
	}
}

// AppendPreflight answers a preflight for a server that writes its own
// responses; see cors/unstable/hooks.
func (g gatewayView) AppendPreflight(dst []byte, origins, acrm, acrh, pna []string) ([]byte, int, bool) {
	return g.m.policy.Load().appendPreflight(dst, origins, acrm, acrh, pna)
}

// AllowsOrigin reports whether the policy in force allows the origin, as
// the Origin header carries it. The zero Middleware allows none.
func (g gatewayView) AllowsOrigin(origin string) bool {
	p := g.m.policy.Load()
	return p != nil && p.origins.Contains(origin)
}
