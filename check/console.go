package check

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/corskit/corskit/browser"
)

// Evidence is what a console line copied from a browser says about a failed
// fetch: which engine wrote it, the URL, the page's origin and the method
// where the engine names them, and the check that failed.
type Evidence struct {
	// Engine is chromium, firefox or safari.
	Engine string `json:"engine"`
	// URL is the URL being fetched when the check failed; FirstURL the one
	// the page fetched, when the engine names both (a redirect).
	URL      string `json:"url"`
	FirstURL string `json:"first_url,omitempty"`
	// Origin is the page's origin, when the text names it (Chromium always,
	// Safari in its Access-Control-Allow-Origin line, Firefox never).
	Origin string `json:"origin,omitempty"`
	// Method is the request's method, when the text names it.
	Method string `json:"method,omitempty"`
	// Reason is the failed check. Firefox's "does not match" covers
	// Chromium's mismatch, invalid and list reasons: it reads as
	// AllowOriginMismatch.
	Reason browser.Reason `json:"reason"`
	// Preflight is true when the text says the preflight failed.
	Preflight bool `json:"preflight"`
	// Header is the request header the preflight refused, when named.
	Header string `json:"header,omitempty"`
	// Status is the failing answer's status, when named.
	Status int `json:"status,omitempty"`
}

var (
	chromiumLine = regexp.MustCompile(`Access to fetch at '([^']+)'(?: \(redirected from '([^']+)'\))? from origin '([^']+)' has been blocked by CORS policy: (.*)`)
	firefoxLine  = regexp.MustCompile(`Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘?([^ ‘’]+?)’?\. \(Reason: (.*?)\)\.(?: Status code: (\d+|\(null\))\.)?`)
	safariLoad   = regexp.MustCompile(`Fetch API cannot load (\S+) due to access control checks\.`)
	statusCode   = regexp.MustCompile(`Status code: (\d+)`)
)

