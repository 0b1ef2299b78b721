package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/corskit/corskit/browser"
)

// Search is what a reproduction starts from: the request as far as the
// flags tell it, and which of its parts the flags gave. What neither the
// flags nor the pasted lines state is searched.
type Search struct {
	// Options is the request as the flags give it; its URL and Origin,
	// when empty, come from the lines.
	Options Options
	// MethodGiven, HeadersGiven and CredentialsGiven say that the flags
	// gave Options.Method, Options.Headers and Options.Credentials.
	MethodGiven, HeadersGiven, CredentialsGiven bool
	// MaxRequests bounds the real requests the search sends; default
	// DefaultMaxRequests.
	MaxRequests int
	// Page says the search runs for corskit serve's page, which has a form
	// and no flags: what to give is named by the form's fields.
	Page bool
}

// DefaultMaxRequests is how many real requests a reproduction sends at
// most.
const DefaultMaxRequests = 32

// Reproduction is what the search for the pasted lines found: the request
// whose verdict, in the model of the engine that wrote them, prints them
// byte for byte, or the closest one.
type Reproduction struct {
	// Engine is the engine that wrote the lines.
	Engine string `json:"engine"`
	// Lines are the pasted lines; Says what they state, in words.
	Lines []string `json:"lines"`
	Says  string   `json:"says"`
	// Reproduced is true when the found request prints every pasted line;
	// Matched counts the lines it prints.
	Reproduced bool `json:"reproduced"`
	Matched    int  `json:"matched"`
	// Request is the request found, or the closest one tried.
	Request JSONInput `json:"request"`
	// Options are Request's check options.
	Options Options `json:"-"`
	// Got are the lines the model prints for Request; GotAllowed is true
	// when the engine lets the page read the answer (no line).
	Got        []string `json:"got"`
	GotAllowed bool     `json:"got_allowed"`
	// Searched names what the lines and flags left open and the search
	// tried.
	Searched []string `json:"searched,omitempty"`
	// Tried counts the requests judged, Sent the real HTTP requests sent
	// (a preflight shared by several is sent once).
	Tried int `json:"tried"`
	Sent  int `json:"requests_sent"`
	// NotSent are the requests that may change data the search did not
	// send (see Options.SendActual).
	NotSent []string `json:"not_sent,omitempty"`
	// Causes are, when the requests that print the lines have different
	// causes, each cause with its request, ranked: the report is for the
	// first. Ambiguous is true when more than one stands (none of the
	// server's answers rules it out).
	Causes    []Cause `json:"causes,omitempty"`
	Ambiguous bool    `json:"ambiguous,omitempty"`
	// Give are the flags that tell what the search could not find.
	Give []string `json:"give,omitempty"`
	// Notes are what the search learnt beside the lines, e.g. that the
	// server answers preflights with CORS headers where the request it
	// found got none.
	Notes []string `json:"notes,omitempty"`

	sender *searchSender // the answers the search got, for Run
}

// errSearchNotSent and errBudget stop a candidate request: one that may change
// data and was not stated, or one over the search's bound.
var (
	errSearchNotSent = errors.New("corskit did not send this request: it may change data and the pasted line does not say the page sent it")
	errBudget        = errors.New("corskit sent as many requests as the search allows")
)

