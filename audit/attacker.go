package audit

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// ProbeCookie is the stand-in cookie credentialed probes carry when
// Options.Ambient has no Cookie: the victim of an attacker's page is
// signed in, so the credentialed fetch the page makes carries the site's
// cookies. Servers that decide on the Cookie header's presence (Starlette's
// CORSMiddleware with allow_origins=["*"] and allow_credentials=True echoes
// the Origin only when a Cookie is sent) are judged as the victim meets
// them.
const ProbeCookie = "corskit_audit=1"

// attackerHeaders returns h, cloned, with what a victim's browser adds to a
// credentialed cross-origin fetch (not to its preflight, which never
// carries credentials): the ambient headers given, a cookie when none is
// given, and, to a potentially trustworthy URL (secure), the fetch metadata
// headers every engine sends with fetch().
func attackerHeaders(h, ambient http.Header, secure bool) http.Header {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	for k, vs := range ambient {
		h[k] = vs
	}
	if h.Get("Cookie") == "" {
		h.Set("Cookie", ProbeCookie)
	}
	if secure {
		for k, v := range map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"} {
			if h.Get(k) == "" {
				h.Set(k, v)
			}
		}
	}
	return h
}

// trustworthy reports whether browsers treat u as potentially trustworthy:
// https, or a loopback host.
func trustworthy(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
