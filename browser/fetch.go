package browser

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corskit/corskit/internal/headers"
)

// MaxRedirects is the number of redirects a fetch follows (Fetch, "HTTP-redirect
// fetch", step 5).
const MaxRedirects = 20

// Outgoing is one HTTP request the browser sends.
type Outgoing struct {
	// Preflight is true for a CORS-preflight (OPTIONS) request.
	Preflight bool
	Method    string
	URL       string
	Header    http.Header
	// Credentials is true when the browser attaches cookies and HTTP auth.
	Credentials bool
	// Body is true when the request carries the page's body.
	Body bool
}

// Incoming is the server's answer to an Outgoing request.
type Incoming struct {
	Status int
	Header http.Header
}

// RoundTripper answers the model's requests: with real HTTP in corskit check,
// with recorded or generated answers in tests. An error is a network error
// (no HTTP answer), which the browser reports as "Failed to fetch".
type RoundTripper func(Outgoing) (Incoming, error)

// Exchange is one request and its answer.
type Exchange struct {
	Request  Outgoing
	Response Incoming
	Err      error // a network error, when there was no answer
}

// Verdict is what the browser did with a fetch.
type Verdict struct {
	// Allowed is true when the page could read the response.
	Allowed bool
	// Reason is why not, when blocked.
	Reason Reason
	// Message is the line Chromium prints to the console when it blocks the
	// request for a CORS reason; empty when allowed or on a network error.
	Message string
	// Alternatives are the other lines Chromium may print instead of Message:
	// when several request headers are refused, Chromium names one of them in
	// the iteration order of its internal hash table, which the model does not
	// reproduce. Message then names the first in sorted order.
	Alternatives []string
	// Refused lists every request header name the preflight refused.
	Refused []string
	// Preflight is true when the browser sent a preflight.
	Preflight bool
	// Exchanges are the requests sent and the answers, in order: preflights,
	// redirects and the final response.
	Exchanges []Exchange
	// URL is the final URL, after redirects.
	URL string
	// Status is the final response's status, when allowed.
	Status int
	// Readable are the lower-case names of the response headers the page can
	// read, sorted, when allowed.
	Readable []string
	// Err is the network error, when Reason is NetworkError.
	Err error
	// Warnings are risks that do not block this request.
	Warnings []Warning
}