// Reproduce searches for the request that prints the failure's lines: what
// the lines state (URL, origin, method, credentials, refused header) is
// kept, and what they leave open (method, credentials, a JSON
// Content-Type, Authorization) is tried, with at most s.MaxRequests real
// requests. Preflights are sent freely; a request that may change data
// only when the lines or flags state its method, or with SendActual. Its
// error is for lines that are no CORS failure (a *NotCORSError) or
// options that cannot be completed (the origin Firefox never names).
func Reproduce(ctx context.Context, f ConsoleFailure, s Search) (Reproduction, error) {
	ev, err := ParseConsole(strings.Join(f.Lines, "\n"))
	if err != nil {
		return Reproduction{}, err
	}
	base, err := searchBase(ev, s)
	if err != nil {
		return Reproduction{}, err
	}
	engine, _ := browser.EngineNamed(ev.Engine)
	r := Reproduction{Engine: ev.Engine, Lines: f.Lines, Says: says(ev)}
	stated := base.Method
	if !s.MethodGiven {
		stated = ev.Method
	}
	send := newSearchSender(ctx, stated, base.SendActual, s.MaxRequests)
	cands, searched := candidates(ev, s, base)
	r.Searched = searched
	best := -1
	var repro []Options
	for _, o := range cands {
		if err := o.Validate(); err != nil {
			return Reproduction{}, err
		}
		req := o.request()
		req.StandIn = o.PageAddressSpace == "" && isLocal(req)
		v := engine.Fetch(req, send.forOptions(o))
		if errors.Is(v.Err, errBudget) && !r.Reproduced {
			break
		}
		if errors.Is(v.Err, errBudget) {
			continue // past the first, only requests already answered are judged
		}
		r.Tried++
		if errors.Is(v.Err, errSearchNotSent) {
			if !r.Reproduced {
				r.NotSent = append(r.NotSent, describe(o))
			}
			continue
		}
		n := matchLines(f.Lines, v)
		if n > best {
			best = n
			r.Matched, r.Options, r.GotAllowed, r.Got = n, o, v.Allowed, v.Messages
		}
		if n == len(f.Lines) {
			if !r.Reproduced {
				// Go on, a few requests more, for the others that print
				// the same lines: they may have another cause.
				r.Reproduced = true
				send.max = min(send.max, send.sent+extraRequests)
			}
			if repro = append(repro, o); len(repro) == maxReproducing {
				break
			}
		}
	}
	if len(repro) > 1 {
		r.Causes, r.Ambiguous = rankCauses(repro, send)
		r.Options = r.Causes[0].options
		if len(r.Causes) == 1 {
			r.Causes = nil
		}
	}
	if r.Reproduced && !s.MethodGiven && ev.Method == "" && ev.Reason == browser.MissingAllowOrigin && !ev.Preflight && len(r.Causes) == 0 {
		r.Notes = preflightHasCORS(r.Options, send)
	}
	r.Sent, r.sender = send.sent, send
	if best < 0 { // nothing could be judged: keep the first request
		r.Options = cands[0]
		r.Options.Validate()
	}
	r.Request = inputOf(r.Options)
	if !r.Reproduced {
		r.Give = give(ev, s, r)
	}
	return r, nil
}

// searchBase is the flags' request completed by what the line states:
// its URL (the first of a redirect) and the page's origin, which a
// Firefox line never names.
func searchBase(ev Evidence, s Search) (Options, error) {
	base := s.Options
	if base.URL == "" {
		base.URL = ev.URL
		if ev.FirstURL != "" {
			base.URL = ev.FirstURL
		}
	}
	if base.Origin == "" && ev.Origin != "null" {
		base.Origin = ev.Origin
	}
	if base.Origin == "" {
		return base, fmt.Errorf("corskit check: the %s line does not name the page's origin: add --origin, the origin of the page that made the request, e.g. --origin http://localhost:3000", ev.Engine)
	}
	return base, nil
}

// matchLines counts the pasted lines the verdict prints; Chromium may name
// another refused header (Alternatives) in its one line.
func matchLines(pasted []string, v browser.Verdict) int {
	n := 0
	for _, p := range pasted {
		for _, g := range append(append([]string{}, v.Messages...), v.Alternatives...) {
			if g == p {
				n++
				break
			}
		}
	}
	return n
}

// inputOf is the request of o as the JSON output shows it.
func inputOf(o Options) JSONInput {
	in := JSONInput{URL: o.URL, Origin: o.Origin, Method: o.Method, Headers: map[string]string{}, Credentials: string(o.Credentials), Body: o.Body}
	for _, h := range o.Headers {
		in.Headers[h.Name] = h.Value
	}
	return in
}

