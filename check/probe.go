package check

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/cors/unstable/origin"
)

// Learned is the server's current CORS policy for the URL, as a bounded
// probe of safe requests shows it: preflights (which change nothing) from
// the page's origin and one other, for the usual methods, a random custom
// header, Authorization and a JSON Content-Type; and GETs with and without
// a cookie. The fix is a superset of it.
type Learned struct {
	// Requests is how many requests the probe sent.
	Requests int `json:"requests"`
	// Origins are the origins the server allowed, by name.
	Origins []string `json:"origins"`
	// AnyOrigin is true when the server allowed an origin it cannot know
	// (a stand-in), by echoing it or with *.
	AnyOrigin bool `json:"any_origin,omitempty"`
	// Methods are the methods a preflight allowed (asked for, or listed).
	Methods []string `json:"methods"`
	// Headers are the request headers allowed by name.
	Headers []string `json:"headers"`
	// AnyHeader is true when a random custom header was allowed: the server
	// allows any header.
	AnyHeader bool `json:"any_header,omitempty"`
	// Credentials is true when an answer allowed credentials.
	Credentials bool `json:"credentials"`
	// Expose are the response headers the answers expose.
	Expose []string `json:"expose_headers"`
	// MaxAge is the largest Access-Control-Max-Age seen, 0 for none.
	MaxAge int `json:"max_age,omitempty"`
	// CORS is false when no answer carried any Access-Control-* header:
	// there is no CORS on the URL.
	CORS bool `json:"cors"`
	// Refused are the preflights answered without any CORS header while
	// another preflight to the URL from the same origin got them: CORS is
	// there and refuses these, e.g. "DELETE from http://localhost:3000".
	Refused []string `json:"refused,omitempty"`
	// Cookie says how the answer to a GET changed with a cookie (some
	// servers echo any origin only then), or "".
	Cookie string `json:"cookie,omitempty"`
	// preflightCause is the named cause of the stack a preflight answer
	// without any CORS header showed (Tomcat's DefaultServlet answering
	// OPTIONS where the CorsFilter is not mapped), or none.
	preflightCause Mistake
}

// probeMethods are the methods every probe asks a preflight for.
var probeMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// probeCommonHeaders are custom request headers apps often allow, asked
// one by one from the page's origin: a server that echoes only the headers
// asked for (rack-cors, Express's cors with a list) shows no list to read.
var probeCommonHeaders = []string{"x-requested-with", "x-request-id", "x-csrf-token", "x-api-key", "x-correlation-id"}

// probeStandIn is the other origin the probe asks from when the app names
// none (Options.AlsoOrigins): allowing it means allowing any origin.
const probeStandIn = "https://corskit-probe.example"

// probeOutgoing lists the probe's requests: for each origin, a preflight
// per method, then preflights for a GET with a random header, with
// Authorization, with Content-Type and with the page's own headers; then,
// from the page's origin, preflights for common custom headers one by one,
// and a GET with and without a cookie.
func probeOutgoing(o Options, random string) []browser.Outgoing {
	methods := slices.Clone(probeMethods)
	if m := headers.NormalizeMethod(o.Method); m != "" && !slices.Contains(methods, m) && plausibleName(m) {
		methods = append(methods, m)
	}
	own := strings.ToLower(strings.Join(browser.UnsafeHeaderNames(o.Headers), ","))
	var out []browser.Outgoing
	for _, from := range probeOrigins(o) {
		for _, m := range methods {
			out = append(out, preflightOf(o.URL, from, m, ""))
		}
		for _, h := range []string{random, "authorization", "content-type", own} {
			if h != "" {
				out = append(out, preflightOf(o.URL, from, "GET", h))
			}
		}
	}
	for _, h := range probeCommonHeaders {
		if !strings.Contains(","+own+",", ","+h+",") {
			out = append(out, preflightOf(o.URL, o.Origin, "GET", h))
		}
	}
	for _, cookie := range []bool{false, true} {
		h := http.Header{"Origin": {o.Origin}, "Accept": {"*/*"}}
		if cookie {
			h.Set("Cookie", "corskit_probe=1")
		}
		out = append(out, browser.Outgoing{Method: "GET", URL: o.URL, Header: h, Credentials: cookie})
	}
	return out
}

// probeOrigins are the page's origin and one other: the app's first other
// origin, or a stand-in.
func probeOrigins(o Options) []string {
	other := probeStandIn
	if len(o.AlsoOrigins) > 0 {
		other = o.AlsoOrigins[0]
	}
	return []string{o.Origin, other}
}

