package check

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/headers"
)

// keepLearned widens c to everything the probe saw the server allow, so
// that the fix never drops a method, a header or an origin that works
// today, and says what it keeps and what it adds.
func keepLearned(c *cors.Config, o Options, l *Learned) (keeps, adds string) {
	if l == nil || !l.CORS {
		return "", ""
	}
	before := *c
	before.AllowOrigins = slices.Clone(c.AllowOrigins)
	before.AllowMethods = slices.Clone(c.AllowMethods)
	before.AllowHeaders = slices.Clone(c.AllowHeaders)
	for _, og := range l.Origins {
		c.AllowOrigins = addFold(c.AllowOrigins, og)
	}
	for _, m := range l.Methods {
		if !headers.IsSafelistedMethod(m) {
			c.AllowMethods = addFold(c.AllowMethods, m)
		}
	}
	if l.AnyHeader && !slices.Contains(c.AllowHeaders, "*") {
		c.AllowHeaders = append([]string{"*"}, c.AllowHeaders...)
	}
	for _, h := range l.Headers {
		// With *, only Authorization needs its name (cors.Config). A
		// forbidden name a server lists (Tomcat's CorsFilter allows Origin
		// and Access-Control-Request-* by default) is set by browsers, not
		// pages: cors.Config refuses it, and keeping it would lose the fix.
		if headers.IsForbiddenRequestHeader(h) {
			continue
		}
		if !l.AnyHeader || strings.EqualFold(h, "Authorization") {
			c.AllowHeaders = addFold(c.AllowHeaders, h)
		}
	}
	for _, h := range l.Expose {
		c.ExposeHeaders = addFold(c.ExposeHeaders, h)
	}
	c.AllowCredentials = c.AllowCredentials || l.Credentials
	if l.MaxAge > c.MaxAge && l.MaxAge <= 7200 {
		c.MaxAge = l.MaxAge
	}
	return keepsText(l), addsText(o, l)
}

// keepsText says what the server allows today, which the fix keeps.
func keepsText(l *Learned) string {
	var parts []string
	if len(l.Origins) > 0 {
		parts = append(parts, "origins "+strings.Join(l.Origins, ", "))
	}
	if l.AnyOrigin {
		parts = append(parts, "ANY origin (it allowed "+probeStandIn+", a stand-in; the fix lists origins by name: name the app's others in Options.AlsoOrigins)")
	}
	if len(l.Methods) > 0 {
		parts = append(parts, "methods "+strings.Join(l.Methods, ", "))
	}
	switch {
	case l.AnyHeader:
		parts = append(parts, "any request header (a random one was allowed)")
	case len(l.Headers) > 0:
		parts = append(parts, "headers "+strings.Join(l.Headers, ", "))
	}
	if l.Credentials {
		parts = append(parts, "credentials")
	}
	if len(l.Expose) > 0 {
		parts = append(parts, "exposed headers "+strings.Join(l.Expose, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("what the server allows today, as %d probe requests showed: %s", l.Requests, strings.Join(parts, "; "))
}

// addsText says what the request needs that the server does not allow
// today.
func addsText(o Options, l *Learned) string {
	var parts []string
	for _, og := range append([]string{o.Origin}, o.AlsoOrigins...) {
		if !slices.ContainsFunc(l.Origins, func(x string) bool { return strings.EqualFold(x, og) }) && !l.AnyOrigin {
			parts = append(parts, "origin "+og)
		}
	}
	if m := headers.NormalizeMethod(o.Method); m != "" && !headers.IsSafelistedMethod(m) && !slices.ContainsFunc(l.Methods, func(x string) bool { return strings.EqualFold(x, m) }) {
		parts = append(parts, "method "+m)
	}
	for _, name := range browser.UnsafeHeaderNames(o.Headers) {
		n := http.CanonicalHeaderKey(name)
		if !(l.AnyHeader && n != "Authorization") && !slices.ContainsFunc(l.Headers, func(x string) bool { return strings.EqualFold(x, n) }) {
			parts = append(parts, "header "+n)
		}
	}
	if o.Credentials == browser.Include && !l.Credentials {
		parts = append(parts, "credentials")
	}
	return strings.Join(parts, "; ")
}
