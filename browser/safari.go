package browser

import (
	"fmt"
	"net/url"
	"strings"
)

// Safari returns WebKit's behaviour, measured on WebKitGTK 2.50
// (MiniBrowser): the same WebCore CORS code and console wording as Safari.
// Each call returns a fresh copy.
func Safari() *Engine { e := safari; return &e }

// safari is the engine Safari returns copies of.
var safari = Engine{
	Name:                           "safari",
	Product:                        "Safari (WebKit 2.50)",
	MaxAge:                         600, // Source/WebCore/loader/CrossOriginPreflightResultCache.cpp
	preflightsAfterRedirect:        true,
	preflightStatusFirst:           true,
	crossOriginRedirectDeleteToGet: true,
	redirectKeepsAuthorization:     true,
	redirectKeepsContentHeaders:    true,
	refusedInHeaderMapOrder:        true,
	console:                        safariConsole,
	mixedContent:                   safariMixedContent,
	badPort: func(port int, url string) []string {
		return []string{fmt.Sprintf("Not allowed to use restricted network port %d: %s", port, url)}
	},
}

// webKitHeaderNames maps the lower-case names of the request headers a page
// can set that WebKit knows by name (its HTTPHeaderName enumeration,
// Source/WebCore/platform/network/HTTPHeaderNames.in) to WebKit's spelling.
// WebKit's HTTPHeaderMap keeps these apart from all other headers and visits
// them first, each group in the order the page set them; the preflight's
// headers are checked in that order, and a known name is logged in WebKit's
// spelling. Measured one by one in WebKitGTK 2.50: each of these, set after
// an X- header and refused with it, is the one WebKit names; the other
// names HTTPHeaderNames.in lists are forbidden request headers.
var webKitHeaderNames = func() map[string]string {
	m := map[string]string{}
	for n := range strings.FieldsSeq(`Accept Accept-Language Accept-Ranges
		Access-Control-Allow-Credentials Access-Control-Allow-Headers
		Access-Control-Allow-Methods Access-Control-Allow-Origin
		Access-Control-Expose-Headers Access-Control-Max-Age Age Authorization
		Cache-Control Clear-Site-Data Content-Disposition Content-Encoding
		Content-Language Content-Location Content-Range Content-Security-Policy
		Content-Security-Policy-Report-Only Content-Type
		Cross-Origin-Embedder-Policy Cross-Origin-Embedder-Policy-Report-Only
		Cross-Origin-Opener-Policy Cross-Origin-Opener-Policy-Report-Only
		Cross-Origin-Resource-Policy Default-Style ETag Expires Icy-MetaInt
		Icy-Metadata If-Match If-Modified-Since If-None-Match If-Range
		If-Unmodified-Since Integrity-Policy Integrity-Policy-Report-Only
		Last-Event-ID Last-Modified Link Location Ping-From Ping-To Pragma Range
		Referrer-Policy Refresh Report-To Reporting-Endpoints Server-Timing
		Service-Worker Service-Worker-Allowed Service-Worker-Navigation-Preload
		Set-Cookie2 SourceMap Timing-Allow-Origin Upgrade-Insecure-Requests
		User-Agent Vary X-Content-Type-Options X-Frame-Options X-SourceMap
		X-Temp-Tablet X-XSS-Protection`) {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// safariConsole returns WebKit's two lines for a blocked request: the reason
// (with "Cross-origin redirection to ... denied" before it when the refused
// answer was a redirect), then "Fetch API cannot load".
func safariConsole(f failure) []string {
	if f.Reason == NetworkError {
		// WebKit logs nothing when the request itself gets no answer; for a
		// preflight, it names a refused connection (other errors' words are
		// not measured).
		if f.Preflight && f.Value == "refused" {
			host := f.URL
			if u, err := url.Parse(f.URL); err == nil {
				host = u.Hostname()
			}
			return []string{fmt.Sprintf("Could not connect to %s: Connection refused", host), fmt.Sprintf("Fetch API cannot load %s due to access control checks.", f.URL)}
		}
		return nil
	}
	origin := f.RequestOrigin
	var reason string
	switch f.Reason {
	case MissingAllowOrigin, AllowOriginMismatch, InvalidAllowOrigin:
		reason = fmt.Sprintf("Origin %s is not allowed by Access-Control-Allow-Origin. Status code: %d", origin, f.Status)
	case MultipleAllowOrigin:
		reason = "Access-Control-Allow-Origin cannot contain more than one origin."
	case WildcardWithCredentials:
		reason = "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
	case InvalidAllowCredentials:
		reason = `Credentials flag is true, but Access-Control-Allow-Credentials is not "true".`
	case PreflightStatus, PreflightRedirect:
		reason = fmt.Sprintf("Preflight response is not successful. Status code: %d", f.Status)
	case MethodNotAllowed:
		reason = fmt.Sprintf("Method %s is not allowed by Access-Control-Allow-Methods.", f.Value)
	case HeaderNotAllowed:
		reason = fmt.Sprintf("Request header field %s is not allowed by Access-Control-Allow-Headers.", f.Header)
	case InvalidAllowMethods:
		reason = "Header Access-Control-Allow-Methods has an invalid value: " + f.List
	case InvalidAllowHeaders:
		reason = "Header Access-Control-Allow-Headers has an invalid value: " + f.List
	}
	if f.RedirectTo != "" && !f.Preflight && reason != "" {
		reason = fmt.Sprintf("Cross-origin redirection to %s denied by Cross-Origin Resource Sharing policy: %s", f.RedirectTo, reason)
	}
	last := fmt.Sprintf("Fetch API cannot load %s due to access control checks.", f.URL)
	if reason == "" {
		return []string{last}
	}
	return []string{reason, last}
}

// safariMixedContent returns WebKit's line for an https page fetching an
// http URL.
func safariMixedContent(page, url string) []string {
	first := fmt.Sprintf("[blocked] The page at %s requested insecure content from %s. This content was blocked and must be served over HTTPS.", page, url)
	if _, certain := SpaceOfURL(url); certain {
		// For an IP address or localhost, WebKit cuts the sentence short
		// (measured in WebKitGTK 2.50).
		first = strings.TrimSuffix(first, " be served over HTTPS.")
	}
	return []string{first, "Not allowed to request resource", fmt.Sprintf("Fetch API cannot load %s due to access control checks.", url)}
}
