package check

import (
	"context"
	"errors"
	"fmt"

	"github.com/corskit/corskit/browser"
)

// harCredentials decides the credentials mode of a HAR request whose entry
// holds no cookie and for which --credentials was not given: the file does
// not say whether the page used credentials: 'include'. Both modes are
// judged on the recorded answers. When they agree, nothing is said. When
// only include is blocked, the file's evidence decides: a failure it
// records (an _error, _failureText or status 0) that only include explains
// means include; else it is judged without, as the file shows a completed
// answer, and the sentence says include would be blocked (Chromium's
// DevTools writes _error on a blocked entry; Firefox reports a blocked
// answer as completed, so there the sentence says the file cannot tell).
// The sentence is "" when the modes agree.
func (h HAR) harCredentials(r HARRequest) (browser.Credentials, string) {
	if r.Options.Credentials != "" || r.NotJudged != "" || r.entry >= len(h.entries) {
		return r.Options.Credentials, ""
	}
	with := r
	with.Options.Credentials = browser.Include
	okWithout, errWithout := allowedOffline(r.Options, h.Replay(r))
	okWith, errWith := allowedOffline(with.Options, h.Replay(with))
	if errWith != nil || okWith || errWithout != nil || !okWithout {
		return "", "" // the modes agree, or include explains nothing more
	}
	e := &h.entries[r.entry]
	failed := e.failed != nil || e.status == 0
	unknown := "credentials unknown: the file holds no cookie and does not say whether the page used credentials: 'include'; without them the recorded answers are allowed, with them blocked"
	if failed {
		what := "no answer (status 0)"
		if e.failed != nil {
			what = *e.failed
		}
		return browser.Include, fmt.Sprintf("%s; the file records the failure (%s), which only credentials: 'include' explains: judged with include", unknown, what)
	}
	how := "the file records no failure for it"
	if !e.chromium {
		how += " (though not every tool records one: Firefox reports a blocked answer as completed)"
	}
	return "", fmt.Sprintf("%s; %s: judged without; give Options.Credentials include if the page sends cookies", unknown, how)
}

// bothBlocked judges r again with credentials: 'include' when the file
// holds no cookie and, without credentials, the recorded answers block it:
// when include is blocked too, for another first cause (Safari's and
// Chromium's preflight status check comes before the wildcard's), the
// file cannot tell them apart; the report is for include, whose fix lets
// the request through without credentials too, and the sentence says so.
// Include is ruled out when it fails at the preflight while the file holds
// the request's own answer (the browser sent it: its preflight passed).
func (h HAR) bothBlocked(ctx context.Context, r HARRequest, without Report) (Report, string, bool) {
	if r.Options.Credentials != "" || without.Allowed() || errors.Is(without.Verdict.Err, ErrNotRecorded) {
		return without, "", false
	}
	with := r
	with.Options.Credentials = browser.Include
	rep, err := Judge(ctx, with.Options, h.Replay(with))
	if err != nil || rep.Allowed() || errors.Is(rep.Verdict.Err, ErrNotRecorded) || firstCause(rep) == firstCause(without) {
		return without, "", false
	}
	if x := lastResponse(rep.Verdict); x != nil && x.Request.Preflight && r.entry < len(h.entries) && h.entries[r.entry].status != 0 {
		// The file holds the request's own answer: the browser sent it, so
		// its preflight passed, which with include it does not.
		return without, "", false
	}
	return rep, fmt.Sprintf("credentials unknown: the file holds no cookie and does not say whether the page used credentials: 'include'; the recorded answers block the request either way, without them for %q, with them for %q; judged with include, whose fix lets the request through without credentials too; give Options.Credentials same-origin if the page sends none", firstCause(without), firstCause(rep)), true
}

// firstCause is the name of a report's first problem, or its reason.
func firstCause(r Report) string {
	if len(r.Problems) > 0 {
		return r.Problems[0].Name
	}
	return string(r.Verdict.Reason)
}
