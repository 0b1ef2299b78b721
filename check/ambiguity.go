package check

import (
	"cmp"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
)

// maxReproducing bounds the requests a search keeps once they print the
// pasted lines, and extraRequests the real requests it sends after the
// first one did, to tell them apart.
const (
	maxReproducing = 24
	extraRequests  = 4
)

// Cause is one cause of the pasted lines: the first problem named for one
// of the requests that print them, with the request, and why it ranks
// where it does.
type Cause struct {
	// Name is the first problem's name; Request the first request, in the
	// search's order, that prints the lines for this cause.
	Name    string `json:"cause"`
	Request string `json:"request"`
	// RuledOut says what of the server's answers contradicts this cause;
	// empty when nothing does.
	RuledOut string `json:"ruled_out,omitempty"`
	// Why says why it ranks where it does.
	Why string `json:"why,omitempty"`

	options Options
	include bool // every request with this cause has credentials include
}

// rankCauses judges each request that prints the pasted lines, groups them
// by the first problem named, and ranks the groups: a cause the server's
// answers contradict (no CORS, when an answer to this origin carried
// Access-Control-Allow-Origin) last; a cause met only with credentials
// include before one met without, since its fix lets both through and the
// other fix leaves the credentialed request failing; else the search's
// order. Ambiguous is true when more than one cause stands.
func rankCauses(repro []Options, send *searchSender) (causes []Cause, ambiguous bool) {
	sawCORS := send.sawAllowOrigin()
	for _, o := range repro {
		// The cause the report would name: its first problem, in the
		// order of the first engine that blocks, as for a whole request.
		name, guessed := "none", false
		if rep, err := judge(send.ctx, o, send.forOptions(o), false); err == nil && len(rep.Problems) > 0 {
			name, guessed = rep.Problems[0].Name, strings.Contains(rep.Problems[0].Sentence, "(probably:")
		}
		inc := o.Credentials == browser.Include
		if i := slices.IndexFunc(causes, func(c Cause) bool { return c.Name == name }); i >= 0 {
			causes[i].include = causes[i].include && inc
			continue
		}
		c := Cause{Name: name, Request: describe(o), options: o, include: inc}
		switch {
		case sawCORS != "" && (name == "no CORS on the server" || name == "wrong server or error page"):
			c.RuledOut = "the server answered another of corskit's requests to this URL from this origin with Access-Control-Allow-Origin: " + sawCORS + ": its CORS code is there"
		case guessed && !send.sawAnyCORS():
			c.RuledOut = "a guess from a bare answer, and no answer to corskit's requests to this URL carried any Access-Control-* header"
		}
		causes = append(causes, c)
	}
	slices.SortStableFunc(causes, func(a, b Cause) int {
		return cmp.Or(cmpBool(a.RuledOut != "", b.RuledOut != ""), cmpBool(!a.include, !b.include))
	})
	standing := 0
	for i := range causes {
		if causes[i].RuledOut == "" {
			standing++
		}
	}
	for i := range causes {
		switch {
		case causes[i].RuledOut != "":
		case causes[i].include && standing > 1:
			causes[i].Why = "met only with credentials include, which the line does not rule out; its fix lets the request through without credentials too"
		case standing > 1:
			causes[i].Why = "the line does not tell this request from the one above; give the page's method, headers and credentials to decide"
		}
	}
	return causes, standing > 1
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// sawAllowOrigin is the Access-Control-Allow-Origin of the first answer
// the search got that carried one, or "".
func (s *searchSender) sawAllowOrigin() string {
	for _, k := range s.order {
		if v := s.seen[k].in.Header.Get("Access-Control-Allow-Origin"); s.seen[k].err == nil && v != "" {
			return v
		}
	}
	return ""
}

// sawAnyCORS reports whether any answer the search got carried an
// Access-Control-* header.
func (s *searchSender) sawAnyCORS() bool {
	for _, k := range s.order {
		if s.seen[k].err == nil && hasCORS(s.seen[k].in.Header) {
			return true
		}
	}
	return false
}
