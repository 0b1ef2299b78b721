package browser

// Engine is one browser engine as the model knows it: the version its
// behaviour was measured on, where it departs from the Fetch logic the
// engines share, and the console lines it logs when it blocks a request.
// Each engine lives in a file of its own (chromium.go, firefox.go,
// safari.go), so that a new version is one file's change.
type Engine struct {
	// Name is how corskit names the engine: chromium, firefox or safari
	// (WebKit, Safari's engine).
	Name string
	// Product is the engine and version the model reproduces, e.g.
	// "Chromium 156".
	Product string
	// MaxAge is the longest Access-Control-Max-Age the engine honours, in
	// seconds; a larger value is capped to it.
	MaxAge int
	// preflightsAfterRedirect: once a request was preflighted, the engine
	// preflights every cross-origin redirect target too, even when the
	// redirect made it a GET without unsafe headers (Firefox, WebKit).
	preflightsAfterRedirect bool
	// preflightKeepsOrigin: a preflight sent after a cross-origin redirect
	// carries the page's origin, where the request itself carries "null"
	// (Firefox). Other engines send "null" in both.
	preflightKeepsOrigin bool
	// preflightRedirectCORSFirst: a redirected preflight's answer goes
	// through the CORS check before the redirect is refused (Firefox).
	preflightRedirectCORSFirst bool
	// methodBeforeHeaderList: the preflight's method is checked before its
	// Access-Control-Allow-Headers is parsed, so a refused method is
	// reported over an unparsable header list (Firefox); Chromium parses
	// both lists first.
	methodBeforeHeaderList bool
	// preflightStatusFirst: a preflight's status is checked before its
	// Access-Control-Allow-Origin (WebKit); Chromium and Firefox check the
	// CORS headers first.
	preflightStatusFirst bool
	// crossOriginRedirectDeleteToGet: a redirect to another origin, whatever
	// its status, turns DELETE into GET (measured in WebKitGTK; PUT, PATCH and
	// other methods keep theirs, as the standard says).
	crossOriginRedirectDeleteToGet bool
	// redirectKeepsAuthorization: Authorization is still sent after a
	// redirect to another origin, where the standard removes it (WebKit).
	redirectKeepsAuthorization bool
	// redirectKeepsContentHeaders: when a redirect turns the request into a
	// GET without body, Content-Type and the other request-body headers are
	// still sent, where the standard removes them (WebKit).
	redirectKeepsContentHeaders bool
	// refusedInHeaderMapOrder: of several request headers the preflight
	// refused, the engine names the first in its header map: the headers
	// it knows by name (webKitHeaderNames in safari.go), spelled its own
	// way, in the order the page set them, then the others as the page
	// wrote them, in the order the page set them (WebKit). Other engines
	// name the first refused header in sorted order, lower-case.
	refusedInHeaderMapOrder bool
	// refusedHeaderAnyOrder: of several refused request headers, the
	// engine may name any (Chromium, in the iteration order of an internal
	// hash table that the model does not reproduce): the verdict's Message
	// names the first in sorted order and its Alternatives the others.
	refusedHeaderAnyOrder bool
	// localNetworkAccess: a page on a public address needs the user's
	// permission to fetch a private or loopback one, and without it the
	// request is never sent (Chromium; a private page fetching loopback is
	// not asked, measured in Chromium 156).
	localNetworkAccess bool
	// loopbackIsTrustworthy: an https page may fetch http://localhost and
	// http://127.0.0.1 (Chromium, Firefox); WebKit blocks them as mixed
	// content.
	loopbackIsTrustworthy bool

	// console returns the lines the engine logs for a blocked request, in
	// order.
	console func(failure) []string
	// badPort returns the lines the engine logs for a fetch to a blocked
	// port, or is nil when it logs none.
	badPort func(port int, url string) []string
	// mixedContent returns the lines the engine logs when an https page
	// fetches an http URL that is not potentially trustworthy.
	mixedContent func(page, url string) []string
}

// Engines returns the engines the model knows, in the order corskit reports
// them: fresh copies, which the caller may change.
func Engines() []*Engine { return []*Engine{Chromium(), Firefox(), Safari()} }

// engines are the package's own engines, never handed out.
var engines = []*Engine{&chromium, &firefox, &safari}

// EngineNamed returns a fresh copy of the engine called name (chromium,
// firefox or safari; "webkit" is Safari's engine), or false.
func EngineNamed(name string) (*Engine, bool) {
	if name == "webkit" {
		name = "safari"
	}
	for _, e := range engines {
		if e.Name == name {
			c := *e
			return &c, true
		}
	}
	return nil, false
}

// Select returns fresh copies of the engines a --browser value names: every
// engine for "all" or "", else the one named; false for an unknown name.
func Select(name string) ([]*Engine, bool) {
	if name == "all" || name == "" {
		return Engines(), true
	}
	e, ok := EngineNamed(name)
	if !ok {
		return nil, false
	}
	return []*Engine{e}, true
}

// failure is what an engine's console wording needs to know about the check
// that blocked a request.
type failure struct {
	// Reason is the failed check.
	Reason Reason
	// Value is the value or name the check refused: the
	// Access-Control-Allow-Origin or -Credentials value, the method, or the
	// refused header's lower-case name; for a network error, "refused" when
	// the connection was refused.
	Value string
	// Header is the refused request header's name as the page wrote it.
	Header string
	// List is the whole Access-Control-Allow-Methods or -Headers value that
	// did not parse, and Token its first bad item.
	List, Token string
	// AllowOrigin holds the response's Access-Control-Allow-Origin lines as
	// sent.
	AllowOrigin []string
	// URL is the URL being fetched when the check failed, and FirstURL the
	// one the page fetched.
	URL, FirstURL string
	// Origin is the page's origin; RequestOrigin is the Origin the request
	// carried ("null" after a cross-origin redirect).
	Origin, RequestOrigin string
	// Status is the failing response's status (0 when none).
	Status int
	// Preflight is true when the check failed on a preflight's answer.
	Preflight bool
	// RedirectTo is set when the failing answer was a redirect: the URL it
	// pointed to.
	RedirectTo string
}
