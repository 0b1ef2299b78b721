package check

import (
	"errors"
	"fmt"
	"github.com/corskit/corskit/gen"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors/unstable/headers"
)

// Mistake is a common CORS mistake the verdict points to.
type Mistake struct {
	// Name is the mistake's short name, e.g. "origin typo".
	Name string `json:"name"`
	// Detail says what exactly was wrong here.
	Detail string `json:"detail"`
}

// explain names the problem that blocked v and its cause, read from the
// refused answer's status, headers and body, and from the answers before it.
// original gives the server's own answer to a request, before the doctor
// pretended earlier problems fixed.
func explain(req browser.Request, v browser.Verdict, original func(browser.Outgoing) browser.Incoming) Mistake {
	last := lastResponse(v)
	acao := ""
	if last != nil {
		acao = last.Response.Header.Get("Access-Control-Allow-Origin")
	}
	switch v.Reason {
	case browser.AllowOriginMismatch:
		if d := originTypo(acao, req.Origin); d != "" {
			return Mistake{"origin typo", d}
		}
		return Mistake{"wrong origin allowed", fmt.Sprintf("the server allows %q, but the page's origin is %q; add the page's origin to the allowlist", acao, req.Origin)}
	case browser.MultipleAllowOrigin:
		return Mistake{"header added twice", "two layers (e.g. the app and a proxy in front of it) each add Access-Control-Allow-Origin, or the server sends a list; keep exactly one, and remove the upstream's copy at the proxy (nginx: proxy_hide_header)"}
	case browser.InvalidAllowOrigin:
		return Mistake{"invalid origin value", fmt.Sprintf("Access-Control-Allow-Origin is %q, which is not an origin; send the page's origin, %s, exactly", acao, req.Origin)}
	case browser.WildcardWithCredentials:
		// A stack whose answer shows where the * comes from (NestJS's
		// enableCors() defaults, Next.js's next.config.js headers())
		// names that cause.
		if m, ok := stackCause(last); ok {
			return m
		}
		return Mistake{"wildcard with credentials", "Access-Control-Allow-Origin: * cannot be used when the page sends credentials; echo the page's origin from an allowlist instead, and send Access-Control-Allow-Credentials: true"}
	case browser.InvalidAllowCredentials:
		return Mistake{"credentials not allowed", "the page uses credentials: 'include' but the server does not send Access-Control-Allow-Credentials: true"}
	case browser.PreflightStatus:
		return preflightStatus(last, original)
	case browser.PreflightRedirect:
		loc := ""
		if last != nil {
			loc = last.Response.Header.Get("Location")
		}
		return Mistake{"redirected preflight", fmt.Sprintf("the preflight was redirected to %q; call the final URL directly (check http vs https and the trailing slash)", loc)}
	case browser.MissingAllowOrigin:
		return missingAllowOrigin(req, v, last, original)
	case browser.MethodNotAllowed, browser.InvalidAllowMethods:
		return methodNotAllowed(req, last)
	case browser.HeaderNotAllowed, browser.InvalidAllowHeaders:
		return headerNotAllowed(req, v, last)
	case browser.NetworkError:
		if errors.Is(v.Err, ErrNotRecorded) {
			return Mistake{"not recorded", "the HAR holds no answer for this request (an entry with status 0 or -1, which the browser blocked or the recording tool did not keep, or a preflight the tool does not save), so what failed is not in the file: check the request against the server itself"}
		}
		if isTimeout(v.Err) {
			return Mistake{"timeout", fmt.Sprintf("the server did not answer in time (%v): it is slow, or the address drops packets (a firewall); the browser gives up later and shows 'TypeError: Failed to fetch', but no CORS header can fix it: check that the server answers (curl -v), or raise Options.Timeout", v.Err)}
		}
		return Mistake{"not a CORS error", fmt.Sprintf("the server could not be reached (%v); the browser shows this as 'TypeError: Failed to fetch' too, but no CORS header can fix it: check that the server runs and the URL is right", v.Err)}
	case browser.MixedContent:
		return Mistake{"mixed content", "an https page cannot fetch an http URL (except a potentially trustworthy one, such as http://localhost in Chromium and Firefox); serve the API over https"}
	case browser.LocalNetworkAccess:
		return Mistake{"local network access", "a public page is fetching a private or loopback address: Chromium asks the user for permission first; this is not a header problem"}
	case browser.BadPort:
		return Mistake{"blocked port", "browsers never connect to this port; serve the API on another one"}
	}
	return Mistake{string(v.Reason), v.Message}
}

