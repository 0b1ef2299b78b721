// Package link carries what package cors keeps unexported to
// cors/unstable/hooks, corskit's gateway plumbing, so that package cors
// need not export it. Package cors fills in [Of] when it is initialised.
package link

import "net/http"

// Outcome classifies a request under a policy, as a gateway counts it.
type Outcome string

// The outcomes.
const (
	NotCORS          Outcome = "non_cors"          // no Origin header
	PreflightAllowed Outcome = "preflight_allowed" // a preflight the policy allows
	PreflightDenied  Outcome = "preflight_denied"  // a preflight it refuses
	ActualAllowed    Outcome = "actual_allowed"    // another request, from an allowed origin
	ActualDenied     Outcome = "actual_denied"     // another request, from a disallowed origin
)

// Refusal says which check a preflight failed.
type Refusal int

// The refusals.
const (
	RefusedNothing Refusal = iota
	RefusedOrigin
	RefusedMethod
	RefusedHeader
	RefusedHeadersLimit
	RefusedPrivateNetwork
)

// PreflightFieldCount is the number of header fields a preflight's answer
// may carry besides Vary.
const PreflightFieldCount = 6

// Preflight is a policy's answer to one preflight, before it is written:
// the values of the answer's header fields ("" for none), in package cors's
// order, and, when it refuses, which check failed and what it refused.
type Preflight struct {
	Values  [PreflightFieldCount]string
	Refused Refusal
	What    string // the refused method (with a hint) or header
}

// Decision is a policy's decision on one request, made once and applied
// later: what a gateway counts and logs, and what it takes to answer.
type Decision struct {
	Outcome Outcome
	Reason  string // why the policy refuses; "" when it allows

	Policy    any      // the policy in force when decided; nil for the zero Middleware
	Origins   []string // the request's Origin lines
	Preflight bool     // a CORS-preflight request, answered from Answer
	Allowed   bool     // for another request: its one origin is allowed
	Answer    Preflight
}

// Policy is the gateway's view of a *cors.Middleware.
type Policy interface {
	// Decide decides r under the policy in force.
	Decide(r *http.Request) Decision
	// Apply answers r as the middleware's Handler would, from d, which
	// Decide returned for r: a preflight is answered (or passed to next
	// with its headers set), another request gets its headers and reaches
	// next.
	Apply(w http.ResponseWriter, r *http.Request, next http.Handler, d Decision)
	// AppendPreflight is cors/unstable/hooks's AppendPreflight.
	AppendPreflight(dst []byte, origins, acrm, acrh, pna []string) (out []byte, status int, ok bool)
	// AllowsOrigin reports whether the policy in force allows the origin.
	AllowsOrigin(origin string) bool
}

// Of returns the Policy of m, a *cors.Middleware. Package cors sets it.
var Of func(m any) Policy
