package cors

import (
	"net/http"
	"strings"

	"github.com/corskit/corskit/internal/headers"
)

// refusal says which check a preflight failed.
type refusal int

const (
	refusedNothing refusal = iota
	refusedOrigin
	refusedMethod
	refusedHeader
	refusedHeadersLimit
	refusedPrivateNetwork
)

// preflightDecision is the policy's answer to one preflight, before it is
// written: the values of the Access-Control-Allow-* headers ("" for none)
// and, when it refuses, which check failed and what it refused.
type preflightDecision struct {
	allowOrigin, allowCredentials, allowMethods, allowHeaders, allowPrivateNetwork, maxAge string
	refused                                                                                refusal
	what                                                                                   string // the refused method (with a hint) or header
}

// decidePreflight answers a CORS-preflight request. The browser checks, in
// this order (Fetch, "CORS-preflight fetch", step 7, as Chromium does it):
// the CORS check on Access-Control-Allow-Origin and -Credentials, an ok
// status, then the method against Access-Control-Allow-Methods and each
// header against Access-Control-Allow-Headers. A preflight from an allowed
// origin that asks for a method or header the policy refuses therefore gets
// an ok answer with the origin and the allowed lists, so that the browser's
// console names the refused method or header instead of a vague status
// error. The arguments are the request's header lines: Origin,
// Access-Control-Request-Method, -Headers and -Private-Network.
func (p *policy) decidePreflight(origins, acrm, acrh, pna []string) (d preflightDecision) {
	if len(origins) != 1 || !p.origins.Contains(origins[0]) {
		d.refused = refusedOrigin
		return d
	}
	d.allowOrigin = origins[0]
	if p.anyOrigin {
		d.allowOrigin = "*"
	}
	if p.credentials {
		d.allowCredentials = "true"
	}

	method := ""
	if len(acrm) == 1 {
		method = acrm[0]
	}
	methodOK := headers.IsToken(method) &&
		(headers.IsSafelistedMethod(method) || p.anyMethod || p.hasMethod(method))
	switch {
	case p.anyMethod && p.credentials && methodOK:
		// Browsers read `*` literally on credentialed requests: echo.
		d.allowMethods = method
	case p.methodsValue != "":
		d.allowMethods = p.methodsValue
	}
	if !methodOK {
		d.refused, d.what = refusedMethod, p.methodHint(method)
		return d
	}

	denied, ok := p.checkRequestHeaders(acrh)
	switch {
	case p.echoHeaders && ok && len(acrh) > 0:
		d.allowHeaders = joinLines(acrh)
	case p.anyHeader && denied != "":
		// The only name `*` refuses is an unlisted Authorization. Chromium
		// (156) still lets `*` cover it, against the Fetch standard, so list the
		// allowed names instead: every browser then refuses Authorization.
		d.allowHeaders = p.allowedSubset(acrh)
	case p.headersValue != "":
		d.allowHeaders = p.headersValue
	}
	if !ok {
		d.refused, d.what = refusedHeader, denied
		if denied == "" {
			d.refused = refusedHeadersLimit
		}
		return d
	}

	if len(pna) == 1 && pna[0] == "true" {
		if !p.privateNet {
			d.refused = refusedPrivateNetwork
			return d
		}
		d.allowPrivateNetwork = "true"
	}
	d.maxAge = p.maxAgeValue
	return d
}

// reason is why d refuses, for logs; "" if it allows.
func (d *preflightDecision) reason() string {
	switch d.refused {
	case refusedOrigin:
		return "origin not allowed"
	case refusedMethod:
		return "method not allowed"
	case refusedHeader:
		return "request header not allowed"
	case refusedHeadersLimit:
		return "Access-Control-Request-Headers over the limit of " + limitsText
	case refusedPrivateNetwork:
		return "private network access not allowed (AllowPrivateNetwork is false)"
	}
	return ""
}

