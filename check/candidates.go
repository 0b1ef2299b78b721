package check

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
)

// maxCandidates bounds the requests a reproduction judges.
const maxCandidates = 48

// candidates returns the requests a reproduction tries, likeliest first,
// and names what it searches: what the console line states (method,
// credentials include, the refused header) is fixed, the rest varies:
// methods, credentials same-origin or include, a JSON Content-Type,
// Authorization.
func candidates(ev Evidence, s Search, base Options) ([]Options, []string) {
	var searched []string
	methods := []string{base.Method}
	switch {
	case s.MethodGiven:
	case ev.Method != "":
		methods = []string{ev.Method}
	case ev.Preflight && ev.Header == "":
		methods = []string{"PUT", "POST", "DELETE", "PATCH", "GET"}
		searched = append(searched, "method")
	default:
		methods = []string{"GET", "POST", "PUT", "DELETE", "PATCH"}
		searched = append(searched, "method")
	}
	creds := []browser.Credentials{base.Credentials}
	switch {
	case s.CredentialsGiven:
	case statesInclude(ev.Reason):
		creds = []browser.Credentials{browser.Include}
	default:
		creds = []browser.Credentials{browser.SameOrigin, browser.Include}
		searched = append(searched, "credentials")
	}
	if !s.HeadersGiven {
		searched = append(searched, "headers (Content-Type: application/json, Authorization)")
	}
	var out []Options
	for _, m := range methods {
		for _, hs := range headerSets(ev, s, base, m) {
			for _, c := range creds {
				o := base
				o.Method, o.Headers, o.Credentials = m, hs, c
				if len(out) < maxCandidates {
					out = append(out, o)
				}
			}
		}
	}
	return out, searched
}

// headerSets returns the header sets tried with method m: the flags'
// headers when given; else the refused header the line names, alone and
// with a JSON Content-Type (for a method with a body) and Authorization.
func headerSets(ev Evidence, s Search, base Options, m string) [][]browser.Header {
	if s.HeadersGiven {
		return [][]browser.Header{base.Headers}
	}
	named := slices.Clone(base.Headers)
	if ev.Header != "" && !hasHeader(named, ev.Header) {
		named = append(named, browser.Header{Name: ev.Header, Value: sampleValue(ev.Header)})
	}
	with := func(extra ...string) []browser.Header {
		hs := slices.Clone(named)
		for _, n := range extra {
			if !hasHeader(hs, n) {
				hs = append(hs, browser.Header{Name: n, Value: sampleValue(n)})
			}
		}
		return hs
	}
	var sets [][]browser.Header
	if isBodyless(m) || strings.EqualFold(m, "DELETE") {
		sets = [][]browser.Header{with(), with("Authorization"), with("Content-Type")}
	} else {
		sets = [][]browser.Header{with("Content-Type"), with(), with("Content-Type", "Authorization"), with("Authorization")}
	}
	// Drop the sets that came out the same (the line named one of them).
	var out [][]browser.Header
	for _, hs := range sets {
		if !slices.ContainsFunc(out, func(o []browser.Header) bool { return slices.Equal(o, hs) }) {
			out = append(out, hs)
		}
	}
	return out
}

func hasHeader(hs []browser.Header, name string) bool {
	return slices.ContainsFunc(hs, func(h browser.Header) bool { return strings.EqualFold(h.Name, name) })
}

// sampleValue is the value tried for a header the page sets: JSON for
// Content-Type, a bearer token for Authorization, else "1".
func sampleValue(name string) string {
	switch strings.ToLower(name) {
	case "content-type":
		return "application/json"
	case "authorization":
		return "Bearer corskit"
	}
	return "1"
}

// searchSender sends a reproduction's requests: each distinct one once,
// at most max in all, and a request that may change data only once and
// when its method is the stated one, unless SendActual allows more.
type searchSender struct {
	ctx        context.Context
	stated     string
	sendActual bool
	max, sent  int
	seen       map[string]searchAnswer
	order      []string // seen's keys, in the order sent
	// changed is true once a request that may change data was sent: the
	// search sends one at most, as corskit check sends the page's request
	// once.
	changed bool
}

type searchAnswer struct {
	in  browser.Incoming
	err error
}

func newSearchSender(ctx context.Context, stated string, sendActual bool, max int) *searchSender {
	if max <= 0 {
		max = DefaultMaxRequests
	}
	return &searchSender{ctx: ctx, stated: stated, sendActual: sendActual, max: max, seen: map[string]searchAnswer{}}
}

// forOptions is the RoundTripper for candidate o, whose body it sends.
func (s *searchSender) forOptions(o Options) browser.RoundTripper {
	real := Transport(s.ctx, o)
	body, _, _ := o.sentBody()
	return func(out browser.Outgoing) (browser.Incoming, error) {
		key := s.key(out, body)
		if a, ok := s.seen[key]; ok {
			return a.in, a.err
		}
		unsafe := !out.Preflight && !isSafe(out.Method)
		if unsafe && !s.sendActual && (s.changed || !strings.EqualFold(out.Method, s.stated)) {
			return browser.Incoming{}, errSearchNotSent
		}
		if s.sent >= s.max {
			return browser.Incoming{}, errBudget
		}
		s.sent++
		s.changed = s.changed || unsafe
		in, err := real(out)
		s.seen[key] = searchAnswer{in, err}
		s.order = append(s.order, key)
		return in, err
	}
}

// key identifies an HTTP request: corskit sends no cookies, so the
// credentials mode does not change what is sent.
func (s *searchSender) key(out browser.Outgoing, body string) string {
	key := fmt.Sprintf("%v %s %s %v %v", out.Preflight, out.Method, out.URL, out.Header, out.Body)
	if out.Body {
		key += " " + body
	}
	return key
}

// isSafe reports whether a method never changes data: GET, HEAD, OPTIONS.
func isSafe(m string) bool {
	m = strings.ToUpper(m)
	return m == "GET" || m == "HEAD" || m == "OPTIONS"
}
