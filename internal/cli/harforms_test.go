package cli

import (
	"os"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/browsertest"
)

// The HAR forms of this file, as the table names them.
const (
	playwrightHARForm = "Playwright recordHar HAR (as is)"
	webkitHARForm     = "WebKit inspector HAR (as is)"
	// Firefox's own export, its network monitor's (see
	// firefoxDevToolsHAR).
	firefoxDevToolsHARForm = "Firefox DevTools HAR (as is)"
)

// recordsHARForm reports whether this run records the case's HAR of form:
// WebKit's inspector HAR always (the case's own WebKit, well under a
// second); Firefox's DevTools export (one Firefox with its toolbox and an
// Xvfb per test process, seconds of CPU to start, about a second each
// after) and Playwright's (node and a Chromium of its own, seconds at its
// first recording) with CORSKIT_BROKEN_ALL set, in CI's every-case step,
// to keep go test ./... within its budget.
// TestPlaywrightRecordHAR and TestFirefoxDevToolsRecordHAR
// (internal/browsertest) run the recorders in go test ./....
func recordsHARForm(form string) bool {
	return form == webkitHARForm || os.Getenv("CORSKIT_BROKEN_ALL") != ""
}

// moreHARForms is issue 21's proof for the HARs other tools write, in
// this case: the credentialed GET and the credentialed JSON PUT, recorded
// from the real broken server by Playwright's recordHar (its own Chromium,
// shared by the test process, on the case's Chromium page origin) and by
// WebKit's remote inspector
// (the case's WebKit), each judged with check --har alone, as the
// Chromium and Firefox HAR rows are (recordsHARForm says which cases).
func moreHARForms(t *testing.T, table *pasteTable, bs brokenServer, engines map[string]browsertest.Engine, base string) {
	t.Helper()
	pw, wk, ff := recordsHARForm(playwrightHARForm), recordsHARForm(webkitHARForm), recordsHARForm(firefoxDevToolsHARForm)
	if !pw && !wk && !ff {
		return
	}
	get := getReq("include")
	get.URL = base + bs.path
	reqs := []browsertest.Request{get, theRequest(base + bs.path)}
	// One after the other: WebKit's takes well under a second, and
	// parallel subtests would wait for a slot among the other cases'.
	if pw {
		t.Run("playwright HAR", func(t *testing.T) {
			origin := engines["chromium"].Origin()
			began := time.Now()
			res, har := browsertest.RecordPlaywrightHAR(t, origin+"/", reqs)
			t.Logf("%s: recorded in %.1f s", playwrightHARForm, time.Since(began).Seconds())
			harFormRows(t, table, bs, playwrightHARForm, origin, reqs, res, har)
		})
	}
	if wk {
		t.Run("webkit inspector HAR", func(t *testing.T) {
			webkit := engines["safari"].(*browsertest.WebKit)
			began := time.Now()
			res, har := webkit.RecordHAR(t, reqs)
			t.Logf("%s: recorded in %.1f s", webkitHARForm, time.Since(began).Seconds())
			harFormRows(t, table, bs, webkitHARForm, webkit.Origin(), reqs, res, har)
		})
	}
	if ff {
		t.Run("firefox devtools HAR", func(t *testing.T) {
			firefoxDevToolsHAR(t, table, bs, engines["firefox"].(*browsertest.Firefox), reqs)
		})
	}
}

// firefoxDevToolsHAR records reqs with Firefox's own DevTools export, from
// a page on the case's Firefox page origin (the one the app allows), and
// holds its rows as the BiDi HAR's are held (firefoxHARRows): the engine's
// verdict, the live check's first cause, and for a GET Firefox blocked but
// recorded as a completed 200, a blocked part for credentials 'include'
// with that cause.
func firefoxDevToolsHAR(t *testing.T, table *pasteTable, bs brokenServer, firefox *browsertest.Firefox, reqs []browsertest.Request) {
	t.Helper()
	began := time.Now()
	res, har := firefox.RecordDevToolsHAR(t, reqs)
	t.Logf("%s: recorded in %.1f s", firefoxDevToolsHARForm, time.Since(began).Seconds())
	firefoxHARRows(t, table, bs, firefoxDevToolsHARForm, firefox.Origin(), reqs, []string{"GET include", "PUT json include"}, res, har)
}

// harFormRows judges a recorded HAR of reqs with check --har (the file,
// and the live fill of what it lacks) and adds a row per request. A row
// fails when its verdict is not the engine's, or when its first cause is
// not the live check's (truth) and the file does not say AMBIGUOUS with
// the truth listed, unless harGap names why (logged as a known gap).
func harFormRows(t *testing.T, table *pasteTable, bs brokenServer, form, origin string, reqs []browsertest.Request, res []browsertest.Result, har []byte) {
	t.Helper()
	labels := []string{"GET include", "PUT json include"}
	js := harReports(t, table, bs, origin, har)
	if len(js) != len(reqs) {
		t.Errorf("%s of a GET and a PUT: %d requests judged, want %d\n%s", form, len(js), len(reqs), har)
		return
	}
	for i, r := range js {
		add := func(cause string) {
			fix, narrowed := table.harFix(t, bs, reqs[i], r, labels[i], form)
			table.add(pasteRow{server: bs.name, request: labels[i], form: form, reproduced: "-", cause: cause, fix: fix, narrowed: narrowed, sent: harSent(r)})
		}
		j := r.Report
		switch {
		case j == nil:
			t.Errorf("%s, %s: no report\n%s", labels[i], form, har)
		case res[i].OK && !j.Allowed:
			t.Errorf("%s, %s: the engine allowed it, and its HAR, alone, is judged blocked: %s", labels[i], form, firstProblem(j.Problems))
			add("blocked (wrong)")
		case res[i].OK:
			add("allowed, as by the engine")
		case j.Allowed:
			t.Errorf("%s, %s: the engine blocked it (%s %q), and its HAR, alone, is judged allowed (%q)", labels[i], form, res[i].Error, res[i].Console, r.Note)
			add("allowed (wrong)")
		default:
			add(harFormCause(t, bs, form, labels[i], r, truth(t, bs, origin, reqs[i]), res[i]))
		}
	}
}

// harFormCause is a blocked request's row: its cause against want, the
// live check's. A file that holds no answer (Playwright's status -1,
// WebKit's status 0) is filled live by check --har: a row that stays "not
// recorded", or names another cause first, fails unless harGap names why.
func harFormCause(t *testing.T, bs brokenServer, form, label string, r harJudged, want string, res browsertest.Result) string {
	t.Helper()
	cause, wrong := harCause(r, want)
	if firstProblem(r.Report.Problems) == "not recorded" {
		cause, wrong = "not recorded (no answer in the file, none filled); truth "+want, true
	}
	switch gap := harGap(bs, form); {
	case wrong && gap != "":
		t.Logf("%s: KNOWN GAP: its %s: %s: %s", label, form, cause, gap)
		return cause + " (known gap)"
	case wrong:
		t.Errorf("%s: its %s names a wrong cause first: %s (the engine: %s %q)\n%s", label, form, cause, res.Error, res.Console, r.Gap)
	}
	return cause
}
