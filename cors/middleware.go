package cors

import (
	"net/http"
	"sync/atomic"
)

// Middleware applies a CORS policy to the requests it handles. Build one with
// [New]; it is safe for concurrent use, and [Middleware.Reconfigure] swaps its
// policy atomically while it serves.
//
// The zero Middleware has no policy: it passes every request, preflights
// included, to the next handler untouched and sets no CORS header, as if it
// were not there, until [Middleware.Reconfigure] gives it one.
type Middleware struct {
	policy atomic.Pointer[policy]
}

// New validates cfg and returns a middleware that enforces it. It fails closed:
// when cfg has problems, New returns no middleware and an error that joins one
// [*ConfigError] per problem.
func New(cfg Config) (*Middleware, error) {
	p, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	m := &Middleware{}
	m.policy.Store(p)
	return m, nil
}

// Reconfigure validates cfg and, if it is valid, makes it the policy in force
// for every request that starts afterwards. When cfg is invalid it returns the
// errors, as [New] does, and the policy in force stays.
func (m *Middleware) Reconfigure(cfg Config) error {
	p, err := compile(cfg)
	if err != nil {
		return err
	}
	m.policy.Store(p)
	return nil
}

// Config returns a copy of the policy in force; the zero Config for the
// zero Middleware.
func (m *Middleware) Config() Config {
	p := m.policy.Load()
	if p == nil {
		return Config{}
	}
	return cloneConfig(p.cfg)
}

// Handler wraps next with the policy. Preflights are answered by the
// middleware (unless PreflightPassthrough is set); every other request reaches
// next, with the CORS response headers set beforehand: the browser, not the
// server, decides whether the page may read the answer.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := m.policy.Load()
		if p == nil { // the zero Middleware
			next.ServeHTTP(w, r)
			return
		}
		origins, hasOrigin := r.Header["Origin"]
		// Fetch, "CORS-preflight request": an OPTIONS request with Origin and
		// Access-Control-Request-Method. An OPTIONS request without them is an
		// ordinary request.
		if r.Method == http.MethodOptions && hasOrigin {
			if acrm, ok := r.Header["Access-Control-Request-Method"]; ok {
				p.preflight(w, r, origins, acrm, next)
				return
			}
		}
		p.actual(w, r, origins)
		next.ServeHTTP(w, r)
	})
}

// actual sets the headers of a response to a request that is not a preflight.
func (p *policy) actual(w http.ResponseWriter, r *http.Request, origins []string) {
	h := w.Header()
	if p.anyOrigin {
		// The answer is the same for every origin: no Vary needed.
		if len(origins) == 0 {
			return
		}
		vals := make([]string, 2)
		set(h, "Access-Control-Allow-Origin", vals[0:1:1], "*")
		if p.exposeValue != "" {
			set(h, "Access-Control-Expose-Headers", vals[1:2:2], p.exposeValue)
		}
		return
	}
	p.actualFor(w, r, origins, len(origins) == 1 && p.origins.Contains(origins[0]))
}

// actualFor is actual for a policy that is not `*` without credentials,
// once it is known whether the request's one origin is allowed.
func (p *policy) actualFor(w http.ResponseWriter, r *http.Request, origins []string, allowed bool) {
	h := w.Header()
	if !allowed {
		addVary(h, make([]string, 1), "Origin")
		if len(origins) > 0 {
			p.logDenied(r, origins, "origin not allowed", "")
		}
		return
	}
	vals := make([]string, 4)
	set(h, "Access-Control-Allow-Origin", vals[0:1:1], origins[0])
	if p.credentials {
		set(h, "Access-Control-Allow-Credentials", vals[1:2:2], "true")
	}
	if p.exposeValue != "" {
		set(h, "Access-Control-Expose-Headers", vals[2:3:3], p.exposeValue)
	}
	addVary(h, vals[3:4:4], "Origin")
}

// set writes v into h under key through slot, a one-element slice of a backing
// array allocated for this response alone: no slice shared between responses
// is ever written into a header map, where a wrapping handler could change it.
func set(h http.Header, key string, slot []string, v string) {
	slot[0] = v
	h[key] = slot
}

// addVary appends v to h's Vary values, keeping any set by another layer.
func addVary(h http.Header, slot []string, v string) {
	old := h["Vary"]
	if len(old) == 0 {
		set(h, "Vary", slot, v)
		return
	}
	vary := make([]string, len(old)+1)
	copy(vary, old)
	vary[len(old)] = v
	h["Vary"] = vary
}

// Interface guard: a Handler is an http.Handler.
var _ http.Handler = (*Middleware)(nil).Handler(nil)
