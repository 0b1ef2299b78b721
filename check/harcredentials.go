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
// means include; a success recorded by a tool that writes failures
// (DevTools: an entry with _resourceType gets _error when blocked) means
// the page read the answer, so without; else, as for a cURL copy, the
// report is for include, which fails. The sentence says which and why; it
// is "" when the modes agree or the file decides nothing.
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
	switch {
	case failed:
		what := "no answer (status 0)"
		if e.failed != nil {
			what = *e.failed
		}
		return browser.Include, fmt.Sprintf("%s; the file records the failure (%s), which only credentials: 'include' explains: judged with include", unknown, what)
	case e.resourceType != "":
		return "", fmt.Sprintf("%s; the file records no failure for it, and the browser that wrote it records one for a blocked request: judged without; give --credentials include if the page sends cookies", unknown)
	}
	return browser.Include, fmt.Sprintf("%s; the report is for include, which fails; give --credentials same-origin if the page sends none", unknown)
}

// bothBlocked judges r again with credentials: 'include' when the file
// holds no cookie and, without credentials, the recorded answers block it:
// when include is blocked too, for another first cause (Safari's and
// Chromium's preflight status check comes before the wildcard's), the
// file cannot tell them apart; the report is for include, whose fix lets
// the request through without credentials too, and the sentence says so.
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
	return rep, fmt.Sprintf("credentials unknown: the file holds no cookie and does not say whether the page used credentials: 'include'; the recorded answers block the request either way, without them for %q, with them for %q; judged with include, whose fix lets the request through without credentials too; give --credentials same-origin if the page sends none", firstCause(without), firstCause(rep)), true
}

// firstCause is the name of a report's first problem, or its reason.
func firstCause(r Report) string {
	if len(r.Problems) > 0 {
		return r.Problems[0].Name
	}
	return string(r.Verdict.Reason)
}
