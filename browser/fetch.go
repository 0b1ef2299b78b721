package browser

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"

	"github.com/corskit/corskit/cors/unstable/headers"
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
	// Body is the start of the answer's body, when the RoundTripper keeps
	// it (corskit check keeps the first 4 KiB, to read error pages). The
	// model never looks at it: browsers decide on the status and headers.
	Body []byte
}

// RoundTripper answers the model's requests: with real HTTP in corskit check,
// with recorded or generated answers in tests. An error is a network error
// (no HTTP answer), which the browser reports as "Failed to fetch".
type RoundTripper func(Outgoing) (Incoming, error)

// Memo wraps rt so that each distinct request goes over the network once,
// however many engines send it: the engines then judge the same answers,
// and the server sees each request once.
func Memo(rt RoundTripper) RoundTripper {
	type answer struct {
		in  Incoming
		err error
	}
	seen := map[string]answer{}
	return func(out Outgoing) (Incoming, error) {
		key := fmt.Sprintf("%v %s %s %v %v %v", out.Preflight, out.Method, out.URL, out.Credentials, out.Body, out.Header)
		if a, ok := seen[key]; ok {
			return a.in, a.err
		}
		in, err := rt(out)
		seen[key] = answer{in, err}
		return in, err
	}
}

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
	// Message is the first line the engine logs to the console when it
	// blocks the request; empty when allowed or on a network error.
	Message string
	// Messages are all the lines the engine logs, in order; Message is the
	// first.
	Messages []string
	// Alternatives are the other first lines the engine may log instead of
	// Message: when several request headers are refused, Chromium names one
	// of them in the iteration order of its internal hash table, which the
	// model does not reproduce. Message then names the first in sorted order.
	// Firefox and WebKit name the one Message names (see
	// [Engine.refusedInHeaderMapOrder]), so theirs have none.
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

// Fetch runs req as a page's fetch() would in Chromium, asking rt for each
// answer, and returns the verdict. See [Engine.Fetch] for the other engines.
func Fetch(req Request, rt RoundTripper) Verdict { return chromium.Fetch(req, rt) }

// Fetch runs req as a page's fetch() would in the engine, asking rt for each
// answer, and returns the verdict with the engine's console lines.
func (e *Engine) Fetch(req Request, rt RoundTripper) Verdict {
	req = req.normalized()
	blocked, warnings, ok := e.beforeFetch(req)
	if ok {
		return blocked
	}
	f := &fetchState{
		e: e, rt: rt, req: req,
		first: req.URL, current: req.URL, origin: req.Origin,
		method: req.Method, body: req.Body, hs: req.Headers,
		v: Verdict{Warnings: warnings},
	}
	for redirects := 0; ; redirects++ {
		if v, done := f.hop(redirects); done {
			return v
		}
	}
}

// fetchState is one [Engine.Fetch] in progress: the request as the page
// made it, the request as the redirects so far changed it, and the verdict
// being built. Its methods are the steps of one hop.
type fetchState struct {
	e   *Engine
	rt  RoundTripper
	req Request // as the page made it

	first   string // the request's URL
	current string // the URL of this hop
	origin  string // the Origin sent: "null" once a redirect tainted it
	method  string
	body    bool
	hs      []Header

	v Verdict
	// preflighted is true once a preflight was needed: Firefox and WebKit
	// then preflight every later hop too.
	preflighted bool
}

// hop fetches f.current (preflighting it when needed) and either finishes
// with the verdict (done) or moves f to the redirect's target.
func (f *fetchState) hop(redirects int) (v Verdict, done bool) {
	cur := f.req
	cur.Method, cur.Headers, cur.Body = f.method, f.hs, f.body
	crossOrigin := originOf(f.current) != f.req.Origin
	if crossOrigin && (NeedsPreflight(cur) || f.preflighted && f.e.preflightsAfterRedirect) {
		if v, done := f.preflight(cur); done {
			return v, true
		}
	}
	in, v, done := f.actual(crossOrigin)
	if done {
		return v, true
	}
	return f.redirect(in, redirects)
}

