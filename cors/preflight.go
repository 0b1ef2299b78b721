package cors

import (
	"net/http"
	"strings"

	"github.com/corskit/corskit/cors/internal/link"
	"github.com/corskit/corskit/cors/unstable/headers"
)

// Which check a preflight failed.
const (
	refusedNothing        = link.RefusedNothing
	refusedOrigin         = link.RefusedOrigin
	refusedMethod         = link.RefusedMethod
	refusedHeader         = link.RefusedHeader
	refusedHeadersLimit   = link.RefusedHeadersLimit
	refusedPrivateNetwork = link.RefusedPrivateNetwork
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
type preflightDecision = link.Preflight

// The two lists of preflight fields agree.
var _ [preflightFieldCount - link.PreflightFieldCount]struct{}
var _ [link.PreflightFieldCount - preflightFieldCount]struct{}

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
		d.Refused = refusedOrigin
		return
	}
	d.Values[allowOrigin] = origins[0]
	if p.anyOrigin {
		d.Values[allowOrigin] = "*"
	}
	if p.credentials {
		d.Values[allowCredentials] = "true"
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
		d.Values[allowMethods] = method
	case p.methodsValue != "":
		d.Values[allowMethods] = p.methodsValue
	}
	if !methodOK {
		d.Refused, d.What = refusedMethod, p.methodHint(method)
		return
	}

	acrh := q.requestHeaders()
	denied, ok := p.checkRequestHeaders(acrh)
	switch {
	case p.echoHeaders && ok && len(acrh) > 0:
		d.Values[allowHeaders] = joinLines(acrh)
	case p.anyHeader && denied != "":
		// The only name `*` refuses is an unlisted Authorization. Chromium,
		// Firefox and Safari still let `*` cover it, against the Fetch
		// standard, so list the allowed names instead: every browser then
		// refuses Authorization.
		d.Values[allowHeaders] = p.allowedSubset(acrh)
	case p.headersValue != "":
		d.Values[allowHeaders] = p.headersValue
	}
	if !ok {
		d.Refused, d.What = refusedHeader, denied
		if denied == "" {
			d.Refused = refusedHeadersLimit
		}
		return
	}

	if pna := q.privateNetwork(); len(pna) == 1 && pna[0] == "true" {
		if !p.privateNet {
			d.Refused = refusedPrivateNetwork
			return
		}
		d.Values[allowPrivateNetwork] = "true"
	}
	d.Values[maxAge] = p.maxAgeValue
}

// refusalReason is why d refuses, for logs; "" if it allows.
func refusalReason(d *preflightDecision) string {
	switch d.Refused {
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
	p.answerPreflight(w, r, origins, &d, next)
}

// answerPreflight writes d, the policy's decision on a preflight.
func (p *policy) answerPreflight(w http.ResponseWriter, r *http.Request, origins []string, d *preflightDecision, next http.Handler) {
	h := w.Header()
	vals := make([]string, preflightFieldCount+1)
	addVary(h, vals[preflightFieldCount:], p.varyPreflight)
	for i, v := range d.Values {
		if v != "" {
			set(h, preflightFields[i], vals[i:i+1:i+1], v)
		}
	}
	status := p.status
	if d.Refused != refusedNothing {
		p.logDenied(r, origins, refusalReason(d), d.What)
		if d.Refused == refusedOrigin {
			status = http.StatusForbidden
		}
	}
	p.finish(w, r, next, status)
}

// appendPreflight is cors/unstable/hooks's AppendPreflight, for the
// policy p in force (nil for the zero Middleware).
func (p *policy) appendPreflight(dst []byte, origins, acrm, acrh, pna []string) (out []byte, status int, ok bool) {
	if p == nil || p.passthrough {
		return dst, 0, false
	}
	var d preflightDecision
	p.decidePreflight(&preflightRequest{origins: origins, acrm: acrm, acrh: acrh, pna: pna}, &d)
	if d.Refused != refusedNothing {
		return dst, 0, false
	}
	for i, v := range d.Values {
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
