package browser

import "fmt"

// Firefox returns Gecko's behaviour, measured on Firefox ESR 153. Each call
// returns a fresh copy.
func Firefox() *Engine { e := firefox; return &e }

// firefox is the engine Firefox returns copies of.
var firefox = Engine{
	Name:                       "firefox",
	Product:                    "Firefox 153",
	MaxAge:                     86400, // netwerk/protocol/http/nsCORSListenerProxy.cpp
	preflightsAfterRedirect:    true,
	preflightKeepsOrigin:       true,
	preflightRedirectCORSFirst: true,
	methodBeforeHeaderList:     true,
	loopbackIsTrustworthy:      true,
	console:                    firefoxConsole,
	mixedContent:               firefoxMixedContent,
}

// firefoxConsole returns Firefox's lines for a blocked request: the reason,
// then, when the failure cancelled a preflight or a redirect, a second line
// saying the request did not succeed. Firefox quotes with U+2018 and U+2019.
func firefoxConsole(f failure) []string {
	at := f.URL
	status := ""
	var reason string
	switch f.Reason {
	case MissingAllowOrigin:
		reason = "CORS header ‘Access-Control-Allow-Origin’ missing"
		status = fmt.Sprintf(" Status code: %d.", f.Status)
	case WildcardWithCredentials:
		reason = "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’"
		at = "‘" + f.URL + "’"
	case AllowOriginMismatch, MultipleAllowOrigin, InvalidAllowOrigin:
		if len(f.AllowOrigin) > 1 {
			reason = "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed"
		} else {
			reason = fmt.Sprintf("CORS header ‘Access-Control-Allow-Origin’ does not match ‘%s’", f.Value)
		}
	case InvalidAllowCredentials:
		reason = "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’"
	case PreflightStatus:
		reason = "CORS preflight response did not succeed"
		status = fmt.Sprintf(" Status code: %d.", f.Status)
	case PreflightRedirect:
		return []string{
			firefoxLine(at, "CORS request external redirect not allowed", ""),
			firefoxLine(at, "CORS preflight response did not succeed", fmt.Sprintf(" Status code: %d.", f.Status)),
			firefoxLine(f.URL, "CORS request did not succeed", " Status code: (null)."),
		}
	case MethodNotAllowed:
		reason = "Did not find method in CORS header ‘Access-Control-Allow-Methods’"
	case HeaderNotAllowed:
		reason = fmt.Sprintf("header ‘%s’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response", f.Value)
	case InvalidAllowMethods:
		reason = fmt.Sprintf("invalid token ‘%s’ in CORS header ‘Access-Control-Allow-Methods’", f.Token)
	case InvalidAllowHeaders:
		reason = fmt.Sprintf("invalid token ‘%s’ in CORS header ‘Access-Control-Allow-Headers’", f.Token)
	default:
		reason = "CORS request did not succeed"
		status = " Status code: (null)."
	}
	lines := []string{firefoxLine(at, reason, status)}
	failed := firefoxLine(f.URL, "CORS request did not succeed", " Status code: (null).")
	if f.Preflight || f.RedirectTo != "" {
		lines = append(lines, failed)
	}
	if f.Preflight && f.RedirectTo != "" {
		// Both the redirect and the preflight fail.
		lines = append(lines, failed)
	}
	return lines
}

func firefoxLine(at, reason, status string) string {
	return "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + at + ". (Reason: " + reason + ")." + status
}

// firefoxMixedContent returns Firefox's line for an https page fetching an
// http URL.
func firefoxMixedContent(page, url string) []string {
	return []string{fmt.Sprintf("Blocked loading mixed active content “%s”", url)}
}
