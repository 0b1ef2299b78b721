package browser

import "fmt"

// Chromium returns Blink's behaviour, measured on Chromium 156: it stands
// for Chrome, Edge, Brave and Opera. Each call returns a fresh copy.
func Chromium() *Engine { e := chromium; return &e }

// chromium is the engine Chromium returns copies of.
var chromium = Engine{
	Name:                  "chromium",
	Product:               "Chromium 156",
	MaxAge:                7200, // services/network/cors/preflight_result.cc
	localNetworkAccess:    true,
	loopbackIsTrustworthy: true,
	refusedHeaderAnyOrder: true,
	console:               chromiumConsole,
	mixedContent:          chromiumMixedContent,
}

// chromiumConsole returns Chromium's one line for a blocked request.
func chromiumConsole(f failure) []string {
	if f.Reason == NetworkError {
		return nil // Chromium logs the network error, not a CORS line
	}
	msg := reasonText(f.Reason, f.Value)
	if f.Preflight && f.Reason != MethodNotAllowed && f.Reason != HeaderNotAllowed && f.Reason != InvalidAllowMethods && f.Reason != InvalidAllowHeaders {
		msg = preflightPrefix + msg
	}
	at := "'" + f.URL + "'"
	if f.URL != f.FirstURL {
		at += " (redirected from '" + f.FirstURL + "')"
	}
	return []string{fmt.Sprintf("Access to fetch at %s from origin '%s' has been blocked by CORS policy: %s", at, f.Origin, msg)}
}

// chromiumMixedContent returns Chromium's line for an https page fetching an
// http URL.
func chromiumMixedContent(page, url string) []string {
	return []string{fmt.Sprintf("Mixed Content: The page at '%s' was loaded over HTTPS, but requested an insecure resource '%s'. This request has been blocked; the content must be served over HTTPS.", page, url)}
}

// preflightPrefix starts the reasons of a failed preflight CORS check.
const preflightPrefix = "Response to preflight request doesn't pass access control check: "

// reasonText returns Chromium's words for a reason; value is the header value
// or name the message quotes.
func reasonText(r Reason, value string) string {
	switch r {
	case MissingAllowOrigin:
		return "No 'Access-Control-Allow-Origin' header is present on the requested resource."
	case AllowOriginMismatch:
		return fmt.Sprintf("The 'Access-Control-Allow-Origin' header has a value '%s' that is not equal to the supplied origin. Have the server send the header with a valid value.", value)
	case MultipleAllowOrigin:
		return fmt.Sprintf("The 'Access-Control-Allow-Origin' header contains multiple values '%s', but only one is allowed. Have the server send the header with a valid value.", value)
	case InvalidAllowOrigin:
		return fmt.Sprintf("The 'Access-Control-Allow-Origin' header contains the invalid value '%s'. Have the server send the header with a valid value.", value)
	case WildcardWithCredentials:
		return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
	case InvalidAllowCredentials:
		return fmt.Sprintf("The value of the 'Access-Control-Allow-Credentials' header in the response is '%s' which must be 'true' when the request's credentials mode is 'include'.", value)
	case PreflightStatus:
		return "It does not have HTTP ok status."
	case PreflightRedirect:
		return "Redirect is not allowed for a preflight request."
	case MethodNotAllowed:
		return fmt.Sprintf("Method %s is not allowed by Access-Control-Allow-Methods in preflight response.", value)
	case HeaderNotAllowed:
		return fmt.Sprintf("Request header field %s is not allowed by Access-Control-Allow-Headers in preflight response.", value)
	case InvalidAllowMethods:
		return "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
	case InvalidAllowHeaders:
		return "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
	case RedirectWithCredentials:
		return fmt.Sprintf("Redirect location '%s' contains a username and password, which is disallowed for cross-origin requests.", value)
	case RedirectScheme:
		return "Cross origin requests are only supported for protocol schemes: chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app."
	}
	return ""
}