// block finishes the fetch as a CORS failure f: it adds the warnings of the
// last answer and the engine's console lines.
func (f *fetchState) block(fail failure) Verdict {
	v := &f.v
	if n := len(v.Exchanges); n > 0 && v.Exchanges[n-1].Err == nil {
		x := v.Exchanges[n-1]
		v.Warnings = append(v.Warnings, blockedWarnings(x.Response.Header, x.Request.Preflight, x.Request.Header.Get("Origin"))...)
	}
	fail.URL, fail.FirstURL, fail.Origin, fail.RequestOrigin = f.current, f.first, f.req.Origin, f.origin
	v.Reason, v.URL = fail.Reason, f.current
	v.Messages = f.e.console(fail)
	if len(v.Messages) > 0 {
		v.Message = v.Messages[0]
	}
	return *v
}

// preflight sends the preflight for cur and checks its answer in the
// engine's order: redirect, status, CORS headers, allowed lists. done is
// true when it failed, with the verdict.
func (f *fetchState) preflight(cur Request) (v Verdict, done bool) {
	e := f.e
	f.preflighted = true
	f.v.Preflight = true
	preflightOrigin := f.origin
	if e.preflightKeepsOrigin {
		preflightOrigin = f.req.Origin
	}
	out := Outgoing{Preflight: true, Method: http.MethodOptions, URL: f.current, Header: preflightHeader(cur, preflightOrigin)}
	in, err := f.rt(out)
	f.v.Exchanges = append(f.v.Exchanges, Exchange{Request: out, Response: in, Err: err})
	if err != nil {
		return e.networkError(f.v, f.current, err, true), true
	}
	fail := failure{Preflight: true, Status: in.Status, AllowOrigin: in.Header.Values("Access-Control-Allow-Origin")}
	if isRedirect(in.Status) {
		fail.RedirectTo = resolve(f.current, in.Header.Get("Location"))
		if r, val := corsCheck(in.Header, preflightOrigin, f.req.Credentials); r != Allowed && e.preflightRedirectCORSFirst {
			fail.Reason, fail.Value = r, val
			return f.block(fail), true
		}
		fail.Reason = PreflightRedirect
		return f.block(fail), true
	}
	statusOK := in.Status >= 200 && in.Status <= 299
	if !statusOK && e.preflightStatusFirst {
		fail.Reason = PreflightStatus
		return f.block(fail), true
	}
	if r, val := corsCheck(in.Header, preflightOrigin, f.req.Credentials); r != Allowed {
		fail.Reason, fail.Value = r, val
		return f.block(fail), true
	}
	if !statusOK {
		fail.Reason = PreflightStatus
		return f.block(fail), true
	}
	if r, refused := e.checkPreflightLists(in.Header, cur); r != Allowed {
		fail.Reason = r
		return f.listFailure(fail, refused, cur, in), true
	}
	f.v.Warnings = append(f.v.Warnings, preflightWarnings(in.Header, cur)...)
	return Verdict{}, false
}

// listFailure finishes the fetch when the preflight's answer in does not
// allow cur's method or headers (fail.Reason says which): refused are the
// refused names.
func (f *fetchState) listFailure(fail failure, refused []string, cur Request, in Incoming) Verdict {
	e := f.e
	switch fail.Reason {
	case HeaderNotAllowed:
		f.v.Refused = refused
		ordered := e.refusedOrder(cur.Headers, refused)
		fail.Value = ordered[0]
		fail.Header = e.headerName(cur.Headers, ordered[0])
		verdict := f.block(fail)
		if !e.refusedHeaderAnyOrder {
			return verdict
		}
		for _, n := range ordered[1:] {
			alt := fail
			alt.Value, alt.Header = n, e.headerName(cur.Headers, n)
			alt.URL, alt.FirstURL, alt.Origin, alt.RequestOrigin = f.current, f.first, f.req.Origin, f.origin
			verdict.Alternatives = append(verdict.Alternatives, e.console(alt)[0])
		}
		return verdict
	case MethodNotAllowed:
		fail.Value = refused[0]
	case InvalidAllowMethods:
		fail.List, _ = headerValue(in.Header, "Access-Control-Allow-Methods")
		fail.Token = firstBadToken(fail.List)
	case InvalidAllowHeaders:
		fail.List, _ = headerValue(in.Header, "Access-Control-Allow-Headers")
		fail.Token = firstBadToken(fail.List)
	}
	return f.block(fail)
}