// methodNotAllowed explains a preflight whose answer does not allow the
// method.
func methodNotAllowed(req browser.Request, last *browser.Exchange) Mistake {
	if m := req.Method; m != strings.ToUpper(m) {
		return Mistake{"method case", fmt.Sprintf("fetch() sends %q as written (only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased); write %q in the page, or list %q on the server", m, strings.ToUpper(m), m)}
	}
	listed := ""
	if last != nil {
		listed = strings.Join(last.Response.Header.Values("Access-Control-Allow-Methods"), ", ")
	}
	m := headers.NormalizeMethod(req.Method)
	if listed == "" {
		return Mistake{"method not allowed", fmt.Sprintf("the preflight asked for %s and the answer has no Access-Control-Allow-Methods; list %s there", m, m)}
	}
	return Mistake{"method not allowed", fmt.Sprintf("the preflight asked for %s and Access-Control-Allow-Methods is %q; add %s to the server's allowed methods, keeping the ones it lists", m, listed, m)}
}

// headerNotAllowed explains a preflight whose answer does not allow a header
// the page sets.
func headerNotAllowed(req browser.Request, v browser.Verdict, last *browser.Exchange) Mistake {
	for _, h := range req.Headers {
		if strings.EqualFold(h.Name, "content-type") && slices.Contains(v.Refused, "content-type") {
			return Mistake{"JSON content type", fmt.Sprintf("Content-Type: %s is not one of the three types a form can send, so it needs a preflight and must be listed in Access-Control-Allow-Headers", h.Value)}
		}
	}
	listed := ""
	if last != nil {
		listed = strings.Join(last.Response.Header.Values("Access-Control-Allow-Headers"), ", ")
	}
	refused := strings.Join(v.Refused, ", ")
	if listed == "" {
		return Mistake{"header not allowed", fmt.Sprintf("the preflight asked for %s and the answer has no Access-Control-Allow-Headers; list %s there", refused, refused)}
	}
	return Mistake{"header not allowed", fmt.Sprintf("the preflight asked for %s and Access-Control-Allow-Headers is %q; add %s to the server's allowed headers, keeping the ones it lists", refused, listed, refused)}
}

// preflightStatus explains a preflight refused for its status.
func preflightStatus(last *browser.Exchange, original func(browser.Outgoing) browser.Incoming) Mistake {
	status := 0
	if last != nil {
		status = last.Response.Status
	}
	if m, ok := refusedBy(last); ok {
		return m
	}
	d := fmt.Sprintf("the OPTIONS preflight got %d %s; a preflight's answer must be 2xx", status, http.StatusText(status))
	withCORS := last != nil && original(last.Request).Header.Get("Access-Control-Allow-Origin") != ""
	switch {
	case (status == 404 || status == 405) && withCORS:
		d += ": the CORS headers are there but the code goes on to a route that refuses OPTIONS; answer preflights in the CORS code itself, and stop there (PHP: http_response_code(204) and exit on OPTIONS; Express: app.use(cors()) before the routes; Go: wrap the whole router)"
	case status == 404 || status == 405:
		d += ": no route answers OPTIONS (Go 1.22 method patterns and many routers answer 405); put the CORS handling in front of the router so it answers preflights itself"
	case status == 401 || status == 403:
		d += ": an authentication layer runs before the CORS handling; browsers never send credentials on a preflight, so let OPTIONS through before auth"
	}
	return Mistake{"preflight not handled", d}
}

