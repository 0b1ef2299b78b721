package check

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/headers"
)

// HeaderLine is one response header the server must send.
type HeaderLine struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Fix is what the server must send for the request to be allowed.
type Fix struct {
	// PreflightStatus and Preflight are the answer the OPTIONS preflight
	// needs, when the request is preflighted.
	PreflightStatus int          `json:"preflight_status,omitempty"`
	Preflight       []HeaderLine `json:"preflight,omitempty"`
	// Response are the headers every other response needs (errors too).
	Response []HeaderLine `json:"response"`
	// Stack is the server stack the snippet is for; empty when unknown.
	Stack string `json:"stack,omitempty"`
	// StackFrom says how the stack was chosen: "--stack", or the header it
	// was detected from.
	StackFrom string `json:"stack_from,omitempty"`
	// Snippet is a ready configuration for the stack.
	Snippet string `json:"snippet,omitempty"`
}

// policy is the smallest policy that allows the checked request.
type policy struct {
	Origin      string
	Methods     []string // non-safelisted
	Headers     []string
	Expose      []string
	Credentials bool
	MaxAge      int
}

func policyFor(o Options) policy {
	req := browser.Request{Method: o.Method, Headers: o.Headers}
	p := policy{Origin: o.Origin, Credentials: o.Credentials == browser.Include, MaxAge: 600, Expose: o.Read}
	m := headers.NormalizeMethod(o.Method)
	if !headers.IsSafelistedMethod(m) {
		p.Methods = []string{m}
	}
	for _, n := range browser.UnsafeHeaderNames(req.Headers) {
		p.Headers = append(p.Headers, http.CanonicalHeaderKey(n))
	}
	return p
}

// headerFixable reports whether v is blocked for a reason the server's CORS
// headers can fix: not a network error, too many redirects, mixed content or
// Local Network Access.
func headerFixable(v browser.Verdict) bool {
	switch v.Reason {
	case browser.Allowed, browser.NetworkError, browser.TooManyRedirects, browser.BadPort, browser.MixedContent, browser.LocalNetworkAccess:
		return false
	}
	return !v.Allowed
}

// fixFor returns the fix for a blocked verdict; nothing when it is allowed or
// failed for a reason no header can fix.
func fixFor(o Options, v browser.Verdict) Fix {
	if !headerFixable(v) {
		return Fix{}
	}
	p := policyFor(o)
	var f Fix
	common := []HeaderLine{{"Access-Control-Allow-Origin", p.Origin}}
	if p.Credentials {
		common = append(common, HeaderLine{"Access-Control-Allow-Credentials", "true"})
	}
	if v.Preflight {
		f.PreflightStatus = http.StatusNoContent
		f.Preflight = slices.Clone(common)
		if len(p.Methods) > 0 {
			f.Preflight = append(f.Preflight, HeaderLine{"Access-Control-Allow-Methods", strings.Join(p.Methods, ", ")})
		}
		if len(p.Headers) > 0 {
			f.Preflight = append(f.Preflight, HeaderLine{"Access-Control-Allow-Headers", strings.Join(p.Headers, ", ")})
		}
		f.Preflight = append(f.Preflight, HeaderLine{"Access-Control-Max-Age", strconv.Itoa(p.MaxAge)},
			HeaderLine{"Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"})
	}
	f.Response = common
	if len(p.Expose) > 0 {
		f.Response = append(f.Response, HeaderLine{"Access-Control-Expose-Headers", strings.Join(p.Expose, ", ")})
	}
	f.Response = append(f.Response, HeaderLine{"Vary", "Origin"})

	f.Stack, f.StackFrom = o.Stack, "--stack"
	if o.Stack == "auto" || o.Stack == "" {
		f.Stack, f.StackFrom = detectStack(v)
	}
	if s := snippetFor(f.Stack); s != nil {
		f.Snippet = s(p)
	}
	return f
}

// detectStack guesses the server stack from the answers' Server and
// X-Powered-By headers, the last answer first.
func detectStack(v browser.Verdict) (stack, from string) {
	for i := len(v.Exchanges) - 1; i >= 0; i-- {
		if stack, from := stackFrom(v.Exchanges[i].Response.Header); stack != "" {
			return stack, from
		}
	}
	return "", ""
}

// stackOf is the stack one answer's headers name, or "".
func stackOf(h http.Header) string {
	stack, _ := stackFrom(h)
	return stack
}

// stackFrom is the stack one answer's headers name, and the header line
// that names it.
func stackFrom(h http.Header) (stack, from string) {
	server, powered := h.Get("Server"), h.Get("X-Powered-By")
	lower := strings.ToLower(server + " " + powered)
	for _, c := range []struct{ needle, stack string }{
		{"express", "express"}, {"php", "php"}, {"werkzeug", "flask"}, {"flask", "flask"},
		{"nginx", "nginx"}, {"caddy", "caddy"},
	} {
		if strings.Contains(lower, c.needle) {
			if powered != "" && strings.Contains(strings.ToLower(powered), c.needle) {
				return c.stack, "X-Powered-By: " + powered
			}
			return c.stack, "Server: " + server
		}
	}
	return "", ""
}