// chromiumReasons and the others map each engine's words to the checks,
// tried in order; $1 is the value or name the words quote.
var (
	chromiumReasons = []struct {
		re     *regexp.Regexp
		reason browser.Reason
	}{
		{regexp.MustCompile(`^No 'Access-Control-Allow-Origin' header is present`), browser.MissingAllowOrigin},
		{regexp.MustCompile(`^The 'Access-Control-Allow-Origin' header has a value '(.*)' that is not equal`), browser.AllowOriginMismatch},
		{regexp.MustCompile(`^The 'Access-Control-Allow-Origin' header contains multiple values '(.*)'`), browser.MultipleAllowOrigin},
		{regexp.MustCompile(`^The 'Access-Control-Allow-Origin' header contains the invalid value '(.*)'`), browser.InvalidAllowOrigin},
		{regexp.MustCompile(`^The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard`), browser.WildcardWithCredentials},
		{regexp.MustCompile(`^The value of the 'Access-Control-Allow-Credentials' header in the response is '(.*)'`), browser.InvalidAllowCredentials},
		{regexp.MustCompile(`^It does not have HTTP ok status`), browser.PreflightStatus},
		{regexp.MustCompile(`^Redirect is not allowed for a preflight request`), browser.PreflightRedirect},
		{regexp.MustCompile(`^Method (\S+) is not allowed by Access-Control-Allow-Methods`), browser.MethodNotAllowed},
		{regexp.MustCompile(`^Request header field (\S+) is not allowed by Access-Control-Allow-Headers`), browser.HeaderNotAllowed},
		{regexp.MustCompile(`^Cannot parse Access-Control-Allow-Methods`), browser.InvalidAllowMethods},
		{regexp.MustCompile(`^Cannot parse Access-Control-Allow-Headers`), browser.InvalidAllowHeaders},
		{regexp.MustCompile(`^Redirect location '(.*)' contains a username and password`), browser.RedirectWithCredentials},
		{regexp.MustCompile(`^Cross origin requests are only supported for protocol schemes`), browser.RedirectScheme},
		{regexp.MustCompile("^Permission was denied for this request to access the `"), browser.LocalNetworkAccess},
	}
	firefoxReasons = []struct {
		re     *regexp.Regexp
		reason browser.Reason
	}{
		{regexp.MustCompile(`^CORS header ‘Access-Control-Allow-Origin’ missing`), browser.MissingAllowOrigin},
		{regexp.MustCompile(`^CORS header ‘Access-Control-Allow-Origin’ does not match ‘(.*)’`), browser.AllowOriginMismatch},
		{regexp.MustCompile(`^Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed`), browser.MultipleAllowOrigin},
		{regexp.MustCompile(`^Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘\*’`), browser.WildcardWithCredentials},
		{regexp.MustCompile(`^expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’`), browser.InvalidAllowCredentials},
		{regexp.MustCompile(`^CORS request external redirect not allowed`), browser.PreflightRedirect},
		{regexp.MustCompile(`^CORS preflight response did not succeed`), browser.PreflightStatus},
		{regexp.MustCompile(`^Did not find method in CORS header ‘Access-Control-Allow-Methods’`), browser.MethodNotAllowed},
		{regexp.MustCompile(`^header ‘(.*)’ is not allowed according to header ‘Access-Control-Allow-Headers’`), browser.HeaderNotAllowed},
		{regexp.MustCompile(`^invalid token ‘.*’ in CORS header ‘Access-Control-Allow-Methods’`), browser.InvalidAllowMethods},
		{regexp.MustCompile(`^invalid token ‘.*’ in CORS header ‘Access-Control-Allow-Headers’`), browser.InvalidAllowHeaders},
		{regexp.MustCompile(`^CORS request did not succeed`), browser.NetworkError},
	}
	safariReasons = []struct {
		re     *regexp.Regexp
		reason browser.Reason
	}{
		{regexp.MustCompile(`^(?:Cross-origin redirection to \S+ denied by Cross-Origin Resource Sharing policy: )?Origin (\S+) is not allowed by Access-Control-Allow-Origin`), browser.AllowOriginMismatch},
		{regexp.MustCompile(`Access-Control-Allow-Origin cannot contain more than one origin`), browser.MultipleAllowOrigin},
		{regexp.MustCompile(`Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true`), browser.WildcardWithCredentials},
		{regexp.MustCompile(`Credentials flag is true, but Access-Control-Allow-Credentials is not "true"`), browser.InvalidAllowCredentials},
		{regexp.MustCompile(`^Preflight response is not successful`), browser.PreflightStatus},
		{regexp.MustCompile(`^Method (\S+) is not allowed by Access-Control-Allow-Methods`), browser.MethodNotAllowed},
		{regexp.MustCompile(`^Request header field (\S+) is not allowed by Access-Control-Allow-Headers`), browser.HeaderNotAllowed},
		{regexp.MustCompile(`^Header Access-Control-Allow-Methods has an invalid value`), browser.InvalidAllowMethods},
		{regexp.MustCompile(`^Header Access-Control-Allow-Headers has an invalid value`), browser.InvalidAllowHeaders},
		{regexp.MustCompile(`^Not allowed to use restricted network port (\d+)`), browser.BadPort},
		{regexp.MustCompile(`^Could not connect to `), browser.NetworkError},
	}
)

// NotCORSError is returned by ParseConsole for a text that shows a failure
// other than a CORS check: mixed content, Local Network Access, a blocked
// port, a network error, a Content Security Policy.
type NotCORSError struct {
	// Kind is mixed_content, local_network_access, bad_port, network_error
	// or content_security_policy.
	Kind string
	// URL is the URL the text names, when it names one.
	URL string
	// Explain says what it is and what to do.
	Explain string
}

func (e *NotCORSError) Error() string { return e.Explain }

// ParseConsole reads console text copied from Chromium, Firefox or Safari
// (one line or several, with or without the browser's own prefixes) and
// returns what it says. Text that shows another failure than a CORS check
// gets a *NotCORSError naming it; text it cannot read gets an error that
// shows the forms it reads.
func ParseConsole(text string) (Evidence, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r", ""))
	if text == "" {
		return Evidence{}, fmt.Errorf("--from-error: the text is empty; paste the console line that says \"blocked by CORS policy\" (Chromium), \"Cross-Origin Request Blocked\" (Firefox) or \"due to access control checks\" (Safari)")
	}
	if m := chromiumLine.FindStringSubmatch(text); m != nil {
		return parseChromium(m)
	}
	if m := firefoxLine.FindStringSubmatch(text); m != nil {
		return parseFirefox(text, m)
	}
	if m := safariLoad.FindStringSubmatch(text); m != nil {
		return parseSafari(text, m)
	}
	return Evidence{}, notCORS(text)
}