// describe is a request in a few words: "PUT URL, credentials include,
// headers [Content-Type: application/json]".
func describe(o Options) string {
	var hs []string
	for _, h := range o.Headers {
		hs = append(hs, h.Name+": "+h.Value)
	}
	d := fmt.Sprintf("%s %s from %s, credentials %s", o.Method, o.URL, o.Origin, o.Credentials)
	if len(hs) > 0 {
		d += ", headers [" + strings.Join(hs, ", ") + "]"
	}
	return d
}

// Describe is the found request in a few words.
func (r Reproduction) Describe() string { return describe(r.Options) }

// says puts what a console line states in words.
func says(ev Evidence) string {
	var parts []string
	if ev.Method != "" {
		parts = append(parts, ev.Method)
	}
	parts = append(parts, ev.URL)
	if ev.Origin != "" {
		parts = append(parts, "from origin "+ev.Origin)
	}
	if statesInclude(ev.Reason) {
		parts = append(parts, "with credentials include")
	}
	d := fmt.Sprintf("%s says: %s was blocked (%s", ev.Engine, strings.Join(parts, " "), ev.Reason)
	if ev.Header != "" {
		d += ", header " + ev.Header
	}
	if ev.Status != 0 {
		d += fmt.Sprintf(", status %d", ev.Status)
	}
	if ev.Preflight {
		d += ", on the preflight"
	}
	return d + ")"
}

// statesInclude reports whether a failed check only happens with
// credentials: 'include'.
func statesInclude(r browser.Reason) bool {
	return r == browser.WildcardWithCredentials || r == browser.InvalidAllowCredentials
}

// give lists the flags (or, on the page, the fields) that would tell what
// the search could not find.
func give(ev Evidence, s Search, r Reproduction) []string {
	words := map[string]string{
		"method":      "-X METHOD (the method the page gives fetch())",
		"headers":     "-H 'Name: value' for each header the page sets",
		"credentials": "--credentials include if the page sends cookies (credentials: 'include')",
		"actual":      "--send-actual to let corskit send requests that may change data (",
	}
	if s.Page {
		words = map[string]string{
			"method":      "the page's method in the Method field",
			"headers":     "each header the page sets in the Headers field",
			"credentials": "Credentials: include if the page sends cookies",
			"actual":      "the page's method and headers: corskit does not send a request that may change data on a guess (",
		}
	}
	var g []string
	if !s.MethodGiven && ev.Method == "" {
		g = append(g, words["method"])
	}
	if !s.HeadersGiven {
		g = append(g, words["headers"])
	}
	if !s.CredentialsGiven && !statesInclude(ev.Reason) {
		g = append(g, words["credentials"])
	}
	if len(r.NotSent) > 0 {
		g = append(g, words["actual"]+r.NotSent[0]+")")
	}
	if r.GotAllowed {
		g = append(g, "or check whether the server changed since the line was logged: corskit's closest request is allowed now")
	}
	return g
}

// preflightHasCORS asks, with one preflight (safe to send), whether the
// server answers a preflighted request's preflight with CORS headers, when
// the request found (a simple one) got none: the same line then comes from
// CORS handling that runs after the route, or skips errors, for a
// preflighted request too, which the line cannot tell apart.
func preflightHasCORS(o Options, send *searchSender) []string {
	p := o
	p.Method, p.Headers = "PUT", []browser.Header{{Name: "Content-Type", Value: "application/json"}}
	out := browser.Outgoing{Preflight: true, Method: "OPTIONS", URL: o.URL, Header: http.Header{
		"Origin": {o.Origin}, "Access-Control-Request-Method": {"PUT"}, "Access-Control-Request-Headers": {"content-type"},
	}}
	in, err := send.forOptions(p)(out)
	if err != nil || in.Header.Get("Access-Control-Allow-Origin") == "" {
		return nil
	}
	return []string{fmt.Sprintf("the same line comes from a preflighted request (PUT, JSON, Authorization...) too, and the server answers its preflight with CORS headers (Access-Control-Allow-Origin: %s): if the page's request is one, its CORS handling runs after the route that answered, or skips errors; give its method and headers to check it", in.Header.Get("Access-Control-Allow-Origin"))}
}