// preflight answers a CORS-preflight request with the policy's decision.
func (p *policy) preflight(w http.ResponseWriter, r *http.Request, origins, acrm []string, next http.Handler) {
	d := p.decidePreflight(origins, acrm, r.Header["Access-Control-Request-Headers"], r.Header["Access-Control-Request-Private-Network"])
	h := w.Header()
	vals := make([]string, 7)
	addVary(h, vals[6:7:7], p.varyPreflight)
	for i, f := range d.fields() {
		if f.value != "" {
			set(h, f.name, vals[i:i+1:i+1], f.value)
		}
	}
	status := p.status
	if d.refused != refusedNothing {
		p.logDenied(r, origins, d.reason(), d.what)
		if d.refused == refusedOrigin {
			status = http.StatusForbidden
		}
	}
	p.finish(w, r, next, status)
}

// field is one response header.
type field struct{ name, value string }

// fields are d's Access-Control-* headers, in a fixed order.
func (d *preflightDecision) fields() [6]field {
	return [6]field{
		{"Access-Control-Allow-Origin", d.allowOrigin},
		{"Access-Control-Allow-Credentials", d.allowCredentials},
		{"Access-Control-Allow-Methods", d.allowMethods},
		{"Access-Control-Allow-Headers", d.allowHeaders},
		{"Access-Control-Max-Age", d.maxAge},
		{"Access-Control-Allow-Private-Network", d.allowPrivateNetwork},
	}
}

// AppendPreflight answers a preflight as Handler would, for a server that
// writes its own HTTP/1.1 responses: it appends the answer's header lines
// (each ending in CRLF, Vary included) to dst and returns its status. The
// arguments are the request's header lines as in Handler: Origin,
// Access-Control-Request-Method, -Headers and -Private-Network. ok is false,
// and dst returned as is, when the policy passes preflights through or
// refuses this one: Handler must then serve the request, and logs why.
func (m *Middleware) AppendPreflight(dst []byte, origins, acrm, acrh, pna []string) (out []byte, status int, ok bool) {
	p := m.policy.Load()
	if p.passthrough {
		return dst, 0, false
	}
	d := p.decidePreflight(origins, acrm, acrh, pna)
	if d.refused != refusedNothing {
		return dst, 0, false
	}
	for _, f := range d.fields() {
		if f.value != "" {
			dst = appendField(dst, f.name, f.value)
		}
	}
	return appendField(dst, "Vary", p.varyPreflight), p.status, true
}

// appendField appends "name: value\r\n"; the policy's values and the
// request's, already held to field-value syntax, hold no line break.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// finish ends a preflight: the next handler writes the answer in passthrough
// mode, the middleware otherwise.
func (p *policy) finish(w http.ResponseWriter, r *http.Request, next http.Handler, status int) {
	if p.passthrough {
		next.ServeHTTP(w, r)
		return
	}
	w.WriteHeader(status)
}

func (p *policy) hasMethod(m string) bool {
	_, ok := p.methods[m]
	return ok
}

// methodHint explains a refused method, pointing out case mistakes: methods
// are case-sensitive, and only six are upper-cased by browsers.
func (p *policy) methodHint(m string) string {
	for allowed := range p.methods {
		if allowed != m && headers.EqualFold(allowed, m) {
			return m + " (methods are case-sensitive: the policy lists " + allowed + ", the page sent " + m + ")"
		}
	}
	return m
}

// joinLines returns the header's value; several header lines combine as one
// comma-separated list (RFC 9110, section 5.3).
func joinLines(lines []string) string {
	if len(lines) == 1 {
		return lines[0]
	}
	return strings.Join(lines, ",")
}

// allowedSubset lists the requested header names that the policy allows, for
// the answer to a preflight that asked for one it refuses.
func (p *policy) allowedSubset(lines []string) string {
	var b strings.Builder
	forEachName(lines, func(name string) bool {
		if p.allowsHeader(name) {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(name)
		}
		return true
	})
	return b.String()
}