// parseChromium reads Chromium's console line, matched by chromiumLine as m:
// the URL, the first URL of a redirect chain, the origin, and the words that
// name the failed check.
func parseChromium(m []string) (Evidence, error) {
	e := Evidence{Engine: "chromium", URL: m[1], FirstURL: m[2], Origin: m[3]}
	rest := m[4]
	if after, ok := strings.CutPrefix(rest, "Response to preflight request doesn't pass access control check: "); ok {
		e.Preflight, rest = true, after
	}
	for _, r := range chromiumReasons {
		if v := r.re.FindStringSubmatch(rest); v != nil {
			e.Reason = r.reason
			switch r.reason {
			case browser.MethodNotAllowed:
				e.Method, e.Preflight = v[1], true
			case browser.HeaderNotAllowed:
				e.Header, e.Preflight = v[1], true
			case browser.PreflightStatus, browser.PreflightRedirect, browser.InvalidAllowMethods, browser.InvalidAllowHeaders:
				e.Preflight = true
			case browser.LocalNetworkAccess:
				return e, &NotCORSError{Kind: "local_network_access", URL: e.URL, Explain: browser.LocalNetworkAccess.Explain()}
			}
			return e, nil
		}
	}
	return e, fmt.Errorf("--from-error: Chromium's line names %s from %s, but corskit does not know the words %q; please report them", e.URL, e.Origin, rest)
}

// parseFirefox reads Firefox's console lines, the first matched by
// firefoxLine as m; text holds them all, since Firefox may log more than one.
func parseFirefox(text string, m []string) (Evidence, error) {
	e := Evidence{Engine: "firefox", URL: m[1]}
	if m[3] != "" && m[3] != "(null)" {
		e.Status, _ = strconv.Atoi(m[3])
	}
	// Firefox may log a second line, "CORS request did not succeed",
	// after the one that names the check: read the first that names one.
	for _, line := range firefoxLine.FindAllStringSubmatch(text, -1) {
		for _, r := range firefoxReasons {
			v := r.re.FindStringSubmatch(line[2])
			if v == nil {
				continue
			}
			if r.reason == browser.NetworkError && e.Reason != "" {
				e.Preflight = true // the failure cancelled a preflight or a redirect
				break
			}
			if e.Reason == "" {
				e.Reason, e.URL = r.reason, line[1]
				if line[3] != "" && line[3] != "(null)" {
					e.Status, _ = strconv.Atoi(line[3])
				}
				switch r.reason {
				case browser.HeaderNotAllowed:
					e.Header, e.Preflight = v[1], true
				case browser.MethodNotAllowed, browser.PreflightStatus, browser.PreflightRedirect, browser.InvalidAllowMethods, browser.InvalidAllowHeaders:
					e.Preflight = true
				}
			}
			break
		}
	}
	switch e.Reason {
	case "":
		return e, fmt.Errorf("--from-error: Firefox's line names %s, but corskit does not know its reason %q; please report it", e.URL, m[2])
	case browser.NetworkError:
		return e, &NotCORSError{Kind: "network_error", URL: e.URL, Explain: "Firefox says the CORS request did not succeed, and names no CORS check: the request got no answer at all (refused connection, DNS, TLS, timeout). " + browser.NetworkError.Explain()}
	}
	return e, nil
}

// parseSafari reads Safari's (or MiniBrowser's) console text, whose load
// line safariLoad matched as m; the failed check is on a line of its own.
func parseSafari(text string, m []string) (Evidence, error) {
	e := Evidence{Engine: "safari", URL: m[1]}
	if s := statusCode.FindStringSubmatch(text); s != nil {
		e.Status, _ = strconv.Atoi(s[1])
	}
	for _, line := range strings.Split(text, "\n") {
		line = consoleMessage(line)
		for _, r := range safariReasons {
			v := r.re.FindStringSubmatch(line)
			if v == nil {
				continue
			}
			e.Reason = r.reason
			switch r.reason {
			case browser.AllowOriginMismatch:
				e.Origin = v[1]
			case browser.MethodNotAllowed:
				e.Method, e.Preflight = v[1], true
			case browser.HeaderNotAllowed:
				e.Header, e.Preflight = v[1], true
			case browser.PreflightStatus, browser.InvalidAllowMethods, browser.InvalidAllowHeaders:
				e.Preflight = true
			case browser.NetworkError:
				return e, &NotCORSError{Kind: "network_error", URL: e.URL, Explain: "Safari could not connect to the server: " + browser.NetworkError.Explain()}
			}
			return e, nil
		}
		if strings.HasPrefix(line, "[blocked] The page at ") {
			return e, &NotCORSError{Kind: "mixed_content", URL: e.URL, Explain: browser.MixedContent.Explain()}
		}
	}
	// Safari's second line alone: the check is on the line before it.
	return e, fmt.Errorf("--from-error: Safari's line names %s but not the check that failed; paste the line above it too (e.g. \"Origin ... is not allowed by Access-Control-Allow-Origin\"), or run corskit check %s --origin ORIGIN", e.URL, e.URL)
}