// actual sends the request itself and checks its answer in. done is true
// when the fetch ends here (allowed, blocked or a network error), with the
// verdict; otherwise in is a redirect to follow.
func (f *fetchState) actual(crossOrigin bool) (in Incoming, v Verdict, done bool) {
	req := f.req
	creds := req.Credentials == Include || req.Credentials == SameOrigin && !crossOrigin
	out := Outgoing{Method: f.method, URL: f.current, Header: actualHeader(f.hs, f.origin, crossOrigin, f.method), Credentials: creds, Body: f.body}
	in, err := f.rt(out)
	f.v.Exchanges = append(f.v.Exchanges, Exchange{Request: out, Response: in, Err: err})
	if err != nil {
		return in, f.e.networkError(f.v, f.current, err, false), true
	}
	redirect := isRedirect(in.Status) && in.Header.Get("Location") != ""
	if crossOrigin {
		if r, val := corsCheck(in.Header, f.origin, req.Credentials); r != Allowed {
			fail := failure{Reason: r, Value: val, Status: in.Status, AllowOrigin: in.Header.Values("Access-Control-Allow-Origin")}
			if redirect {
				fail.RedirectTo = resolve(f.current, in.Header.Get("Location"))
			}
			return in, f.block(fail), true
		}
	}
	if !redirect {
		f.v.Allowed, f.v.URL, f.v.Status = true, f.current, in.Status
		f.v.Readable = readable(in.Header, req.Credentials, crossOrigin)
		f.v.Warnings = append(f.v.Warnings, responseWarnings(in.Header, req, crossOrigin)...)
		return in, f.v, true
	}
	return in, Verdict{}, false
}

// redirect follows the redirect in, the answer after redirects earlier
// ones, as Fetch's "HTTP-redirect fetch" does: done is true when the fetch
// ends here, with the verdict; otherwise f now describes the next hop.
func (f *fetchState) redirect(in Incoming, redirects int) (v Verdict, done bool) {
	next, err := url.Parse(f.current)
	if err == nil {
		next, err = next.Parse(in.Header.Get("Location"))
	}
	if err != nil {
		return f.e.networkError(f.v, f.current, fmt.Errorf("bad Location %q: %w", in.Header.Get("Location"), err), false), true
	}
	next.Fragment = ""
	if next.Scheme != "http" && next.Scheme != "https" {
		return f.block(failure{Reason: RedirectScheme, Status: in.Status, RedirectTo: next.String()}), true
	}
	if redirects+1 > MaxRedirects {
		f.v.Reason, f.v.URL = TooManyRedirects, f.current
		f.v.Err = fmt.Errorf("net::ERR_TOO_MANY_REDIRECTS after %d redirects", MaxRedirects)
		return f.v, true
	}
	nextURL := next.String()
	if next.User != nil && originOf(nextURL) != f.req.Origin {
		return f.block(failure{Reason: RedirectWithCredentials, Value: nextURL, Status: in.Status, RedirectTo: nextURL}), true
	}
	f.rewrite(in.Status, originOf(f.current) != originOf(nextURL))
	f.current = nextURL
	return Verdict{}, false
}

