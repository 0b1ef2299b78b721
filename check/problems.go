package check

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
)

// Problem is one thing on the request's path that blocks it.
type Problem struct {
	// Code is the failing check, as browser.Reason spells it.
	Code string `json:"code"`
	// Name is the problem's short name, e.g. "preflight not handled".
	Name string `json:"name"`
	// Sentence says what is wrong and why, read from the refused answer's
	// status, headers and body.
	Sentence string `json:"sentence"`
	// Message is the console line the engine logs when this problem is the
	// first left: for the problems after the first, what the browser says
	// once the ones before are fixed.
	Message string `json:"message,omitempty"`
	// Preflight is true when the refused answer is the preflight's.
	Preflight bool `json:"preflight"`
	// Status is the refused answer's status; 0 without an answer.
	Status int `json:"status,omitempty"`
	// Again names the later answers with the same problem, e.g.
	// "request, 200": one setting of the server's, met on several answers.
	Again []string `json:"again,omitempty"`
}

// answer names the refused answer: "preflight, 405".
func (p Problem) answer() string {
	where := "request"
	if p.Preflight {
		where = "preflight"
	}
	if p.Status != 0 {
		where += fmt.Sprintf(", %d", p.Status)
	}
	return where
}

// maxProblems bounds the search: no path has more checks than this.
const maxProblems = 12

// findProblems lists every problem on the request's path, in the order the
// engine meets them. A browser stops at the first; the doctor then pretends
// that answer was right on that point (the answer's other headers, and every
// other answer, stay as the server sent them) and goes on, sending the
// requests the browser would send next. It stops at a problem no header
// fixes (a network error, a redirect the browser refuses) or that the
// pretence does not clear.
//
// A request that may change data (any method but GET, HEAD and OPTIONS) is
// not sent after its real preflight failed, since the browser would not
// send it, unless sendActual: unsent is then true.
func findProblems(req browser.Request, e *browser.Engine, rt browser.RoundTripper, sendActual bool) (out []Problem, unsent bool) {
	fixes := map[string][]browser.Reason{}
	refused := false
	for range maxProblems {
		v := e.Fetch(req, mended(rt, fixes, sendActual))
		if errors.Is(v.Err, errNotSent) {
			return out, true
		}
		if v.Allowed || errors.Is(v.Err, ErrNotRecorded) && len(out) > 0 {
			break // past the first problem, a recording tells no more
		}
		x := lastResponse(v)
		p := Problem{Code: string(v.Reason), Message: v.Message}
		if x != nil {
			// The status the server sent, not the one pretended.
			p.Preflight, p.Status = x.Request.Preflight, original(rt)(x.Request).Status
		}
		m := explain(req, v, original(rt))
		p.Name, p.Sentence = m.Name, m.Detail
		var key string
		if x != nil {
			key = exchangeKey(x.Request)
		}
		// An answer without any CORS header is one problem, told once:
		// what else it lacks follows from it. So is every answer after
		// the server refused the origin, when it says nothing more.
		bare := x != nil && !hasCORS(original(rt)(x.Request).Header)
		switch i := slices.IndexFunc(out, func(q Problem) bool { return q.Name == p.Name }); {
		case bare && (len(fixes[key]) > 0 || refused):
		case i >= 0 && out[i].Preflight == p.Preflight && out[i].Status == p.Status && strings.HasSuffix(p.Name, "refused by the CORS code"):
			// One refusal (a framework's 400 or 403 says it once for
			// every check it failed), told once.
		case i >= 0 && out[i].Preflight != p.Preflight:
			out[i].Again = append(out[i].Again, p.answer())
		default:
			out = append(out, p)
		}
		refused = refused || refusesOrigin(m)
		if x == nil || !headerFixable(v) || !mendable(v.Reason) {
			break
		}
		if slices.Contains(fixes[key], v.Reason) {
			break // the pretence did not clear it
		}
		fixes[key] = append(fixes[key], v.Reason)
	}
	return out, false
}