// Fetch runs req as a page's fetch() would, asking rt for each answer, and
// returns the verdict.
func Fetch(req Request, rt RoundTripper) Verdict {
	req = req.normalized()
	first := req.URL
	current := req.URL
	origin := req.Origin
	method, body := req.Method, req.Body
	hs := req.Headers
	var v Verdict
	message := func(r Reason, value string, preflight bool) string {
		msg := reasonText(r, value)
		if preflight && (r != MethodNotAllowed && r != HeaderNotAllowed && r != InvalidAllowMethods && r != InvalidAllowHeaders) {
			msg = preflightPrefix + msg
		}
		at := "'" + current + "'"
		if current != first {
			at += " (redirected from '" + first + "')"
		}
		return fmt.Sprintf("Access to fetch at %s from origin '%s' has been blocked by CORS policy: %s", at, req.Origin, msg)
	}
	block := func(r Reason, value string, preflight bool) Verdict {
		v.Reason = r
		v.URL = current
		v.Message = message(r, value, preflight)
		return v
	}
	for redirects := 0; ; redirects++ {
		cur := req
		cur.Method, cur.Headers, cur.Body = method, hs, body
		crossOrigin := originOf(current) != req.Origin
		if crossOrigin && NeedsPreflight(cur) {
			v.Preflight = true
			out := Outgoing{Preflight: true, Method: http.MethodOptions, URL: current, Header: preflightHeader(cur, origin)}
			in, err := rt(out)
			v.Exchanges = append(v.Exchanges, Exchange{Request: out, Response: in, Err: err})
			if err != nil {
				return networkError(v, current, err)
			}
			if isRedirect(in.Status) {
				return block(PreflightRedirect, "", true)
			}
			if r, val := corsCheck(in.Header, origin, req.Credentials); r != Allowed {
				return block(r, val, true)
			}
			if in.Status < 200 || in.Status > 299 {
				return block(PreflightStatus, "", true)
			}
			if r, refused := checkPreflightLists(in.Header, cur); r != Allowed {
				if r == HeaderNotAllowed {
					v.Refused = refused
					for _, n := range refused[1:] {
						v.Alternatives = append(v.Alternatives, message(r, n, true))
					}
				}
				return block(r, refused[0], true)
			}
			v.Warnings = append(v.Warnings, preflightWarnings(in.Header, cur)...)
		}

		creds := req.Credentials == Include || req.Credentials == SameOrigin && !crossOrigin
		out := Outgoing{Method: method, URL: current, Header: actualHeader(hs, origin, crossOrigin, method), Credentials: creds, Body: body}
		in, err := rt(out)
		v.Exchanges = append(v.Exchanges, Exchange{Request: out, Response: in, Err: err})
		if err != nil {
			return networkError(v, current, err)
		}
		if crossOrigin {
			if r, val := corsCheck(in.Header, origin, req.Credentials); r != Allowed {
				return block(r, val, false)
			}
		}
		if !isRedirect(in.Status) || in.Header.Get("Location") == "" {
			v.Allowed, v.URL, v.Status = true, current, in.Status
			v.Readable = readable(in.Header, req.Credentials, crossOrigin)
			v.Warnings = append(v.Warnings, responseWarnings(in.Header, req, crossOrigin)...)
			return v
		}

		// Fetch, "HTTP-redirect fetch".
		next, err := url.Parse(current)
		if err == nil {
			next, err = next.Parse(in.Header.Get("Location"))
		}
		if err != nil {
			return networkError(v, current, fmt.Errorf("bad Location %q: %w", in.Header.Get("Location"), err))
		}
		next.Fragment = ""
		if next.Scheme != "http" && next.Scheme != "https" {
			return block(RedirectScheme, "", false)
		}
		if redirects+1 > MaxRedirects {
			v.Reason, v.URL = TooManyRedirects, current
			v.Err = fmt.Errorf("net::ERR_TOO_MANY_REDIRECTS after %d redirects", MaxRedirects)
			return v
		}
		nextURL := next.String()
		if next.User != nil && originOf(nextURL) != req.Origin {
			return block(RedirectWithCredentials, nextURL, false)
		}
		if originOf(current) != originOf(nextURL) {
			// Step 12: a cross-origin hop taints the origin to "null".
			if req.Origin != originOf(current) {
				origin = "null"
			}
			// Step 13: Authorization is not carried to another origin.
			hs = slices.DeleteFunc(slices.Clone(hs), func(h Header) bool { return strings.EqualFold(h.Name, "authorization") })
		}
		// Step 12 and 13: 303, and 301/302 after POST, become GET without body.
		if in.Status == 303 && method != "GET" && method != "HEAD" || (in.Status == 301 || in.Status == 302) && method == "POST" {
			method, body = "GET", false
			hs = slices.DeleteFunc(slices.Clone(hs), func(h Header) bool {
				n := strings.ToLower(h.Name)
				return n == "content-type" || n == "content-language" || n == "content-encoding" || n == "content-location"
			})
		}
		current = nextURL
	}
}

func networkError(v Verdict, at string, err error) Verdict {
	v.Reason, v.URL, v.Err = NetworkError, at, err
	return v
}

// actualHeader returns the headers of the request that fetches the resource.
func actualHeader(hs []Header, origin string, crossOrigin bool, method string) http.Header {
	h := http.Header{}
	h.Set("Accept", "*/*")
	for _, x := range hs {
		h.Add(x.Name, x.Value)
	}
	if crossOrigin || method != "GET" && method != "HEAD" {
		h.Set("Origin", origin)
	}
	return h
}

// checkPreflightLists checks the method and then the unsafe headers against
// the preflight's Access-Control-Allow-Methods and -Headers (Fetch,
// "CORS-preflight fetch", steps 7.3 to 7.8, in Chromium's order). It returns
// the refused method, or every refused header name, sorted.
func checkPreflightLists(h http.Header, r Request) (Reason, []string) {
	methods, ok := parseList(h, "Access-Control-Allow-Methods")
	if !ok {
		return InvalidAllowMethods, []string{""}
	}
	names, ok := parseList(h, "Access-Control-Allow-Headers")
	if !ok {
		return InvalidAllowHeaders, []string{""}
	}
	wildcardOK := r.Credentials != Include
	if !headers.IsSafelistedMethod(r.Method) && !slices.Contains(methods, r.Method) && !(wildcardOK && slices.Contains(methods, "*")) {
		return MethodNotAllowed, []string{r.Method}
	}
	allowed := map[string]bool{}
	for _, n := range names {
		allowed[strings.ToLower(n)] = true
	}
	var refused []string
	for _, n := range UnsafeHeaderNames(r.Headers) {
		// Chromium (156) lets `*` cover authorization too, against the
		// standard; it only prints a deprecation warning.
		if !allowed[n] && !(wildcardOK && allowed["*"]) {
			refused = append(refused, n)
		}
	}
	if len(refused) > 0 {
		return HeaderNotAllowed, refused
	}
	return Allowed, nil
}

func isRedirect(status int) bool {
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308
}

// originOf returns the serialised origin of an absolute URL.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "null"
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}