// rewrite changes the request for the next hop after a redirect with the
// given status, crossOriginHop when it leaves f.current's origin.
func (f *fetchState) rewrite(status int, crossOriginHop bool) {
	e := f.e
	if crossOriginHop {
		// Step 12: a cross-origin hop taints the origin to "null".
		if f.req.Origin != originOf(f.current) {
			f.origin = "null"
		}
		// Step 13: Authorization is not carried to another origin.
		if !e.redirectKeepsAuthorization {
			f.hs = slices.DeleteFunc(slices.Clone(f.hs), func(h Header) bool { return strings.EqualFold(h.Name, "authorization") })
		}
	}
	// Step 12 and 13: 303, and 301/302 after POST, become GET without body.
	method := f.method
	toGet := status == 303 && method != "GET" && method != "HEAD" || (status == 301 || status == 302) && method == "POST"
	if e.crossOriginRedirectDeleteToGet && crossOriginHop && method == "DELETE" {
		toGet = true
	}
	if toGet {
		f.method, f.body = "GET", false
		if !e.redirectKeepsContentHeaders {
			f.hs = slices.DeleteFunc(slices.Clone(f.hs), func(h Header) bool {
				n := strings.ToLower(h.Name)
				return n == "content-type" || n == "content-language" || n == "content-encoding" || n == "content-location"
			})
		}
	}
}

// resolve returns ref resolved against base, or ref when either does not
// parse.
func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	u, err := b.Parse(ref)
	if err != nil {
		return ref
	}
	u.Fragment = ""
	return u.String()
}

// refusedOrder returns the refused header names (lower-case, sorted) in the
// order the engine checks them: sorted, or in WebKit's header map order (see
// [Engine.refusedInHeaderMapOrder]).
func (e *Engine) refusedOrder(hs []Header, refused []string) []string {
	if !e.refusedInHeaderMapOrder {
		return refused
	}
	left := make(map[string]bool, len(refused))
	for _, n := range refused {
		left[n] = true
	}
	var known, other []string
	for _, h := range hs {
		n := strings.ToLower(h.Name)
		if !left[n] {
			continue
		}
		delete(left, n)
		if _, ok := webKitHeaderNames[n]; ok {
			known = append(known, n)
		} else {
			other = append(other, n)
		}
	}
	ordered := append(known, other...)
	for _, n := range refused {
		if left[n] {
			ordered = append(ordered, n)
		}
	}
	return ordered
}

// headerName returns the name of the request header called lower as the
// engine logs it: as the page first wrote it, or, for a name WebKit knows,
// in WebKit's spelling.
func (e *Engine) headerName(hs []Header, lower string) string {
	if e.refusedInHeaderMapOrder {
		if n, ok := webKitHeaderNames[lower]; ok {
			return n
		}
	}
	for _, h := range hs {
		if strings.ToLower(h.Name) == lower {
			return h.Name
		}
	}
	return lower
}

// networkError is the verdict when no answer came, to a preflight or not.
func (e *Engine) networkError(v Verdict, at string, err error, preflight bool) Verdict {
	v.Reason, v.URL, v.Err = NetworkError, at, err
	f := failure{Reason: NetworkError, URL: at, Preflight: preflight}
	if errors.Is(err, syscall.ECONNREFUSED) {
		f.Value = "refused"
	}
	v.Messages = e.console(f)
	if len(v.Messages) > 0 {
		v.Message = v.Messages[0]
	}
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
func (e *Engine) checkPreflightLists(h http.Header, r Request) (Reason, []string) {
	methods, ok := parseList(h, "Access-Control-Allow-Methods")
	if !ok {
		return InvalidAllowMethods, []string{""}
	}
	wildcardOK := r.Credentials != Include
	methodOK := headers.IsSafelistedMethod(r.Method) || slices.Contains(methods, r.Method) || wildcardOK && slices.Contains(methods, "*")
	if !methodOK && e.methodBeforeHeaderList {
		return MethodNotAllowed, []string{r.Method}
	}
	names, ok := parseList(h, "Access-Control-Allow-Headers")
	if !ok {
		return InvalidAllowHeaders, []string{""}
	}
	if !methodOK {
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
