package browser

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Warning is a risk the browser does not block on.
type Warning struct {
	// Code names the risk, e.g. "vary_origin_missing".
	Code string `json:"code"`
	// Message explains it and says what to change.
	Message string `json:"message"`
}

// The warning codes.
const (
	WarnVaryMissing       = "vary_origin_missing"
	WarnNoMaxAge          = "max_age_missing"
	WarnMaxAgeCapped      = "max_age_capped"
	WarnWildcardAuth      = "wildcard_covers_authorization"
	WarnHeaderNotReadable = "header_not_readable"
	WarnMixedContent      = "mixed_content"
	WarnLocalNetwork      = "local_network_access"
)

// blockedWarnings looks at the answer that got a request blocked: the risks
// it carries do not wait for the block to be fixed (a Max-Age beyond the
// engines' caps; the request's own origin named without Vary: Origin, as a
// server that echoes it does).
func blockedWarnings(h http.Header, preflight bool, origin string) []Warning {
	var out []Warning
	if preflight {
		if maxAge, ok := headerValue(h, "Access-Control-Max-Age"); ok {
			if n, err := strconv.Atoi(maxAge); err == nil {
				if capped := maxAgeCaps(n); capped != "" {
					out = append(out, Warning{WarnMaxAgeCapped, fmt.Sprintf("Access-Control-Max-Age: %d is more than %s; 600 is the longest every engine honours", n, capped)})
				}
			}
		}
	}
	if acao, _ := headerValue(h, "Access-Control-Allow-Origin"); acao == origin && !varies(h, "origin") {
		out = append(out, Warning{WarnVaryMissing, fmt.Sprintf("the answer names an origin in Access-Control-Allow-Origin (%s) but has no Vary: Origin, so a shared cache or CDN can serve it to another origin; add Vary: Origin to every response whose CORS headers depend on the origin", acao)})
	}
	return out
}

// preflightWarnings looks at a preflight answer that passed.
func preflightWarnings(h http.Header, r Request) []Warning {
	var out []Warning
	maxAge, ok := headerValue(h, "Access-Control-Max-Age")
	n, err := strconv.Atoi(maxAge)
	switch {
	case !ok:
		out = append(out, Warning{WarnNoMaxAge, "the preflight has no Access-Control-Max-Age, so browsers cache it for 5 seconds and send a preflight before nearly every such request; send e.g. Access-Control-Max-Age: 600"})
	case err == nil:
		if capped := maxAgeCaps(n); capped != "" {
			out = append(out, Warning{WarnMaxAgeCapped, fmt.Sprintf("Access-Control-Max-Age: %d is more than %s; 600 is the longest every engine honours", n, capped)})
		}
	}
	if r.Credentials != Include && slices.Contains(UnsafeHeaderNames(r.Headers), "authorization") {
		names, _ := parseList(h, "Access-Control-Allow-Headers")
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, "authorization") }) {
			out = append(out, Warning{WarnWildcardAuth, "Authorization passed only through Access-Control-Allow-Headers: *. The Fetch standard says * never covers Authorization; Chromium, Firefox and Safari still allow it (Chromium with a deprecation warning), but that may end: list Authorization by name"})
		}
	}
	return out
}

// responseWarnings looks at the final answer of an allowed request.
func responseWarnings(h http.Header, r Request, crossOrigin bool) []Warning {
	if !crossOrigin {
		return nil
	}
	var out []Warning
	if acao, _ := headerValue(h, "Access-Control-Allow-Origin"); acao != "*" && !varies(h, "origin") {
		out = append(out, Warning{WarnVaryMissing, fmt.Sprintf("Access-Control-Allow-Origin names this origin (%s) but the response has no Vary: Origin, so a shared cache or CDN can serve this answer to another origin, which the browser then blocks; add Vary: Origin to every response whose CORS headers depend on the origin", acao)})
	}
	readableNames := readable(h, r.Credentials, crossOrigin)
	for _, want := range r.Read {
		if !slices.Contains(readableNames, strings.ToLower(want)) {
			msg := fmt.Sprintf("the page cannot read the response header %s", want)
			if h.Get(want) == "" {
				msg += ": the response does not have it"
			} else {
				msg += fmt.Sprintf(": list it in Access-Control-Expose-Headers (Access-Control-Expose-Headers: %s)", want)
			}
			out = append(out, Warning{WarnHeaderNotReadable, msg})
		}
	}
	return out
}

// varies reports whether the Vary header lists name or *.
func varies(h http.Header, name string) bool {
	v, _ := headerValue(h, "Vary")
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "*" || strings.EqualFold(item, name) {
			return true
		}
	}
	return false
}

// maxAgeCaps names the engines that cap a preflight cache time of n
// seconds, with their caps: "Chromium 156 honours (7200 s) and Safari ...".
func maxAgeCaps(n int) string {
	var capped []string
	for _, e := range engines {
		if n > e.MaxAge {
			capped = append(capped, fmt.Sprintf("%s honours (it caches the preflight for %d s)", e.Product, e.MaxAge))
		}
	}
	switch len(capped) {
	case 0:
		return ""
	case 1:
		return capped[0]
	}
	return strings.Join(capped[:len(capped)-1], ", ") + " and " + capped[len(capped)-1]
}
