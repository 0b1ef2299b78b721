package browser

import (
	"net/http"
	"slices"
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// readable returns the lower-case names of the response headers a page can
// read (Fetch, "CORS-filtered response"): the safelisted ones and those
// Access-Control-Expose-Headers names; `*` names them all unless the request
// carried credentials. Set-Cookie is never readable.
func readable(h http.Header, creds Credentials, crossOrigin bool) []string {
	exposed := map[string]bool{}
	all := !crossOrigin
	if list, ok := parseList(h, "Access-Control-Expose-Headers"); ok {
		for _, n := range list {
			if n == "*" && creds != Include {
				all = true
			}
			exposed[strings.ToLower(n)] = true
		}
	}
	var out []string
	for k := range h {
		n := strings.ToLower(k)
		if headers.IsForbiddenResponseHeader(n) {
			continue
		}
		if all || exposed[n] || headers.IsSafelistedResponseHeader(n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