// refusedBy explains an answer by what refused it: a storage service, a
// framework's CORS layer, or the words of its body, in that order.
func refusedBy(last *browser.Exchange) (Mistake, bool) {
	if m, ok := storageRefusal(last); ok {
		return m, true
	}
	if m, ok := frameworkRefusal(last); ok {
		return m, true
	}
	return refusedByBody(last)
}

// missingAllowOrigin explains an answer without Access-Control-Allow-Origin:
// from its body, from the preflight that passed before it, from its status.
func missingAllowOrigin(req browser.Request, v browser.Verdict, last *browser.Exchange, original func(browser.Outgoing) browser.Incoming) Mistake {
	if last == nil {
		return Mistake{"no CORS on the server", "no answer carries Access-Control-Allow-Origin"}
	}
	status, stack := last.Response.Status, stackOf(last.Response.Header)
	if m, ok := refusedBy(last); ok {
		return m
	}
	if m, ok := stackCause(last); ok {
		return m
	}
	if status == 403 && varies(last.Response.Header) {
		return Mistake{"origin not allowed", fmt.Sprintf("the server's CORS policy answers 403 with Vary: Origin and no CORS headers: it refuses the origin %s; add it to the server's allowed origins", req.Origin)}
	}
	preflightHadCORS := false
	for _, x := range v.Exchanges {
		if x.Request.Preflight && original(x.Request).Header.Get("Access-Control-Allow-Origin") != "" {
			preflightHadCORS = true
		}
	}
	switch {
	case last.Request.Preflight && status >= 400:
		return Mistake{"preflight not handled", fmt.Sprintf("the OPTIONS preflight got %d without CORS headers: the CORS handling does not see OPTIONS requests (a router, an auth layer or the web server answers them first)", status)}
	case !last.Request.Preflight && preflightHadCORS && status >= 400:
		return Mistake{"errors without CORS headers", fmt.Sprintf("the preflight was answered with CORS headers but this %d was not: %s", status, errorsWithoutCORS(stack))}
	case !last.Request.Preflight && preflightHadCORS:
		return Mistake{"CORS after the route", fmt.Sprintf("the preflight was answered with CORS headers but this %d was not: the CORS middleware runs after the route that answered (Express: app.use(cors()) placed after app.get/app.put; Flask: a route that builds its own response outside Flask-CORS's resources), or this route bypasses it; register the CORS handling before every route", status)}
	case status == 404 || status >= 500:
		return Mistake{"wrong server or error page", fmt.Sprintf("the answer is %d without CORS headers: the request reached a server or route that does not apply the CORS policy, or an error page skipped it; check the URL, and make the server add CORS headers to errors too (%s)", status, errorsWithoutCORS(stack))}
	case stack == "nginx" && hasCORSHeaders(last):
		return Mistake{"add_header inside if", "nginx sent CORS headers but not Access-Control-Allow-Origin: an if () block with add_header lines of its own (the usual preflight branch) inherits none of the location's add_header lines; put every CORS add_header outside if, and only return inside it"}
	case !hasCORSHeaders(last):
		return Mistake{"no CORS on the server", "the server sends no Access-Control-* header at all: the CORS middleware is missing, or not on this route"}
	}
	return Mistake{"no Access-Control-Allow-Origin", fmt.Sprintf("the answer has CORS headers but not Access-Control-Allow-Origin for the origin %s: the server's allowlist does not include it; add it", req.Origin)}
}

// errorsWithoutCORS says, per stack, why error answers lose CORS headers.
func errorsWithoutCORS(stack string) string {
	switch stack {
	case "nginx":
		return "nginx's add_header applies to 2xx and 3xx answers only unless it ends with `always`; add `always` to every CORS add_header"
	case "express":
		return "an error handler or a middleware that fails before cors() answers without its headers; register cors() first, before body parsers, auth and routes"
	case "flask":
		return "an error handler or a response built outside Flask-CORS's reach lacks its headers; keep CORS(app) applied to every route, errors included"
	case "php":
		return "the script exits on an error before it sends the CORS headers; send them first, before any check that can fail"
	}
	return "the CORS headers are added to successful answers only; add them to errors too (nginx: add_header ... always)"
}

