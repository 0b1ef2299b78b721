package browser

// quirk is one of the ways an engine departs from the Fetch logic the
// engines share: its name, as corskit's documentation spells it, and where
// an Engine holds it.
type quirk struct {
	name string
	of   func(*Engine) *bool
}

// quirkList lists the quirks an Engine can have, in the order of Engine's
// fields.
var quirkList = []quirk{
	{"PreflightsAfterRedirect", func(e *Engine) *bool { return &e.preflightsAfterRedirect }},
	{"PreflightKeepsOrigin", func(e *Engine) *bool { return &e.preflightKeepsOrigin }},
	{"PreflightRedirectCORSFirst", func(e *Engine) *bool { return &e.preflightRedirectCORSFirst }},
	{"MethodBeforeHeaderList", func(e *Engine) *bool { return &e.methodBeforeHeaderList }},
	{"PreflightStatusFirst", func(e *Engine) *bool { return &e.preflightStatusFirst }},
	{"CrossOriginRedirectDeleteToGet", func(e *Engine) *bool { return &e.crossOriginRedirectDeleteToGet }},
	{"RedirectKeepsAuthorization", func(e *Engine) *bool { return &e.redirectKeepsAuthorization }},
	{"RedirectKeepsContentHeaders", func(e *Engine) *bool { return &e.redirectKeepsContentHeaders }},
	{"RefusedInHeaderMapOrder", func(e *Engine) *bool { return &e.refusedInHeaderMapOrder }},
	{"RefusedHeaderAnyOrder", func(e *Engine) *bool { return &e.refusedHeaderAnyOrder }},
	{"LocalNetworkAccess", func(e *Engine) *bool { return &e.localNetworkAccess }},
	{"LoopbackIsTrustworthy", func(e *Engine) *bool { return &e.loopbackIsTrustworthy }},
}

// Quirks returns the names of the engine's departures from the Fetch logic
// the engines share, e.g. "PreflightsAfterRedirect" (each is described in
// engine.go). The set of names may grow or shrink in any release, as the
// engines change.
func (e *Engine) Quirks() []string {
	var out []string
	for _, q := range quirkList {
		if *q.of(e) {
			out = append(out, q.name)
		}
	}
	return out
}

// Without returns a copy of the engine with the named quirk turned off, to
// see what the quirk changes; false when the engine does not have it.
func (e *Engine) Without(quirk string) (*Engine, bool) {
	for _, q := range quirkList {
		if q.name == quirk && *q.of(e) {
			c := *e
			*q.of(&c) = false
			return &c, true
		}
	}
	return nil, false
}
