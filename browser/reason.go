package browser

// Reason says why a browser blocked a request. The zero value means allowed.
type Reason string

// The reasons, one per check that fails; the names follow the console
// messages Chromium prints.
const (
	Allowed Reason = ""

	MissingAllowOrigin      Reason = "missing_allow_origin"      // no Access-Control-Allow-Origin
	AllowOriginMismatch     Reason = "allow_origin_mismatch"     // a value other than the origin
	MultipleAllowOrigin     Reason = "multiple_allow_origin"     // several values, or a comma or space
	InvalidAllowOrigin      Reason = "invalid_allow_origin"      // a value that is not a URL
	WildcardWithCredentials Reason = "wildcard_with_credentials" // * on a credentialed request
	InvalidAllowCredentials Reason = "invalid_allow_credentials" // credentialed, without Allow-Credentials: true
	PreflightStatus         Reason = "preflight_status"          // the preflight's status is not 2xx
	PreflightRedirect       Reason = "preflight_redirect"        // the preflight was redirected
	MethodNotAllowed        Reason = "method_not_allowed"        // the method is not in Allow-Methods
	HeaderNotAllowed        Reason = "header_not_allowed"        // a header is not in Allow-Headers
	InvalidAllowMethods     Reason = "invalid_allow_methods"     // Allow-Methods does not parse
	InvalidAllowHeaders     Reason = "invalid_allow_headers"     // Allow-Headers does not parse
	RedirectWithCredentials Reason = "redirect_with_credentials" // a cross-origin Location with user:password
	RedirectScheme          Reason = "redirect_scheme"           // a Location that is not http(s)
	TooManyRedirects        Reason = "too_many_redirects"        // more than 20 redirects
	NetworkError            Reason = "network_error"             // no HTTP answer at all
	BadPort                 Reason = "bad_port"                  // a port browsers never connect to (6000, 6667...)
	MixedContent            Reason = "mixed_content"             // an https page fetching an http URL: blocked before CORS
	LocalNetworkAccess      Reason = "local_network_access"      // a public page fetching a local address, without the user's permission
)

// Explain returns a plain-words explanation of the reason, for people.
func (r Reason) Explain() string {
	switch r {
	case MissingAllowOrigin:
		return "the server's answer has no Access-Control-Allow-Origin header, so the browser does not let the page read it. Often the request reached the wrong server, the CORS middleware is not on this route, or an error page skipped it."
	case AllowOriginMismatch:
		return "Access-Control-Allow-Origin names another origin. The browser compares it byte for byte with the page's origin: scheme, host and port, lower-case, no trailing slash, no path."
	case MultipleAllowOrigin:
		return "Access-Control-Allow-Origin holds several values (two layers each added one, or a list was sent). It must hold exactly one origin, or *."
	case InvalidAllowOrigin:
		return "Access-Control-Allow-Origin is not an origin at all."
	case WildcardWithCredentials:
		return "the request carries credentials (cookies or HTTP auth), and then the browser refuses Access-Control-Allow-Origin: *. The server must name the origin."
	case InvalidAllowCredentials:
		return "the request carries credentials, so the server must also send Access-Control-Allow-Credentials: true (exactly that, lower-case, once)."
	case PreflightStatus:
		return "the preflight (OPTIONS) got an error status. The server, or a framework route or auth layer in front of the CORS handling, does not answer OPTIONS with 2xx."
	case PreflightRedirect:
		return "the preflight (OPTIONS) was redirected; browsers never follow a preflight's redirect. Usually an http->https or trailing-slash redirect: call the final URL directly."
	case MethodNotAllowed:
		return "the preflight's Access-Control-Allow-Methods does not list the request's method. Methods are case-sensitive: only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased by browsers."
	case HeaderNotAllowed:
		return "the preflight's Access-Control-Allow-Headers does not list a header the page sets. Content-Type needs listing when it is not a form or text/plain type (application/json is not)."
	case InvalidAllowMethods, InvalidAllowHeaders:
		return "the preflight's list header does not parse: it must be a comma-separated list of names."
	case RedirectWithCredentials:
		return "a redirect points at a URL with a user name and password, which browsers refuse for cross-origin requests."
	case RedirectScheme:
		return "a redirect points at a URL that is not http or https."
	case TooManyRedirects:
		return "the request was redirected more than 20 times."
	case BadPort:
		return "not a CORS error: the URL's port is on the Fetch standard's list of ports browsers never connect to (mail, X11, IRC and other non-HTTP services: 1, 22, 25, 6000, 6667...), so the request is never sent. Serve the API on another port (8080, 3001...)."
	case MixedContent:
		return "not a CORS error: the page was loaded over https and fetches an http URL, which every browser blocks before it sends anything (mixed content). Serve the API over https (a certificate for its host; for local development, a tool such as mkcert), or load the page over http in development. Chromium and Firefox let an https page fetch http://localhost and http://127.0.0.1; Safari does not."
	case LocalNetworkAccess:
		return "Chromium's Local Network Access: a page on a public address fetches an address on the local network or this machine, which needs the user's permission (Chromium asks with a prompt); headless, or when the user refused, the request is never sent. The server's CORS headers cannot change this: the user grants the permission (site settings, Local network access), an enterprise policy allows the page (LocalNetworkAccessAllowedForUrls), or the page and API live in the same address space (serve the API on a public address, or develop with the page on localhost too, e.g. corskit dev)."
	case NetworkError:
		return "the server could not be reached at all (connection refused, DNS, TLS, timeout). This is not a CORS error, though the page sees the same 'TypeError: Failed to fetch'."
	}
	return ""
}
