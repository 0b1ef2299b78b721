package record

import (
	"context"
	"fmt"
	"slices"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// Result is one cross-origin request the app made, judged by the model of
// the three engines from what the recorded engine saw, and compared with
// what that engine said.
type Result struct {
	// Engine is the recorded engine: chromium or firefox.
	Engine string `json:"engine"`
	// Method, URL and Origin are the request's.
	Method string `json:"method"`
	URL    string `json:"url"`
	Origin string `json:"origin"`
	// Credentials is the credentials mode judged: include when the
	// request carried cookies or the engine's own words say so.
	Credentials string `json:"credentials"`
	// Preflight is true when the engine sent a preflight.
	Preflight bool `json:"preflight"`
	// Status is the answer's status (0 when there was none).
	Status int `json:"status"`
	// BlockedHere is true when the recorded engine blocked it.
	BlockedHere bool `json:"blocked_here"`
	// EngineError is the engine's own error code for the request
	// (Chromium's CorsError, e.g. MissingAllowOriginHeader), when it gave one.
	EngineError string `json:"engine_error,omitempty"`
	// Console are the engine's console lines for the request.
	Console []string `json:"console,omitempty"`
	// Issue is the DevTools issue the engine reported, when it did.
	Issue string `json:"issue,omitempty"`
	// Differences name where the engine and the model part, one sentence
	// each; empty when they agree.
	Differences []string `json:"differences,omitempty"`
	// Report is the doctor's diagnosis (all three engines, the problems,
	// the fix), or nil with Error set when it could not be judged.
	Report *check.JSON `json:"report,omitempty"`
	Error  string      `json:"error,omitempty"`
	// Command checks the request again with corskit check.
	Command string `json:"command,omitempty"`
	// Full is the report, when judged.
	Full *check.Report `json:"-"`
	// Timing places the request and its preflight on the session's time
	// axis, for the page's timeline.
	Timing Timing `json:"timing"`
}

// Blocked reports whether any engine of the model blocks the request, or
// the recorded engine did.
func (r Result) Blocked() bool {
	return r.BlockedHere || (r.Full != nil && !r.Full.Allowed())
}

// credentialErrors are Chromium's codes that only a credentialed request
// gets: the request's mode was include.
var credentialErrors = []string{"WildcardOriginNotAllowed", "InvalidAllowCredentials", "PreflightWildcardOriginNotAllowed", "PreflightInvalidAllowCredentials"}

// saysCredentialed reports whether an engine's CORS line names a check
// only a credentialed request fails.
func saysCredentialed(line string) bool {
	if line == "" {
		return false
	}
	ev, err := check.ParseConsole(line)
	return err == nil && (ev.Reason == browser.WildcardWithCredentials || ev.Reason == browser.InvalidAllowCredentials)
}

// judge diagnoses x (with its preflight p, or nil) with the model, from
// the answers the engine saw; base gives the stack and the engines.
func judge(ctx context.Context, engine string, x, p *exchange, base check.Options) Result {
	xs := []*exchange{x}
	if p != nil {
		xs = []*exchange{p, x}
	}
	r := Result{Engine: engine, Method: x.method, URL: x.url, Origin: x.header("Origin"), Preflight: p != nil, Status: x.status,
		EngineError: x.engineCode, Console: slices.Clone(x.console), Issue: x.issue}
	if r.Origin == "" {
		r.Origin = x.pageOrigin
	}
	r.BlockedHere = x.engineCode != "" || x.hasCORSLine()
	r.Timing = timingOf(x, p)
	if slices.Contains(credentialErrors, x.engineCode) || saysCredentialed(x.corsLine()) {
		base.Credentials = browser.Include
	}
	h, err := check.ParseHAR(harOf(xs, "corskit record"))
	if err == nil && len(h.Requests) == 0 {
		err = fmt.Errorf("not a cross-origin request the model judges")
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	for res := range check.JudgeHAR(ctx, h, base, check.HARMode{Offline: true}).Results {
		r.Command = res.Options.Command()
		r.Credentials = string(res.Options.Credentials)
		if r.Credentials == "" {
			r.Credentials = string(browser.SameOrigin) // fetch()'s default
		}
		if res.Full == nil {
			r.Error = res.Error
			break
		}
		r.Report, r.Full = res.Report, res.Full
		r.Differences = compare(engine, x, *res.Full)
		break
	}
	return r
}

// compare returns where the recorded engine and the model's verdict for
// that engine part: the verdict, the reason, the console's words.
func compare(engine string, x *exchange, rep check.Report) []string {
	var model *check.EngineVerdict
	for i, e := range rep.Engines {
		if e.Engine.Name == engine {
			model = &rep.Engines[i]
		}
	}
	if model == nil {
		return nil
	}
	blocked := x.engineCode != "" || x.hasCORSLine()
	v := model.Verdict
	switch {
	case blocked && v.Allowed:
		return []string{fmt.Sprintf("%s blocked the request (%s) where the model of %s allows it: the model is wrong here, or the engine saw more than the HAR holds (a cached preflight, a cookie); please report it", engine, firstOf(x.corsLine(), x.engineCode), engine)}
	case !blocked && !v.Allowed && x.status != 0:
		return []string{fmt.Sprintf("%s let the page read the answer where the model of %s blocks it (%s): please report it", engine, engine, v.Reason)}
	case !blocked:
		return nil
	}
	var diffs []string
	line := x.corsLine()
	if line == "" {
		return nil
	}
	if ev, err := check.ParseConsole(line); err == nil && ev.Reason != v.Reason {
		diffs = append(diffs, fmt.Sprintf("%s said %q (%s) where the model says %s: %q", engine, line, ev.Reason, v.Reason, v.Message))
	} else if err == nil && line != v.Message && !slices.Contains(v.Alternatives, line) {
		diffs = append(diffs, fmt.Sprintf("%s's words differ from the model's for the same reason (%s): the engine said %q, the model %q", engine, v.Reason, line, v.Message))
	}
	return diffs
}

func firstOf(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
