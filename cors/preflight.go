package cors

import (
	"net/http"
	"strings"

	"github.com/corskit/corskit/internal/headers"
)

// preflight answers a CORS-preflight request. The browser checks, in this
// order (Fetch, "CORS-preflight fetch", step 7, as Chromium does it): the CORS
// check on Access-Control-Allow-Origin and -Credentials, an ok status, then
// the method against Access-Control-Allow-Methods and each header against
// Access-Control-Allow-Headers. A preflight from an allowed origin that asks
// for a method or header the policy refuses therefore gets an ok answer with
// the origin and the allowed lists, so that the browser's console names the
// refused method or header instead of a vague status error.
func (p *policy) preflight(w http.ResponseWriter, r *http.Request, origins, acrm []string, next http.Handler) {
	h := w.Header()
	vals := make([]string, 7)
	addVary(h, vals[6:7:7], p.varyPreflight)
	if len(origins) != 1 || !p.origins.Contains(origins[0]) {
		p.logDenied(r, origins, "origin not allowed", "")
		p.finish(w, r, next, http.StatusForbidden)
		return
	}
	origin := origins[0]
	allowOrigin := origin
	if p.anyOrigin {
		allowOrigin = "*"
	}
	set(h, "Access-Control-Allow-Origin", vals[0:1:1], allowOrigin)
	if p.credentials {
		set(h, "Access-Control-Allow-Credentials", vals[1:2:2], "true")
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
		set(h, "Access-Control-Allow-Methods", vals[2:3:3], method)
	case p.methodsValue != "":
		set(h, "Access-Control-Allow-Methods", vals[2:3:3], p.methodsValue)
	}
	if !methodOK {
		p.logDenied(r, origins, "method not allowed", p.methodHint(method))
		p.finish(w, r, next, p.status)
		return
	}

	requested := r.Header["Access-Control-Request-Headers"]
	denied, ok := p.checkRequestHeaders(requested)
	switch {
	case p.echoHeaders && ok && len(requested) > 0:
		set(h, "Access-Control-Allow-Headers", vals[3:4:4], joinLines(requested))
	case p.anyHeader && denied != "":
		// The only name `*` refuses is an unlisted Authorization. Chromium
		// (156) still lets `*` cover it, against the Fetch standard, so list the
		// allowed names instead: every browser then refuses Authorization.
		if allowed := p.allowedSubset(requested); allowed != "" {
			set(h, "Access-Control-Allow-Headers", vals[3:4:4], allowed)
		}
	case p.headersValue != "":
		set(h, "Access-Control-Allow-Headers", vals[3:4:4], p.headersValue)
	}
	if !ok {
		reason := "request header not allowed"
		if denied == "" {
			reason = "Access-Control-Request-Headers over the limit of " + limitsText
		}
		p.logDenied(r, origins, reason, denied)
		p.finish(w, r, next, p.status)
		return
	}

	if pna := r.Header["Access-Control-Request-Private-Network"]; len(pna) == 1 && pna[0] == "true" {
		if !p.privateNet {
			p.logDenied(r, origins, "private network access not allowed (AllowPrivateNetwork is false)", "")
			p.finish(w, r, next, p.status)
			return
		}
		set(h, "Access-Control-Allow-Private-Network", vals[5:6:6], "true")
	}
	if p.maxAgeValue != "" {
		set(h, "Access-Control-Max-Age", vals[4:5:5], p.maxAgeValue)
	}
	p.finish(w, r, next, p.status)
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