func preflightOf(url, from, method, hs string) browser.Outgoing {
	h := http.Header{"Origin": {from}, "Access-Control-Request-Method": {method}, "Accept": {"*/*"}}
	if hs != "" {
		h.Set("Access-Control-Request-Headers", hs)
	}
	return browser.Outgoing{Preflight: true, Method: http.MethodOptions, URL: url, Header: h}
}

// randomHeader is a custom header name no server lists.
func randomHeader() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "x-corskit-" + hex.EncodeToString(b)
}

// Probe learns the server's current CORS policy for o.URL with a bounded
// number of safe requests sent through rt (see Learned).
func Probe(o Options, rt browser.RoundTripper) Learned {
	random := o.probeHeader
	if random == "" {
		random = randomHeader()
	}
	l := Learned{Origins: []string{}, Methods: []string{}, Headers: []string{}, Expose: []string{}}
	type answer struct {
		out browser.Outgoing
		in  browser.Incoming
	}
	var answers []answer
	for _, out := range probeOutgoing(o, random) {
		l.Requests++
		in, err := rt(out)
		if err != nil {
			continue
		}
		answers = append(answers, answer{out, in})
	}
	// Origins with at least one preflight answered with CORS headers.
	withCORS := map[string]bool{}
	for _, a := range answers {
		if a.out.Preflight && hasCORS(a.in.Header) {
			withCORS[a.out.Header.Get("Origin")] = true
		}
	}
	for _, a := range answers {
		learnFrom(&l, a.out, a.in, random)
		if a.out.Preflight && !hasCORS(a.in.Header) && l.preflightCause.Name == "" {
			l.preflightCause = preflightCause(a.out, a.in)
		}
		if a.out.Preflight && !hasCORS(a.in.Header) && withCORS[a.out.Header.Get("Origin")] {
			l.Refused = append(l.Refused, describeAsk(&browser.Exchange{Request: a.out}))
		}
	}
	if n := len(answers); n >= 2 {
		plain, cookie := answers[n-2], answers[n-1]
		if !cookie.out.Preflight && !plain.out.Preflight {
			p, c := plain.in.Header.Get("Access-Control-Allow-Origin"), cookie.in.Header.Get("Access-Control-Allow-Origin")
			if p != c {
				l.Cookie = fmt.Sprintf("a GET from %s gets Access-Control-Allow-Origin %q without a cookie and %q with one", o.Origin, p, c)
			}
		}
	}
	return l
}

// preflightCause is the stack's named cause a preflight answer without
// CORS headers shows, unless the answer is a CORS layer's own refusal
// (rack-cors's bare 200, say), which means the layer is there: with no
// CORS header on any answer, that guess gives way to "no CORS on the
// server" (refineProblems).
func preflightCause(out browser.Outgoing, in browser.Incoming) Mistake {
	if _, refused := refusedBy(&browser.Exchange{Request: out, Response: in}); refused {
		return Mistake{}
	}
	m, _ := stackCauseOf(answerOf(in))
	return m
}

// learnFrom adds what one answer allows to l.
func learnFrom(l *Learned, out browser.Outgoing, in browser.Incoming, random string) {
	h := in.Header
	if !hasCORS(h) {
		return
	}
	l.CORS = true
	from := out.Header.Get("Origin")
	acao := strings.TrimSpace(h.Get("Access-Control-Allow-Origin"))
	allowed := acao == "*" || acao == from
	switch {
	case acao == "*" || acao == probeStandIn:
		l.AnyOrigin = true
	case acao == from:
		if p, err := origin.Parse(acao); err == nil && p.Kind == origin.Exact {
			l.Origins = addFold(l.Origins, acao)
		}
	}
	if strings.TrimSpace(h.Get("Access-Control-Allow-Credentials")) == "true" {
		l.Credentials = true
	}
	l.Expose = addNames(l.Expose, h.Values("Access-Control-Expose-Headers"), http.CanonicalHeaderKey, "")
	if !out.Preflight || !allowed || in.Status < 200 || in.Status > 299 {
		return
	}
	if age, err := strconv.Atoi(strings.TrimSpace(h.Get("Access-Control-Max-Age"))); err == nil && age > l.MaxAge {
		l.MaxAge = age
	}
	methods := h.Values("Access-Control-Allow-Methods")
	asked := out.Header.Get("Access-Control-Request-Method")
	if listsFold(methods, asked) || listsFold(methods, "*") || headers.IsSafelistedMethod(asked) && asked != "" {
		l.Methods = addFold(l.Methods, asked)
	}
	l.Methods = addNames(l.Methods, methods, headers.NormalizeMethod, "")
	allowHeaders := h.Values("Access-Control-Allow-Headers")
	if listsFold(allowHeaders, random) || listsFold(allowHeaders, "*") {
		l.AnyHeader = true
	}
	l.Headers = addNames(l.Headers, allowHeaders, http.CanonicalHeaderKey, random)
}

