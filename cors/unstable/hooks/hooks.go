// Package hooks is corskit's gateway plumbing: it lets a server that
// fronts other services (corskit's proxy) decide each request once under a
// [cors.Middleware]'s policy, count and log the outcome, and then apply the
// same decision, and lets a server that writes its own HTTP/1.1 answer
// allowed preflights without building a request.
//
// It is not covered by the compatibility promise of package cors: it
// exists for corskit's own gateway, may change or go away in any release,
// and programs outside corskit should not import it. Package cors's
// [cors.Middleware.Handler] is the supported way to apply a policy.
package hooks

import (
	"net/http"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/internal/link"
)

// Outcome classifies a request under a policy.
type Outcome = link.Outcome

// The outcomes, as a gateway counts them.
const (
	NotCORS          = link.NotCORS          // no Origin header
	PreflightAllowed = link.PreflightAllowed // a preflight the policy allows
	PreflightDenied  = link.PreflightDenied  // a preflight it refuses
	ActualAllowed    = link.ActualAllowed    // another request, from an allowed origin
	ActualDenied     = link.ActualDenied     // another request, from a disallowed origin
)

// Policy is the gateway's handle on a [cors.Middleware]; it follows the
// middleware's Reconfigure. The zero Policy must not be used: get one from
// [Of].
type Policy struct{ p link.Policy }

// Of returns the handle on m.
func Of(m *cors.Middleware) Policy { return Policy{link.Of(m)} }

// Decision is a policy's decision on one request, from [Policy.Decide].
type Decision struct{ d link.Decision }

// Outcome is what the policy makes of the request.
func (d *Decision) Outcome() Outcome { return d.d.Outcome }

// Reason is why the policy refuses the request, for logs; "" when it allows
// it.
func (d *Decision) Reason() string { return d.d.Reason }

// Decide decides r under the policy in force, without answering it. The
// zero Middleware, which enforces nothing, decides every request NotCORS.
func (p Policy) Decide(r *http.Request) Decision { return Decision{p.p.Decide(r)} }

// Apply answers r from d, which Decide returned for r, exactly as the
// middleware's Handler(next) would have answered r, without deciding again:
// a preflight is answered (or, with PreflightPassthrough, passed to next
// with its headers set); any other request gets its CORS headers and
// reaches next.
func (p Policy) Apply(w http.ResponseWriter, r *http.Request, next http.Handler, d *Decision) {
	p.p.Apply(w, r, next, d.d)
}

// AppendPreflight answers a preflight as Handler would, for a server that
// writes its own HTTP/1.1 responses: it appends the answer's header lines
// (each ending in CRLF, Vary included) to dst and returns its status. The
// arguments are the request's header lines as in Handler: Origin,
// Access-Control-Request-Method, -Headers and -Private-Network. ok is false,
// and dst returned as is, when the policy passes preflights through or
// refuses this one: Handler (or Decide and Apply) must then serve the
// request, and logs why; and always for the zero Middleware.
func (p Policy) AppendPreflight(dst []byte, origins, acrm, acrh, pna []string) (out []byte, status int, ok bool) {
	return p.p.AppendPreflight(dst, origins, acrm, acrh, pna)
}

// AllowsOrigin reports whether the policy in force allows the origin, as the
// Origin header carries it. A gateway uses it to refuse WebSocket upgrades
// from other origins, which browsers do not subject to CORS. The zero
// Middleware allows none.
func (p Policy) AllowsOrigin(origin string) bool { return p.p.AllowsOrigin(origin) }
