package check

import (
	"errors"

	"github.com/corskit/corskit/browser"
)

// NotRecorded is the verdict's reason when a HAR holds no answer the
// engines could judge: an entry with status 0 or -1 (the browser blocked
// it, or the tool kept nothing), or a preflight the file does not hold.
// No engine logs a line for it: what the engine said is not in the file.
const NotRecorded browser.Reason = "not_recorded"

// asRecorded turns the verdicts that met ErrNotRecorded into NotRecorded
// ones, without console lines: an engine logs "CORS request did not
// succeed" for a network error, which the file does not show.
func asRecorded(r *Report) {
	for i := range r.Engines {
		v := &r.Engines[i].Verdict
		if !v.Allowed && errors.Is(v.Err, ErrNotRecorded) {
			v.Reason, v.Message, v.Messages, v.Alternatives = NotRecorded, "", nil, nil
		}
	}
	if len(r.Engines) > 0 {
		r.Verdict = r.Engines[0].Verdict
	}
}

// markNotRecorded marks the exchanges of j the HAR does not hold: those
// that met ErrNotRecorded, and the preflight taken as passed because the
// browser sent the request (cached, or not saved by the tool). The network
// error the replay reports is no network error.
func markNotRecorded(j *JSON, r Report, preflightTaken bool) {
	for i, x := range r.Verdict.Exchanges {
		if i < len(j.Exchanges) && (errors.Is(x.Err, ErrNotRecorded) || preflightTaken && x.Request.Preflight) {
			j.Exchanges[i].NotRecorded = true
		}
	}
	if errors.Is(r.Verdict.Err, ErrNotRecorded) {
		j.NetworkError = ""
	}
}
