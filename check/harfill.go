package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
)

// HARMode says where [JudgeHAR] takes the answers it judges from. The zero
// value is the default: the file's answers, and a bounded live fill for
// the blocked requests whose cause the file cannot tell.
type HARMode struct {
	// Live sends every request again and judges the answers the servers
	// give now (corskit check --har --live): the file's answers are not
	// used.
	Live bool
	// Offline judges from the file alone: nothing is sent, and what the
	// file cannot tell stays a gap (AMBIGUOUS, not recorded).
	Offline bool
	// MaxFills bounds how many requests get a live fill; 0 means
	// DefaultHARFills.
	MaxFills int
	// MaxFillRequests bounds the requests all the fills send together; 0
	// means DefaultHARFillRequests.
	MaxFillRequests int
	// MaxFillTime bounds the time all the fills take together (a slow
	// server answers each request just within its timeout); 0 means
	// DefaultHARFillTime.
	MaxFillTime time.Duration
}

// The bounds of a HAR's live fill: a file with thousands of blocked
// requests costs no more than these.
const (
	// DefaultHARFills is how many blocked requests of a HAR get a live
	// fill, the first in the report's order; the others keep the file's
	// judgment and say so. A fill is the probe (about 25 preflights and
	// two GETs) and the requests the file holds no answer for.
	DefaultHARFills = 8
	// DefaultHARFillRequests bounds the requests all the fills of a HAR
	// send.
	DefaultHARFillRequests = 320
	// DefaultHARFillTime bounds the time all the fills of a HAR take.
	DefaultHARFillTime = 60 * time.Second
)

// HARFill is what a live fill sent for one request of a HAR, and what it
// found: the file's answers stay the truth, the fill's only name what they
// cannot.
type HARFill struct {
	// Sent is how many requests the fill sent for this request.
	Sent int `json:"requests_sent"`
	// Sends says what the fill sent, in words.
	Sends string `json:"sends,omitempty"`
	// FromFile and FromFill say which answers the report rests on: those
	// the file holds, and those the fill got because the file holds none.
	FromFile []string `json:"from_file,omitempty"`
	FromFill []string `json:"from_fill,omitempty"`
	// Named is the cause the fill named where the file alone named another
	// or could not tell (the file's first cause, or its AMBIGUOUS list).
	Named string `json:"named,omitempty"`
	// Failed says why the fill did not change the file's judgment: the
	// server did not answer, it allows the request now, the bound was
	// met. The file's judgment then stands.
	Failed string `json:"failed,omitempty"`
}

// errFillBudget stops a fill past its bounds (DefaultHARFillRequests,
// DefaultHARFillTime).
var errFillBudget = errors.New("corskit sent as many requests as a HAR's live fill allows")

// fillBudget is what the fills of one HAR share: the requests sent, the
// bound, and the hosts that did not answer (each is tried once).
type fillBudget struct {
	ctx        context.Context
	mode       HARMode
	sent, max  int
	fills      int
	down       map[string]error
	overBudget bool
	deadline   time.Time
}

func newFillBudget(ctx context.Context, mode HARMode) *fillBudget {
	if mode.MaxFills <= 0 {
		mode.MaxFills = DefaultHARFills
	}
	if mode.MaxFillRequests <= 0 {
		mode.MaxFillRequests = DefaultHARFillRequests
	}
	if mode.MaxFillTime <= 0 {
		mode.MaxFillTime = DefaultHARFillTime
	}
	return &fillBudget{ctx: ctx, mode: mode, max: mode.MaxFillRequests, down: map[string]error{}, deadline: time.Now().Add(mode.MaxFillTime)}
}

// full reports whether no fill is left.
func (b *fillBudget) full() bool {
	return b.fills >= b.mode.MaxFills || b.sent >= b.max || time.Now().After(b.deadline)
}

// capNote is why a request with a gap got no fill.
func (b *fillBudget) capNote() string {
	return fmt.Sprintf("not filled live: the fill covers the first %d requests with a gap, %d requests and %v at most, and %d requests were sent; check it alone with the command below", b.mode.MaxFills, b.max, b.mode.MaxFillTime, b.sent)
}