// maxLearned bounds each list the probe learns: a hostile server's 1 MiB
// header costs no more than a real one.
const maxLearned = 64

// addNames adds the plausible names of the comma-separated values to list,
// normalized, skipping *, skip and duplicates, up to maxLearned names.
func addNames(list, values []string, norm func(string) string, skip string) []string {
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			if len(list) >= maxLearned {
				return list
			}
			if item = strings.TrimSpace(item); item != "" && item != "*" && !strings.EqualFold(item, skip) && plausibleName(item) {
				list = addFold(list, norm(item))
			}
		}
	}
	return list
}

// listsFold reports whether the comma-separated values list name.
func listsFold(values []string, name string) bool {
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(item), name) {
				return true
			}
		}
	}
	return false
}

// refineProblems tells, from what the probe learned, a silent refusal
// ("CORS is there and refuses this") from no CORS at all: an answer
// without any CORS header is a refusal when other answers to the URL got
// CORS headers, and a guessed refusal (rack-cors' bare 200) is no CORS when
// none did.
func refineProblems(ps []Problem, l *Learned, o Options) []Problem {
	pageAllowed := l.AnyOrigin || slices.ContainsFunc(l.Origins, func(x string) bool { return strings.EqualFold(x, o.Origin) })
	for i, p := range ps {
		switch {
		case p.Name == "no CORS on the server" && l.CORS && !pageAllowed:
			ps[i].Name = "origin refused by the CORS code"
			ps[i].Sentence = fmt.Sprintf("the answer has no CORS header, but the server's CORS code is there: it allowed %s and not %s, leaving the headers out; add %s to the server's allowed origins, keeping the ones it allows", strings.Join(l.Origins, ", "), o.Origin, o.Origin)
		case p.Name == "no CORS on the server" && l.CORS && len(l.Refused) > 0:
			ps[i].Name = "request refused by the CORS code"
			ps[i].Sentence = fmt.Sprintf("the answer has no CORS header, but the server's CORS code is there: other preflights to this URL from the same origin got CORS headers, and it refused %s without saying why (rack-cors, ASP.NET Core and others leave the headers out); add what the page sends to the CORS settings, keeping what they allow", strings.Join(l.Refused, "; "))
		case p.Name == "no CORS on the server" && !l.CORS && !p.Preflight && l.preflightCause.Name != "":
			ps[i].Name = l.preflightCause.Name
			ps[i].Sentence = fmt.Sprintf("this answer has no CORS header, and no answer to %d probe requests had one; the probe's preflights to this URL show why: %s", l.Requests, l.preflightCause.Detail)
		case (p.Name == "no CORS on the server" || p.Name == "wrong server or error page") && l.CORS && pageAllowed && !p.Preflight:
			ps[i] = answerWithoutCORS(p, fmt.Sprintf("%d probe requests showed the server's CORS code allows this origin (its preflights got Access-Control-Allow-Origin)", l.Requests))
		case strings.Contains(p.Sentence, "(probably:") && !l.CORS:
			ps[i].Name = "no CORS on the server"
			ps[i].Sentence = fmt.Sprintf("no answer to %d probe requests (preflights for the usual methods and headers, from two origins, and GETs) carried an Access-Control-* header: the CORS middleware is missing, or not on this route", l.Requests)
		}
	}
	return ps
}

// answerWithoutCORS names the cause of an answer without CORS headers to
// a request whose origin the server's CORS code allows: the probe's
// preflights from the same origin got CORS headers, so the CORS code is
// there and this answer skipped it, by a route that answered before it or
// an error answer it leaves bare. seen says what showed the CORS code.
func answerWithoutCORS(p Problem, seen string) Problem {
	if p.Status >= 400 {
		p.Name = "errors without CORS headers"
		p.Sentence = fmt.Sprintf("this %d answer has no CORS header, but %s: the error answer skips the CORS headers; make the server add them to errors too (nginx: add_header ... always)", p.Status, seen)
		return p
	}
	p.Name = "CORS after the route"
	p.Sentence = fmt.Sprintf("this %d answer has no CORS header, but %s: the route answered before the CORS code ran (Express: app.use(cors()) placed after app.get/app.put), or this route bypasses it; register the CORS handling before every route", p.Status, seen)
	return p
}
