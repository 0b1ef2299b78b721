package browser

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// headerValue returns a response header as a browser's HTTP stack sees it:
// each line trimmed of white space, several lines joined with ", ".
func headerValue(h http.Header, name string) (string, bool) {
	vs, ok := h[http.CanonicalHeaderKey(name)]
	if !ok {
		return "", false
	}
	trimmed := make([]string, len(vs))
	for i, v := range vs {
		trimmed[i] = strings.Trim(v, " \t")
	}
	return strings.Join(trimmed, ", "), true
}

// corsCheck runs the CORS check (Fetch, "CORS check") on a response, picking
// Chromium's reason when it fails. origin is the origin the request carried.
func corsCheck(h http.Header, origin string, creds Credentials) (Reason, string) {
	acao, ok := headerValue(h, "Access-Control-Allow-Origin")
	switch {
	case ok && acao == "*":
		if creds == Include {
			return WildcardWithCredentials, ""
		}
		return Allowed, ""
	case !ok:
		return MissingAllowOrigin, ""
	case acao != origin:
		switch {
		case strings.ContainsAny(acao, " ,"):
			return MultipleAllowOrigin, acao
		case acao == "null":
			return AllowOriginMismatch, acao
		case !isValidURL(acao):
			return InvalidAllowOrigin, acao
		}
		return AllowOriginMismatch, acao
	}
	if creds != Include {
		return Allowed, ""
	}
	if acac, _ := headerValue(h, "Access-Control-Allow-Credentials"); acac != "true" {
		return InvalidAllowCredentials, acac
	}
	return Allowed, ""
}

// isValidURL approximates Chromium's GURL validity, which decides between the
// "invalid value" and "not equal" messages: an absolute URL, with a host
// for the schemes that need one.
func isValidURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss", "ftp":
		return u.Host != "" && u.Hostname() != ""
	}
	return true
}

// parseList parses an Access-Control-Allow-Methods or -Headers value as
// Chromium does: comma-separated tokens, white space around them ignored.
func parseList(h http.Header, name string) ([]string, bool) {
	v, ok := headerValue(h, name)
	if !ok {
		return nil, true
	}
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		item = strings.Trim(item, " \t")
		if item == "" {
			continue
		}
		if !headers.IsToken(item) {
			return nil, false
		}
		out = append(out, item)
	}
	return out, true
}

// firstBadToken returns the first item of a comma-separated list that is not
// a token, as the engines quote it: trimmed of white space.
func firstBadToken(list string) string {
	for item := range strings.SplitSeq(list, ",") {
		item = strings.Trim(item, " \t")
		if item != "" && !headers.IsToken(item) {
			return item
		}
	}
	return ""
}