// consoleMessage strips what a console adds before a message: Safari's
// "[Error] ", MiniBrowser's "CONSOLE SECURITY ERROR ".
func consoleMessage(line string) string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "[Error] ")
	if i := strings.Index(line, "CONSOLE "); i >= 0 {
		rest := line[i+len("CONSOLE "):]
		for range 2 {
			word, after, ok := strings.Cut(rest, " ")
			if !ok {
				break
			}
			if word == "ERROR" || word == "LOG" || word == "WARN" {
				return after
			}
			rest = after
		}
	}
	return line
}

var (
	mixedChromium = regexp.MustCompile(`Mixed Content: The page at '[^']+' was loaded over HTTPS, but requested an insecure resource '([^']+)'`)
	mixedFirefox  = regexp.MustCompile(`Blocked loading mixed active content “([^”]+)”`)
	mixedSafari   = regexp.MustCompile(`\[blocked\] The page at \S+ requested insecure content from (\S+?)\.`)
	badPortSafari = regexp.MustCompile(`Not allowed to use restricted network port \d+: (\S+)`)
	netError      = regexp.MustCompile(`net::(ERR_[A-Z_]+)`)
	cspLine       = regexp.MustCompile(`(?i)content security policy|connect-src`)
	// opaque is a Response logged with console.log: Chromium writes
	// type: 'opaque', Firefox and Safari type: "opaque".
	opaque = regexp.MustCompile(`type:\s*["']opaque["']`)
)

// notCORS names what a text that is no CORS failure shows.
func notCORS(text string) error {
	switch {
	case mixedChromium.MatchString(text) || mixedFirefox.MatchString(text) || mixedSafari.MatchString(text):
		u := ""
		for _, re := range []*regexp.Regexp{mixedChromium, mixedFirefox, mixedSafari} {
			if m := re.FindStringSubmatch(text); m != nil {
				u = m[1]
			}
		}
		return &NotCORSError{Kind: "mixed_content", URL: u, Explain: browser.MixedContent.Explain()}
	case badPortSafari.MatchString(text) || strings.Contains(text, "net::ERR_UNSAFE_PORT"):
		u := ""
		if m := badPortSafari.FindStringSubmatch(text); m != nil {
			u = m[1]
		}
		return &NotCORSError{Kind: "bad_port", URL: u, Explain: browser.BadPort.Explain()}
	case cspLine.MatchString(text):
		return &NotCORSError{Kind: "content_security_policy", Explain: "not a CORS error: the page's own Content Security Policy (its connect-src directive) forbids fetching this URL, and the browser refused before sending anything. The API's CORS headers cannot change this: add the API's origin to connect-src in the page's Content-Security-Policy header or <meta> tag."}
	case opaque.MatchString(text):
		return &NotCORSError{Kind: "opaque_response", Explain: "not a CORS error: this is an opaque response, what fetch() returns with mode: 'no-cors'. The request was sent, but the page can read nothing of the answer (status 0, no headers, no body), whatever the server sends: no-cors never makes a cross-origin answer readable. Remove mode: 'no-cors' and fix the server's CORS headers: corskit check URL --origin ORIGIN says how."}
	case netError.MatchString(text) && !strings.Contains(text, "net::ERR_FAILED"):
		return &NotCORSError{Kind: "network_error", Explain: fmt.Sprintf("not a CORS error: %s means the request got no answer. %s", netError.FindString(text), browser.NetworkError.Explain())}
	case strings.Contains(text, "Failed to fetch") || strings.Contains(text, "NetworkError when attempting to fetch resource") || strings.Contains(text, "Load failed"):
		return fmt.Errorf("--from-error: %q is the error fetch() throws, the same for every failure; the console line above it names the cause (Chromium: \"... blocked by CORS policy: ...\", Firefox: \"Cross-Origin Request Blocked ...\", Safari: \"... due to access control checks\"): paste that line", strings.TrimSpace(text))
	}
	return fmt.Errorf("--from-error: corskit cannot read %q as a browser's console line; paste the line that says \"blocked by CORS policy\" (Chromium), \"Cross-Origin Request Blocked\" (Firefox) or \"due to access control checks\" (Safari), with the line before it for Safari", clip(text, 200))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