// corsRefusal finds an error page that says the CORS code refused the
// request, e.g. Express's "Error: Not allowed by CORS".
var corsRefusal = regexp.MustCompile(`(?i)not allowed by cors|cors[^\n]{0,40}(not allowed|denied|forbidden|rejected|refused|blocked)|origin[^\n]{0,40}not allowed|disallowed (cors )?origin`)

// refusedByBody explains an error answer whose body says the CORS code
// refused the origin: the origin is missing from the server's list.
func refusedByBody(x *browser.Exchange) (Mistake, bool) {
	if x == nil || x.Response.Status < 400 {
		return Mistake{}, false
	}
	m := corsRefusal.Find(x.Response.Body)
	if m == nil {
		return Mistake{}, false
	}
	d := fmt.Sprintf("the answer is %d and its body says %q: the server's CORS code refused the origin %s and failed the request instead of leaving the CORS headers out", x.Response.Status, m, x.Request.Header.Get("Origin"))
	if stackOf(x.Response.Header) == "express" {
		d += " (an origin callback that calls callback(new Error(...)) gives this 500)"
	}
	d += "; add the origin to the server's allowed origins, and refuse the others without an error (Express: callback(null, false))"
	return Mistake{"origin refused by the CORS code", d}, true
}

// originTypo explains a near miss between the allowed and the page's origin.
func originTypo(allowed, page string) string {
	switch {
	case strings.TrimRight(allowed, "/") == page:
		return fmt.Sprintf("the server sends %q with a trailing slash; an origin has no path: send %q", allowed, page)
	case strings.EqualFold(allowed, page):
		return fmt.Sprintf("the server sends %q; origins are compared byte for byte and browsers send them in lower case: send %q", allowed, page)
	case strings.TrimSuffix(allowed, portOf(allowed)) == strings.TrimSuffix(page, portOf(page)):
		return fmt.Sprintf("the server sends %q but the page is on %q: the port is part of the origin", allowed, page)
	case strings.Replace(allowed, "https://", "http://", 1) == page || strings.Replace(allowed, "http://", "https://", 1) == page:
		return fmt.Sprintf("the server sends %q but the page is on %q: the scheme is part of the origin", allowed, page)
	case strings.Replace(allowed, "://www.", "://", 1) == page || strings.Replace(page, "://www.", "://", 1) == allowed:
		return fmt.Sprintf("the server sends %q but the page is on %q: www. is part of the origin", allowed, page)
	}
	return ""
}

// varies reports whether h has Vary: Origin, the sign of a CORS layer.
func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for item := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(item), "origin") {
				return true
			}
		}
	}
	return false
}

func portOf(o string) string {
	i := strings.LastIndexByte(o, ':')
	if i < 0 || strings.Contains(o[i:], "/") {
		return ""
	}
	return o[i:]
}

func lastResponse(v browser.Verdict) *browser.Exchange {
	if len(v.Exchanges) == 0 {
		return nil
	}
	return &v.Exchanges[len(v.Exchanges)-1]
}

func hasCORSHeaders(x *browser.Exchange) bool {
	return x != nil && hasCORS(x.Response.Header)
}

// hasCORS reports whether h has any Access-Control-* header.
func hasCORS(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			return true
		}
	}
	return false
}

// stackCause is the named cause of the stack that made the refused answer,
// when its stack file sees it in that answer (rack-cors's silent refusal
// of a preflight, say, which is not a missing CORS layer).
func stackCause(last *browser.Exchange) (Mistake, bool) {
	return stackCauseOf(answerOf(last.Response))
}

// stackCauseOf is the named cause the stack that made a shows in it.
func stackCauseOf(a gen.Answer) (Mistake, bool) {
	name, _ := gen.Recognize(a)
	s, ok := gen.LookupStack(name)
	if !ok {
		return Mistake{}, false
	}
	for _, c := range s.Causes {
		if c.Seen != nil && c.Seen(a) {
			return Mistake{c.ID, c.Mistake + " (" + c.Symptom + "); fix: " + c.Fix}, true
		}
	}
	return Mistake{}, false
}
