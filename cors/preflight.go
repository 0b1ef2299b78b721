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

// The headers of a preflight's answer, in the order they are written; a
// preflightDecision's values are indexed alike.
const (
	allowOrigin = iota
	allowCredentials
	allowMethods
	allowHeaders
	maxAge
	allowPrivateNetwork
	preflightFieldCount
)

var preflightFields = [preflightFieldCount]string{
	"Access-Control-Allow-Origin",
	"Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers",
	"Access-Control-Max-Age",
	"Access-Control-Allow-Private-Network",
}

// preflightDecision is the policy's answer to one preflight, before it is
// written: the values of the headers of preflightFields ("" for none) and,
// when it refuses, which check failed and what it refused.
type preflightDecision struct {
	values  [preflightFieldCount]string
	refused refusal
	what    string // the refused method (with a hint) or header
}

// preflightRequest is what a preflight asks: its Origin and
// Access-Control-Request-Method lines, and its -Headers and
// -Private-Network lines, read from header when it is set (only once the
// origin passes: most refusals never need them).
type preflightRequest struct {
	origins, acrm []string
	header        http.Header
	acrh, pna     []string
}

func (q *preflightRequest) requestHeaders() []string {
	if q.header != nil {
		return q.header["Access-Control-Request-Headers"]
	}
	return q.acrh
}

func (q *preflightRequest) privateNetwork() []string {
	if q.header != nil {
		return q.header["Access-Control-Request-Private-Network"]
	}
	return q.pna
}

// decidePreflight answers a CORS-preflight request. The browser checks, in
// this order (Fetch, "CORS-preflight fetch", step 7, as Chromium does it):
// the CORS check on Access-Control-Allow-Origin and -Credentials, an ok
// status, then the method against Access-Control-Allow-Methods and each
// header against Access-Control-Allow-Headers. A preflight from an allowed
// origin that asks for a method or header the policy refuses therefore gets
// an ok answer with the origin and the allowed lists, so that the browser's
// console names the refused method or header instead of a vague status
// error.
func (p *policy) decidePreflight(q *preflightRequest, d *preflightDecision) {
	origins, acrm := q.origins, q.acrm
	if len(origins) != 1 || !p.origins.Contains(origins[0]) {
		d.refused = refusedOrigin
		return
	}
	d.values[allowOrigin] = origins[0]
	if p.anyOrigin {
		d.values[allowOrigin] = "*"
	}
	if p.credentials {
		d.values[allowCredentials] = "true"
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
		d.values[allowMethods] = method
	case p.methodsValue != "":
		d.values[allowMethods] = p.methodsValue
	}
	if !methodOK {
		d.refused, d.what = refusedMethod, p.methodHint(method)
		return
	}

	acrh := q.requestHeaders()
	denied, ok := p.checkRequestHeaders(acrh)
	switch {
	case p.echoHeaders && ok && len(acrh) > 0:
		d.values[allowHeaders] = joinLines(acrh)
	case p.anyHeader && denied != "":
		// The only name `*` refuses is an unlisted Authorization. Chromium,
		// Firefox and Safari still let `*` cover it, against the Fetch
		// standard, so list the allowed names instead: every browser then
		// refuses Authorization.
		d.values[allowHeaders] = p.allowedSubset(acrh)
	case p.headersValue != "":
		d.values[allowHeaders] = p.headersValue
	}
	if !ok {
		d.refused, d.what = refusedHeader, denied
		if denied == "" {
			d.refused = refusedHeadersLimit
		}
		return
	}

	if pna := q.privateNetwork(); len(pna) == 1 && pna[0] == "true" {
		if !p.privateNet {
			d.refused = refusedPrivateNetwork
			return
		}
		d.values[allowPrivateNetwork] = "true"
	}
	d.values[maxAge] = p.maxAgeValue
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
	var d preflightDecision
	p.decidePreflight(&preflightRequest{origins: origins, acrm: acrm, header: r.Header}, &d)
	h := w.Header()
	vals := make([]string, preflightFieldCount+1)
	addVary(h, vals[preflightFieldCount:], p.varyPreflight)
	for i, v := range d.values {
		if v != "" {
			set(h, preflightFields[i], vals[i:i+1:i+1], v)
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

// AppendPreflight answers a preflight as Handler would, for a server that
// writes its own HTTP/1.1 responses: it appends the answer's header lines
// (each ending in CRLF, Vary included) to dst and returns its status. The
// arguments are the request's header lines as in Handler: Origin,
// Access-Control-Request-Method, -Headers and -Private-Network. ok is false,
// and dst returned as is, when the policy passes preflights through or
// refuses this one: Handler must then serve the request, and logs why; and
// always for the zero Middleware.
func (m *Middleware) AppendPreflight(dst []byte, origins, acrm, acrh, pna []string) (out []byte, status int, ok bool) {
	p := m.policy.Load()
	if p == nil || p.passthrough {
		return dst, 0, false
	}
	var d preflightDecision
	p.decidePreflight(&preflightRequest{origins: origins, acrm: acrm, acrh: acrh, pna: pna}, &d)
	if d.refused != refusedNothing {
		return dst, 0, false
	}
	for i, v := range d.values {
		if v != "" {
			dst = appendField(dst, preflightFields[i], v)
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