// errNotSent answers, in the search for problems, a request the doctor does
// not send: one that may change data, after its real preflight failed.
var errNotSent = errors.New("not sent: the browser would not send it while its preflight fails")

// refusesOrigin reports whether a problem's cause is the server's list of
// origins.
func refusesOrigin(m Mistake) bool {
	switch m.Name {
	case "origin not allowed", "origin refused by the CORS code", "wrong origin allowed", "origin typo":
		return true
	}
	return false
}

// original returns the server's own answer to a request already sent, as rt
// (memoized) gave it, without the doctor's pretence.
func original(rt browser.RoundTripper) func(browser.Outgoing) browser.Incoming {
	return func(o browser.Outgoing) browser.Incoming {
		in, _ := rt(o)
		return in
	}
}

// exchangeKey names a request across runs of the model.
func exchangeKey(o browser.Outgoing) string {
	kind := "request"
	if o.Preflight {
		kind = "preflight"
	}
	return kind + " " + o.Method + " " + o.URL
}

// mendable reports whether the doctor can pretend an answer passes the check.
func mendable(r browser.Reason) bool {
	switch r {
	case browser.MissingAllowOrigin, browser.AllowOriginMismatch, browser.MultipleAllowOrigin, browser.InvalidAllowOrigin,
		browser.WildcardWithCredentials, browser.InvalidAllowCredentials, browser.PreflightStatus,
		browser.MethodNotAllowed, browser.InvalidAllowMethods, browser.HeaderNotAllowed, browser.InvalidAllowHeaders:
		return true
	}
	return false
}

// mended wraps rt: each answer named in fixes is changed, on a copy, so that
// it passes the checks listed for it.
func mended(rt browser.RoundTripper, fixes map[string][]browser.Reason, sendActual bool) browser.RoundTripper {
	return func(o browser.Outgoing) (browser.Incoming, error) {
		if !o.Preflight && !sendActual && !safeMethod(o.Method) && preflightMended(fixes) {
			return browser.Incoming{}, errNotSent
		}
		in, err := rt(o)
		reasons := fixes[exchangeKey(o)]
		if err != nil || len(reasons) == 0 {
			return in, err
		}
		in.Header = in.Header.Clone()
		if in.Header == nil {
			in.Header = http.Header{}
		}
		for _, r := range reasons {
			mend(&in, o, r)
		}
		return in, nil
	}
}

// safeMethod reports whether a request with method m changes nothing on
// a well-behaved server.
func safeMethod(m string) bool {
	m = strings.ToUpper(m)
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// preflightMended reports whether a preflight was taken as passed: the real
// one failed.
func preflightMended(fixes map[string][]browser.Reason) bool {
	for k, rs := range fixes {
		if strings.HasPrefix(k, "preflight ") && len(rs) > 0 {
			return true
		}
	}
	return false
}

// mend changes in so that it passes the check r failed.
func mend(in *browser.Incoming, o browser.Outgoing, r browser.Reason) {
	h := in.Header
	switch r {
	case browser.MissingAllowOrigin, browser.AllowOriginMismatch, browser.MultipleAllowOrigin, browser.InvalidAllowOrigin, browser.WildcardWithCredentials:
		h.Set("Access-Control-Allow-Origin", o.Header.Get("Origin"))
	case browser.InvalidAllowCredentials:
		h.Set("Access-Control-Allow-Credentials", "true")
	case browser.PreflightStatus:
		in.Status = http.StatusNoContent
	case browser.MethodNotAllowed, browser.InvalidAllowMethods:
		h.Set("Access-Control-Allow-Methods", o.Header.Get("Access-Control-Request-Method"))
	case browser.HeaderNotAllowed, browser.InvalidAllowHeaders:
		h.Set("Access-Control-Allow-Headers", o.Header.Get("Access-Control-Request-Headers"))
	}
}