// transport sends o's requests over the network, counted against the
// bound; a host that did not answer once is not tried again.
func (b *fillBudget) transport(o Options) browser.RoundTripper {
	real := Transport(b.ctx, o)
	return func(out browser.Outgoing) (browser.Incoming, error) {
		host := hostOf(out.URL)
		if err := b.down[host]; err != nil {
			return browser.Incoming{}, err
		}
		if err := fillRefused(out.URL); err != nil {
			return browser.Incoming{}, err
		}
		if b.sent >= b.max || time.Now().After(b.deadline) {
			b.overBudget = true
			return browser.Incoming{}, errFillBudget
		}
		b.sent++
		in, err := real(out)
		if err != nil {
			b.down[host] = err
		}
		return in, err
	}
}

// hostOf is the host and port of a URL, or the URL.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// fillRefused keeps a test from filling toward another host than
// loopback: the project's tests send traffic to loopback only, and a HAR
// fixture names hosts such as api.example.test. Outside tests it refuses
// nothing.
func fillRefused(raw string) error {
	if !testing.Testing() {
		return nil
	}
	host := raw
	if u, err := url.Parse(raw); err == nil {
		host = u.Hostname()
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("not sent: %s is not a loopback address, and a test sends to loopback only (judge the file with HARMode{Offline: true})", host)
}

// needsFill reports whether a blocked request's cause or fix rests on what
// the file may not hold: it says so (a gap, AMBIGUOUS, not recorded), its
// first cause is one that the live check's probe refines (an answer
// without CORS headers, a refused preflight: the stack's own cause, CORS
// code that skips a route or refuses silently), or its fix was written
// from the file's answers alone, without the probe's view of what the
// server allows.
func needsFill(res HARResult) bool {
	// A fix from the file's answers alone knows only the origins, methods
	// and headers they show: the probe learns what the server allows
	// today, which the fix keeps (a fix never narrows).
	return needsCause(res) || res.Blocked() && res.Full.Fix.Response != nil && res.Full.Fix.Learned == nil || partNeedsFill(res)
}

// partNeedsFill reports whether a request the file judges allowed, its
// credentials mode unknown, has a part for the other mode that the file's
// answers block (Firefox records the answer it blocked for credentials as
// completed), with a fix written from the file's answers alone: the page
// that sends credentials reads that fix, so it too keeps what the server
// allows today.
func partNeedsFill(res HARResult) bool {
	if res.Full == nil || !res.Full.Allowed() {
		return false
	}
	a := res.Full.OtherCredentials
	return a != nil && !a.Allowed && a.Fix.Response != nil && a.Fix.Learned == nil
}

// needsCause reports whether a blocked request's cause rests on what the
// file may not hold (see needsFill); when only its fix does, the fill
// keeps the file's verdict and causes and brings the fix alone.
func needsCause(res HARResult) bool {
	if !res.Blocked() {
		return false
	}
	if res.Gap != "" || len(res.Causes) > 1 || res.Full.Verdict.Reason == NotRecorded {
		return true
	}
	p := res.Full.Problems
	return len(p) > 0 && (probeRefines[p[0].Name] || strings.Contains(p[0].Sentence, "(probably:"))
}

// probeRefines are the causes a file names from an answer without CORS
// headers, or a refused preflight, which the live check's probe may name
// more exactly.
var probeRefines = map[string]bool{
	"no CORS on the server":            true,
	"wrong server or error page":       true,
	"CORS after the route":             true,
	"errors without CORS headers":      true,
	"preflight not handled":            true,
	"request refused by the CORS code": true,
	"origin refused by the CORS code":  true,
}

// fill judges a blocked request again, the file's answers kept and what
// it lacks sent now: the probe's preflights to the URL from the page's
// origin, the same as the live check's, so that the stack's own causes are
// named as it names them; for an entry without an answer, the request as
// the file states it (or, when the file records an engine's console line,
// the request the line's bounded search finds). A recorded answer is never
// replaced: the fill's report is kept only when the request is still
// blocked and the server answered.
func (h HAR) fill(ctx context.Context, r HARRequest, res HARResult, b *fillBudget) HARResult {
	b.fills++
	f := &HARFill{}
	o := res.Options
	if err := o.Validate(); err != nil {
		f.Failed = err.Error()
	} else if err := fillRefused(o.URL); err != nil {
		f.Failed = err.Error()
	} else if down := b.down[hostOf(o.URL)]; down != nil {
		f.Failed = fmt.Sprintf("the server did not answer (%v): the file's judgment stands", down)
	}
	if f.Failed != "" {
		res.Fill = f
		return res
	}
	// Each request goes over the network once, whatever the credentials
	// mode judged.
	before, live := b.sent, shared(b.transport(o))
	filled := map[string]bool{}
	var rep Report
	var err error
	o.probeHeader = randomHeader() // one probe, whichever mode is judged
	if text := consoleText(r); text != "" && res.Full.Verdict.Reason == NotRecorded {
		f.Sends = "the bounded search that reproduces the console line the file records (as for a pasted console line), then the probe's preflights"
		rep, err = fillFromLine(ctx, r, text, o, b, live, filled)
	} else {
		f.Sends = "the probe's preflights to the URL from the page's origin (they change nothing)"
		if res.Full.Verdict.Reason == NotRecorded {
			f.Sends = "the request as the file states it, whose answer the file does not hold, then " + f.Sends
		}
		answers := h.fillAnswers(r, o, live, filled)
		if r.Options.Credentials == "" && o.Credentials != browser.Include && res.Full.Verdict.Reason == NotRecorded {
			var evidenced bool
			o, res.CredentialsNote, evidenced = fillCredentials(ctx, o, answers)
			res.CredentialsInclude, res.evidenced = res.CredentialsNote != "", res.evidenced || evidenced
		}
		rep, err = judgeProbing(ctx, o, answers, live, true)
	}
	var alt *Report
	if err == nil && r.Options.Credentials == "" && !res.evidenced {
		rep, alt = h.fillOtherCredentials(ctx, r, res, rep, live, filled)
	}
	f.Sent = b.sent - before
	res.Fill = f
	if f.Failed = b.fillFailed(o, f.Sent, err, res, rep, alt); f.Failed != "" {
		return res
	}
	switch {
	case !res.Blocked():
		f.Sends += fmt.Sprintf(", for the fix of the part for credentials '%s', which the file's answers block: what the server allows today", alt.Options.Credentials)
		rep = fixOnly(*res.Full, rep, alt)
	case !needsCause(res):
		f.Sends += ", for the fix: what the server allows today"
		rep = fixOnly(*res.Full, rep, alt)
	}
	return h.filledResult(res, rep, filled, r.PreflightCached)
}

// fillFailed says why a fill that sent sent requests leaves the file's
// judgment of res as it is, or "": it failed (err), the server did not
// answer, the bound was met, or what the file judges blocked (the request
// or, for a request it judges allowed, its part for the other credentials
// mode) is allowed now: rep is the fill's report, alt its report for the
// other mode.
func (b *fillBudget) fillFailed(o Options, sent int, err error, res HARResult, rep Report, alt *Report) string {
	switch down := b.down[hostOf(o.URL)]; {
	case err != nil:
		return err.Error()
	case down != nil:
		return fmt.Sprintf("the server did not answer (%v): the file's judgment stands", down)
	case b.overBudget && sent == 0:
		return b.capNote()
	case res.Blocked() && rep.Allowed():
		return "sent now, the request is allowed: the server changed since the file was saved, or the page's request was not the one the file states; the file's judgment stands"
	case !res.Blocked() && (alt == nil || alt.Allowed()):
		return "sent now, the request is allowed with either credentials mode: the server changed since the file was saved; the file's judgment stands"
	}
	return ""
}

// fillOtherCredentials: the file does not tell the page's credentials
// mode, so rep gets the other mode's verdict, cause and fix, judged on the
// same answers (see withAlternative). An allowed other mode that the
// file's recorded failure rules out is not offered. The other mode's own
// report is returned too, nil when it could not be judged: where its
// verdict, cause and fix are rep's, rep carries no alternative, and
// fixOnly still needs its fix.
func (h HAR) fillOtherCredentials(ctx context.Context, r HARRequest, res HARResult, rep Report, live browser.RoundTripper, filled map[string]bool) (Report, *Report) {
	other := rep.Options
	other.Credentials = browser.Include
	if rep.Options.Credentials == browser.Include {
		other.Credentials = browser.SameOrigin
	}
	alt, err := judgeProbing(ctx, other, h.fillAnswers(r, other, live, filled), live, true)
	if err != nil {
		return rep, nil
	}
	if alt.Allowed() && res.RecordedError != "" {
		return rep, &alt
	}
	return withAlternative(rep, alt), &alt
}

// fixOnly is file, the report the file told the cause of, with the fixes
// of filled, the fill's report, which keep what the probe saw the server
// allow: its own, and for the file's part for the other credentials mode,
// the fix of alt, the fill's report for that mode (which filled carries
// no part for when it is the same as its own). A part the fill could not
// give a fix for keeps the file's, widened to what the probe learned.
func fixOnly(file, filled Report, alt *Report) Report {
	file.Fix = filled.Fix
	switch a := file.OtherCredentials; {
	case a != nil:
		other := *a
		if alt != nil && alt.Options.Credentials == a.Credentials && alt.Fix.Response != nil {
			other.Fix = alt.Fix
		} else if !a.Allowed {
			o := file.Options
			o.Credentials = a.Credentials
			other.Fix = fixFor(o, a.Verdict, answersOf(a.Verdict), filled.Fix.Learned)
		}
		file.OtherCredentials = &other
	case filled.OtherCredentials != nil:
		file.CredentialsUnknown, file.OtherCredentials = true, filled.OtherCredentials
	}
	return file
}

// answersOf are the headers of the answers a verdict's exchanges hold.
func answersOf(v browser.Verdict) []http.Header {
	var out []http.Header
	for _, x := range v.Exchanges {
		if x.Response.Header != nil {
			out = append(out, x.Response.Header)
		}
	}
	return out
}

// filledResult is res with the fill's report, its sources said.
func (h HAR) filledResult(res HARResult, rep Report, filled map[string]bool, preflightTaken bool) HARResult {
	f := res.Fill
	before := res.Causes
	if len(before) == 0 && len(res.Full.Problems) > 0 {
		before = []string{res.Full.Problems[0].Name}
	}
	if len(rep.Problems) > 0 && (len(before) != 1 || before[0] != rep.Problems[0].Name) {
		f.Named = fmt.Sprintf("%s (the file alone: %s)", rep.Problems[0].Name, strings.Join(before, " | "))
	}
	j := rep.ToJSON()
	for i, x := range rep.Verdict.Exchanges {
		what := fmt.Sprintf("%s %s: %d", exchangeKey(x.Request), x.Request.Header.Get("Origin"), x.Response.Status)
		switch {
		case filled[fillKey(x.Request)]:
			f.FromFill = append(f.FromFill, what)
			if i < len(j.Exchanges) {
				j.Exchanges[i].Filled = true
			}
		case preflightTaken && x.Request.Preflight:
			f.FromFile = append(f.FromFile, exchangeKey(x.Request)+": not in the file, taken as passed (the browser sent the request)")
		case filled["body "+fillKey(x.Request)]:
			f.FromFile = append(f.FromFile, what)
			f.FromFill = append(f.FromFill, "the body of "+exchangeKey(x.Request)+"'s answer, which the file does not hold: sent again, the same status")
		default:
			f.FromFile = append(f.FromFile, what)
		}
	}
	l := rep.Fix.Learned
	if a := rep.OtherCredentials; l == nil && a != nil {
		l = a.Fix.Learned
	}
	if l != nil {
		f.FromFill = append(f.FromFill, fmt.Sprintf("the probe: %d requests", l.Requests))
	}
	res.Gap, res.Causes = "", nil
	res.Report, res.Full, res.Options = &j, &rep, rep.Options
	return res
}

// fillKey identifies an exchange the fill answered.
func fillKey(out browser.Outgoing) string {
	return exchangeKey(out) + " " + out.Header.Get("Origin") + " " + out.Header.Get("Access-Control-Request-Method")
}

// fillAnswers answers r's exchanges from the file where it holds them,
// and from the network where it does not (noted in filled). A refused
// answer whose body the file does not hold, to a preflight or a GET or
// HEAD (which change nothing), is sent again: when the server gives the
// same status, its body (which may say who refused it) is read with the
// file's answer, noted in filled too.
func (h HAR) fillAnswers(r HARRequest, o Options, live browser.RoundTripper, filled map[string]bool) browser.RoundTripper {
	replay := h.Replay(r)
	return func(out browser.Outgoing) (browser.Incoming, error) {
		if strings.EqualFold(out.Header.Get("Origin"), o.Origin) {
			in, err := replay(out)
			if e := h.answered(r, out); err == nil && e != nil && e.noContent && in.Status >= 300 && (out.Preflight || isSafe(out.Method)) {
				if now, err := live(out); err == nil && now.Status == in.Status {
					in.Body = now.Body
					filled["body "+fillKey(out)] = true
				}
			}
			if !errors.Is(err, ErrNotRecorded) {
				return in, err
			}
		}
		in, err := live(out)
		if err == nil {
			filled[fillKey(out)] = true
		}
		return in, err
	}
}

// answered is the entry the replay answers out with for r when it is r's
// own or its preflight's, else nil.
func (h HAR) answered(r HARRequest, out browser.Outgoing) *harEntry {
	switch {
	case out.Preflight && r.preflight >= 0 && r.preflight < len(h.entries) && h.entries[r.preflight].url == out.URL:
		return &h.entries[r.preflight]
	case !out.Preflight && r.entry < len(h.entries) && h.entries[r.entry].url == out.URL:
		return &h.entries[r.entry]
	}
	return nil
}

// fillFromLine reproduces the engine's console line the file records for
// r, with the bounded search --from-error uses (the method and headers the
// file states kept, the rest searched), and judges the request found, its
// answers reused.
func fillFromLine(ctx context.Context, r HARRequest, text string, o Options, b *fillBudget, live browser.RoundTripper, filled map[string]bool) (Report, error) {
	s := Search{Options: o, MethodGiven: true, HeadersGiven: true, CredentialsGiven: r.Options.Credentials != "", MaxRequests: min(DefaultMaxRequests, b.max-b.sent)}
	if s.MaxRequests <= 0 {
		b.overBudget = true
		return Report{}, errors.New(b.capNote())
	}
	if !s.CredentialsGiven {
		s.Options.Credentials = ""
	}
	rp, err := Reproduce(ctx, ConsoleFailure{Lines: strings.Split(text, "\n")}, s)
	b.sent += rp.Sent
	if err != nil {
		return Report{}, err
	}
	if down := rp.noAnswer(); down != nil {
		b.down[hostOf(o.URL)] = down
		return Report{}, nil // the caller says the server did not answer
	}
	if !rp.Reproduced {
		return Report{}, fmt.Errorf("the recorded line was not reproduced (corskit's closest request, %s, prints %q): the file's judgment stands", rp.Describe(), rp.Got)
	}
	body, _, _ := rp.Options.sentBody()
	return judgeProbing(ctx, rp.Options, func(out browser.Outgoing) (browser.Incoming, error) {
		filled[fillKey(out)] = true // the file holds no answer: each is the fill's
		if a, ok := rp.sender.seen[rp.sender.key(out, body)]; ok {
			return a.in, a.err
		}
		return live(out)
	}, live, true)
}

// fillCredentials: for a request the file holds no answer for and whose
// credentials mode it does not state (no cookie), it returns o with
// credentials: 'include' and a sentence saying why when, on the fill's
// answers, only include explains the failure the file records (allowed
// without credentials, blocked with them), or when both modes are blocked
// for different first causes: include's fix lets the request through
// without credentials too (the rule of the file's own judgment,
// bothBlocked). The bool is true when the recorded failure says include
// (only include explains it).
func fillCredentials(ctx context.Context, o Options, rt browser.RoundTripper) (Options, string, bool) {
	inc := o
	inc.Credentials = browser.Include
	without, err1 := judge(ctx, o, rt, false)
	with, err2 := judge(ctx, inc, rt, false)
	switch {
	case err1 != nil || err2 != nil || with.Allowed():
	case without.Allowed():
		return inc, "the file holds no cookie and no answer: sent now, the request is allowed without credentials and blocked with credentials: 'include', which explains the failure the file records: judged with include", true
	case firstCause(without) != firstCause(with):
		return inc, fmt.Sprintf("the file holds no cookie and no answer: sent now, the request is blocked either way, without credentials for %q, with credentials: 'include' for %q; judged with include, whose fix lets the request through without credentials too; give Options.Credentials same-origin if the page sends none", firstCause(without), firstCause(with)), false
	}
	return o, "", false
}

// noAnswer is the network error every request of the search met, or nil
// when one was answered (or none sent).
func (r Reproduction) noAnswer() error {
	if r.sender == nil {
		return nil
	}
	var first error
	for _, a := range r.sender.seen {
		if a.err == nil {
			return nil
		}
		if first == nil && !errors.Is(a.err, errSearchNotSent) && !errors.Is(a.err, errBudget) {
			first = a.err
		}
	}
	return first
}
