package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
)

// pasteRow is one line of the evidence table: a piece of evidence, as a
// user pastes it with nothing else, for a broken server's failing request.
type pasteRow struct {
	server, request, form string
	reproduced            string // yes, no, or - (not a console paste)
	cause                 string // right, wrong (got/want), or allowed
	sent                  string // real requests the reproduction sent
	fix, narrowed         string // the form's fix against the proved one; "" not compared
}

// pasteTable collects the rows of the broken-server suite.
type pasteTable struct {
	mu     sync.Mutex
	rows   []pasteRow
	proved map[string]provedFix // by case
	whole  map[string]*wholeFixOnce
}

// provedFix is a case's console fix, which the suite pastes and proves in
// the three engines, the page origin it was proved from (Chromium's) and
// the app's other origins it was given.
type provedFix struct {
	origins []string // every origin the app allows
	own     string   // Chromium's page origin
	also    []string // origins less own
	fix     *check.JSONFix
}

// wholeFixOnce is the fix corskit gives for a request of a case when told
// the whole request, computed once for every row that compares with it.
type wholeFixOnce struct {
	once sync.Once
	fix  *check.JSONFix
}

// prove records the case's proved fix, which the HAR rows' fixes are
// compared with, the page origin own it was proved from and the app's
// other origins, also.
func (p *pasteTable) prove(name, own string, also []string, fix *check.JSONFix) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.proved == nil {
		p.proved = map[string]provedFix{}
	}
	p.proved[name] = provedFix{append(slices.Clone(also), own), own, slices.Clone(also), fix}
}

// provedFor is the case's proved fix, if recorded.
func (p *pasteTable) provedFor(name string) provedFix {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.proved[name]
}

// wholeFor is the fix corskit gives for req, a request of the case, when
// told the whole request from Chromium's page origin with the app's other
// origins (wholeFix), or nil: what a form's fix for a request other than
// the PUT, whose fix the suite applies and proves, is compared with.
func (p *pasteTable) wholeFor(bs brokenServer, req browsertest.Request) *check.JSONFix {
	pf := p.provedFor(bs.name)
	key := bs.name + " " + req.Method + " " + req.URL + " " + req.Credentials
	p.mu.Lock()
	if p.whole == nil {
		p.whole = map[string]*wholeFixOnce{}
	}
	w := p.whole[key]
	if w == nil {
		w = &wholeFixOnce{}
		p.whole[key] = w
	}
	p.mu.Unlock()
	w.once.Do(func() { w.fix = wholeFix(bs, pf.own, req, pf.also) })
	return w.fix
}

// compared is what a form's fix for req is compared with: the console's
// proved fix for the PUT, the whole request's for another request.
func (p *pasteTable) compared(bs brokenServer, req browsertest.Request) (fix *check.JSONFix, proved bool) {
	if req.Method == "PUT" {
		return p.provedFor(bs.name).fix, true
	}
	return p.wholeFor(bs, req), false
}

// harFix is a HAR row's "fix works?" and "anything narrowed?": the fix
// (the part for the page's credentials mode, include, where the file did
// not tell it) against the console's proved one for the PUT, and the
// whole request's for the GET (see compared), as a user who names the
// app's other origins (--also-origin) gets it. A fix that narrows fails
// the test: a fix never narrows what the server allows today.
func (p *pasteTable) harFix(t *testing.T, bs brokenServer, req browsertest.Request, r harJudged, label, form string) (fix, narrowed string) {
	t.Helper()
	j := r.Report
	if j == nil {
		return "", ""
	}
	got, part := j.Fix, ""
	if a := j.OtherCredentials; j.CredentialsUnknown && a != nil && j.Request.Credentials != req.Credentials && a.Credentials == req.Credentials {
		got, part = a.Fix, " (the report's part for credentials '"+a.Credentials+"', the page's)"
	}
	want, proved := p.compared(bs, req)
	fix, narrowed = fixAgainst(got, want)
	if !proved && fix == provedPolicy {
		fix = wholePolicy
	}
	if got != nil && part != "" {
		fix += part
	}
	if strings.HasPrefix(narrowed, "yes") {
		what := "the whole request's fix"
		if proved {
			what = "the console's fix, which the suite applies and proves"
		}
		t.Errorf("%s, %s: the fix%s narrows %s: it leaves out %s\nfill: %+v", label, form, part, what, strings.TrimPrefix(narrowed, "yes: "), r.Fill)
	}
	return fix, narrowed
}

func (p *pasteTable) add(r pasteRow) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rows = append(p.rows, r)
}

// markdown is the table, for the notes (CORSKIT_PASTE_TABLE=file writes it).
func (p *pasteTable) markdown() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	sort.SliceStable(p.rows, func(i, j int) bool { return p.rows[i].server < p.rows[j].server })
	var b strings.Builder
	b.WriteString("| case | request | evidence | reproduced? | cause right? | fix works? | anything narrowed? | requests sent |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range p.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.server, r.request, r.form, r.reproduced, r.cause, cmp.Or(r.fix, "-"), cmp.Or(r.narrowed, "-"), r.sent)
	}
	return b.String()
}

// pastedRequests are the failing requests of each broken server whose
// evidence is pasted alone: the credentialed JSON PUT, and a credentialed
// GET (no preflight).
// Without CORSKIT_PASTE_TABLE, the PUT alone, to keep the suite's time.
func pastedRequests(base, path string) map[string]browsertest.Request {
	reqs := map[string]browsertest.Request{"PUT json include": theRequest(base + path)}
	if fullTable() {
		get := getReq("include")
		get.URL = base + path
		reqs["GET include"] = get
	}
	return reqs
}

// fullTable: CORSKIT_PASTE_TABLE asks for the whole evidence table (a GET
// too, the copies and a HAR), which costs minutes; without it, only each
// engine's console lines are pasted.
func fullTable() bool { return os.Getenv("CORSKIT_PASTE_TABLE") != "" }

// pasteAlone is issue 21's proof for one broken server: each engine's
// console text, pasted into corskit check with nothing else (--origin only
// when corskit asks for it), must be reproduced: the request corskit finds
// prints the engine's lines byte for byte. Copies and a Chromium HAR are
// judged too. Each row's cause is compared with the first problem corskit
// names when told the whole request.
// knownConsoleGap lists, by case and engine, where the console text alone
// still gets a less specific cause than the whole request, and why; each
// is a defect to fix, logged rather than failed so that the rest holds.
// None today: Tomcat's "filter-mapping misses the path" from Safari's
// lines, the last one, is named by the probe's preflights to the URL
// (the DefaultServlet's own OPTIONS answer), check's preflightCause.
var knownConsoleGap = map[string]string{}

// knownHARGap lists, by case and HAR form, where a HAR names another cause
// than the live check, and why; logged rather than failed, each a defect
// to fix. None today: the HAR's live fill (check.HARMode) sends the
// probe's preflights, or the request the file holds no answer for, so the
// stack's own causes and those a file cannot tell apart are named as the
// live check names them.
var knownHARGap = map[string]string{}

// harGap is why a HAR may name another cause than want, the live check's,
// in this case and form; "" when it must not.
func harGap(bs brokenServer, form string) string {
	return knownHARGap[bs.name+" "+form]
}

// harSent is the table's "requests sent" for a HAR's request: what its
// live fill sent, or why it sent nothing.
func harSent(r harJudged) string {
	switch {
	case r.Fill == nil:
		return "0 (no fill needed)"
	case r.Fill.Failed != "":
		return fmt.Sprintf("%d (fill failed: %s)", r.Fill.Sent, r.Fill.Failed)
	}
	return fmt.Sprintf("%d (live fill)", r.Fill.Sent)
}

func pasteAlone(t *testing.T, table *pasteTable, bs brokenServer, engines map[string]browsertest.Engine, base string, also []string, fix *check.JSONFix) {
	t.Helper()
	table.prove(bs.name, engines["chromium"].Origin(), also, fix)
	for label, req := range pastedRequests(base, bs.path) {
		want := truth(t, bs, engines["chromium"].Origin(), req)
		row := func(form, reproduced, sent string, problems []check.Problem, allowed bool) {
			cause := "right"
			switch {
			case allowed && want == "(allowed)":
				cause = "right (allowed)"
			case allowed:
				cause = "allowed (wrong)"
			case len(problems) == 0 || problems[0].Name != want:
				got := "none"
				if len(problems) > 0 {
					got = problems[0].Name
				}
				cause = fmt.Sprintf("wrong: %s, want %s", got, want)
			}
			table.add(pasteRow{server: bs.name, request: label, form: form, reproduced: reproduced, cause: cause, sent: sent})
		}
		for _, name := range browsertest.Names {
			e := engines[name]
			res := e.Fetch(t, req)
			if res.OK {
				table.add(pasteRow{server: bs.name, request: label, form: name + " console", reproduced: "-", cause: "allowed by " + name, sent: "-"})
				continue
			}
			j, code := pasteConsole(t, bs, e.Origin(), strings.Join(res.Console, "\n"))
			if j == nil {
				t.Errorf("%s, %s: corskit check on the console text alone: exit %d\n%s", name, label, code, strings.Join(res.Console, "\n"))
				continue
			}
			rep := j.Reproduction
			reproduced := fmt.Sprintf("yes (%d/%d lines)", rep.Matched, len(rep.Lines))
			if !rep.Reproduced {
				reproduced = fmt.Sprintf("no (%d/%d lines)", rep.Matched, len(rep.Lines))
				t.Errorf("%s, %s: the engine's lines were not reproduced; corskit's closest request %+v got %q\nthe lines:\n%s", name, label, rep.Request, rep.Got, strings.Join(rep.Lines, "\n"))
			}
			if code != ExitFail {
				t.Errorf("%s, %s: exit %d, want 1 (the engine blocked)", name, label, code)
			}
			row(name+" console", reproduced, fmt.Sprint(rep.Sent), j.Problems, j.Allowed)
			if got := firstProblem(j.Problems); !j.Allowed && got != want && knownConsoleGap[bs.name+" "+name] != "" {
				t.Logf("%s, %s: KNOWN GAP: the console text alone gives %q, the whole request %q: %s", name, label, got, want, knownConsoleGap[bs.name+" "+name])
			} else if !j.Allowed && got != want {
				t.Errorf("%s, %s: the console text alone gives the cause %q, want %q (the cause when corskit is told the whole request)\nthe lines:\n%s", name, label, got, want, strings.Join(rep.Lines, "\n"))
			}
		}
		if !fullTable() {
			credentialedInHAR(t, table, bs, engines, base, also, fix)
			continue
		}
		chromium := engines["chromium"].Origin()
		for form, args := range copies(req, chromium) {
			j, _ := runJSON(t, append([]string{"--json", "--stack", bs.stack}, args...), "")
			if j == nil {
				t.Errorf("%s, %s: no report", form, label)
				continue
			}
			row(form, "-", "-", j.Problems, j.Allowed)
		}
		res, har := engines["chromium"].(*browsertest.Browser).RecordHAR(t, []browsertest.Request{req})
		if j := harAlone(t, table, bs, engines["chromium"].Origin(), har); j == nil {
			table.add(pasteRow{server: bs.name, request: label, form: "Chromium DevTools HAR (as is)", reproduced: "-", cause: "no report", sent: "-"})
		} else {
			row("Chromium DevTools HAR (as is)", "-", "-", j.Problems, j.Allowed)
			if !res[0].OK && j.Allowed {
				t.Errorf("%s: Chromium blocked it, and its HAR, alone, is judged allowed", label)
			}
		}
	}
}

// harAlone judges a HAR of one request with --har alone (no
// --credentials): the report of its one request, or nil.
func harAlone(t *testing.T, table *pasteTable, bs brokenServer, own string, har []byte) *check.JSON {
	if js := harReports(t, table, bs, own, har); len(js) == 1 {
		return js[0].Report
	}
	return nil
}

// harJudged is one request of a HAR, as check --har --json gives it.
type harJudged struct {
	Entry  int            `json:"entry"`
	Note   string         `json:"credentials_note"`
	Gap    string         `json:"gap"`
	Causes []string       `json:"causes"`
	Fill   *check.HARFill `json:"fill"`
	Report *check.JSON    `json:"report"`
}

// harCause is the table's "cause right?" for a blocked request's HAR
// report, and whether it names a wrong cause first: right; AMBIGUOUS with
// the true cause among those listed; or wrong.
func harCause(r harJudged, want string) (string, bool) {
	got := firstProblem(r.Report.Problems)
	switch {
	case len(r.Causes) > 1 && slices.Contains(r.Causes, want):
		return fmt.Sprintf("AMBIGUOUS, says so: %s (the true one listed)", strings.Join(r.Causes, " | ")), false
	case got == want:
		return "right", false
	}
	return "wrong: " + got + ", want " + want, true
}

// harReports judges a HAR with --har alone (no --credentials): the
// reports of its requests, in the file's order, nil for one not judged.
func harReports(t *testing.T, table *pasteTable, bs brokenServer, own string, har []byte) []harJudged {
	file := filepath.Join(t.TempDir(), "recorded.har")
	os.WriteFile(file, har, 0o600)
	var out, errOut bytes.Buffer
	runCheckWithStdin(harArgs(table, bs, own, file), nil, &out, &errOut)
	var h struct {
		Requests []harJudged `json:"requests"`
	}
	if json.Unmarshal(out.Bytes(), &h) != nil {
		t.Logf("corskit check --har: %s%s", out.String(), errOut.String())
		return nil
	}
	sort.SliceStable(h.Requests, func(i, j int) bool { return h.Requests[i].Entry < h.Requests[j].Entry })
	return h.Requests
}

// harArgs is check --har's command line for a case's HAR recorded on the
// page origin own, with the app's other origins (every page origin and
// other origin the app allows but own), as the user names them.
func harArgs(table *pasteTable, bs brokenServer, own, file string) []string {
	args := []string{"--har", file, "--json", "--stack", bs.stack}
	for _, a := range table.provedFor(bs.name).origins {
		if a != own {
			args = append(args, "--also-origin", a)
		}
	}
	return args
}

// credentialedInHAR is issue 21's HAR proof in the default run: a
// credentialed GET and the credentialed JSON PUT, recorded by Chromium in
// one page as DevTools records them (no cookie in the file when the site
// set none), judged with --har alone: the file does not say the
// credentials mode, so both are judged, and the recorded failure decides.
// A request Chromium blocked must not come out allowed; its cause is
// compared, in the table, with the one corskit names when told the whole
// request (live, with the probe and the answers' bodies, which a HAR may
// not hold).
func credentialedInHAR(t *testing.T, table *pasteTable, bs brokenServer, engines map[string]browsertest.Engine, base string, also []string, fix *check.JSONFix) {
	credentialedInChromiumHAR(t, table, bs, engines["chromium"].(*browsertest.Browser), base, also, fix)
	credentialedInFirefoxHAR(t, table, bs, engines["firefox"].(*browsertest.Firefox), base)
}

// credentialedInChromiumHAR: see credentialedInHAR.
func credentialedInChromiumHAR(t *testing.T, table *pasteTable, bs brokenServer, chromium *browsertest.Browser, base string, also []string, fix *check.JSONFix) {
	get := getReq("include")
	get.URL = base + bs.path
	reqs := []browsertest.Request{get, theRequest(base + bs.path)}
	labels := []string{"GET include", "PUT json include"}
	res, har := chromium.RecordHAR(t, reqs)
	js := harReports(t, table, bs, chromium.Origin(), har)
	if len(js) != len(reqs) {
		t.Errorf("the Chromium HAR of a GET and a PUT: %d reports, want %d", len(js), len(reqs))
		return
	}
	for i, r := range js {
		want, j := truth(t, bs, chromium.Origin(), reqs[i]), r.Report
		switch {
		case j == nil:
			t.Errorf("%s: no report for its Chromium HAR", labels[i])
		case res[i].OK:
			table.add(pasteRow{server: bs.name, request: labels[i], form: "Chromium DevTools HAR (as is)", reproduced: "-", cause: "allowed by chromium", sent: "-"})
		case j.Allowed:
			t.Errorf("%s: Chromium blocked it (%q), and its HAR, alone, is judged allowed", labels[i], res[i].Console)
			table.add(pasteRow{server: bs.name, request: labels[i], form: "Chromium DevTools HAR (as is)", reproduced: "-", cause: "allowed (wrong)", sent: "-"})
		default:
			cause, wrong := harCause(r, want)
			if gap := harGap(bs, "Chromium DevTools HAR (as is)"); wrong && gap != "" {
				t.Logf("%s: KNOWN GAP: its Chromium HAR: %s: %s", labels[i], cause, gap)
				cause += " (known gap)"
			} else if wrong {
				t.Errorf("%s: its Chromium HAR names a wrong cause first: %s\n%s\nfill: %+v", labels[i], cause, r.Gap, r.Fill)
			}
			fix, narrowed := table.harFix(t, bs, reqs[i], r, labels[i], "Chromium DevTools HAR (as is)")
			table.add(pasteRow{server: bs.name, request: labels[i], form: "Chromium DevTools HAR (as is)", reproduced: "-", cause: cause, fix: fix, narrowed: narrowed, sent: harSent(r)})
		}
	}
	fetchCopies(t, table, bs, chromium, har, reqs, labels, res, also, fix)
}

// firstProblem is the name of the first problem, or "none".
func firstProblem(ps []check.Problem) string {
	if len(ps) == 0 {
		return "none"
	}
	return ps[0].Name
}

// credentialedInFirefoxHAR: the same requests, recorded from Firefox's
// WebDriver BiDi network events. Firefox reports a GET it blocked as
// completed, without error: the file cannot tell it from one it allowed,
// so its report may be allowed, but must then say that with credentials:
// 'include' it is blocked. The cause of a blocked one goes to the table.
func credentialedInFirefoxHAR(t *testing.T, table *pasteTable, bs brokenServer, firefox *browsertest.Firefox, base string) {
	get := getReq("include")
	get.URL = base + bs.path
	reqs := []browsertest.Request{get, theRequest(base + bs.path)}
	labels := []string{"GET include", "PUT json include"}
	res, har := firefox.RecordHAR(t, reqs)
	firefoxHARRows(t, table, bs, "Firefox BiDi HAR (as is)", firefox.Origin(), reqs, labels, res, har)
}

// firefoxHARRows judges a HAR of reqs that Firefox recorded (from its
// BiDi events, or its own DevTools export) with check --har alone, and
// adds a row per request. Firefox records a GET it blocked as completed,
// without error: when the file cannot tell it from one it allowed, its
// report may be allowed, but its part for credentials: 'include', the
// page's mode, must be blocked with the true cause. A blocked one's first
// cause must be the live check's (harCause), unless harGap names why.
func firefoxHARRows(t *testing.T, table *pasteTable, bs brokenServer, form, origin string, reqs []browsertest.Request, labels []string, res []browsertest.Result, har []byte) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "firefox.har")
	os.WriteFile(file, har, 0o600)
	var out, errOut bytes.Buffer
	runCheckWithStdin(harArgs(table, bs, origin, file), nil, &out, &errOut)
	var h struct {
		Requests []harJudged `json:"requests"`
	}
	json.Unmarshal(out.Bytes(), &h)
	sort.SliceStable(h.Requests, func(i, j int) bool { return h.Requests[i].Entry < h.Requests[j].Entry })
	if len(h.Requests) != len(reqs) {
		t.Errorf("the %s of a GET and a PUT: %d requests judged, want %d\n%s%s", form, len(h.Requests), len(reqs), out.String(), errOut.String())
		return
	}
	for i, r := range h.Requests {
		want, j := truth(t, bs, origin, reqs[i]), r.Report
		switch {
		case j == nil:
			t.Errorf("%s: no report for its %s", labels[i], form)
		case res[i].OK:
			table.add(pasteRow{server: bs.name, request: labels[i], form: form, reproduced: "-", cause: "allowed by firefox", sent: "-"})
		case j.Allowed && !strings.Contains(r.Note, "with them blocked"):
			t.Errorf("%s: Firefox blocked it (%q), and its %s, alone, is judged allowed without a word on credentials (%q)", labels[i], res[i].Console, form, r.Note)
			table.add(pasteRow{server: bs.name, request: labels[i], form: form, reproduced: "-", cause: "allowed (wrong)", sent: "-"})
		case j.Allowed:
			// The page's mode, include, is the report's part for it: its
			// fix is compared as the others'.
			fix, narrowed := table.harFix(t, bs, reqs[i], r, labels[i], form)
			table.add(pasteRow{server: bs.name, request: labels[i], form: form, reproduced: "-", cause: firefoxIncludePart(t, labels[i], form, j, want, res[i]), fix: fix, narrowed: narrowed, sent: harSent(r)})
		default:
			cause, wrong := harCause(r, want)
			reproduced := "-"
			if r.Fill != nil && len(r.Fill.FromFill) > 0 && !slices.ContainsFunc(r.Fill.FromFile, func(s string) bool { return strings.HasPrefix(s, "request ") }) {
				reproduced = "yes (the file holds no answer: sent by the live fill)"
			}
			if gap := harGap(bs, form); wrong && gap != "" {
				t.Logf("%s: KNOWN GAP: its %s: %s: %s", labels[i], form, cause, gap)
				cause += " (known gap)"
			} else if wrong {
				t.Errorf("%s: its %s names a wrong cause first: %s\n%s\nfill: %+v", labels[i], form, cause, r.Gap, r.Fill)
			}
			fix, narrowed := table.harFix(t, bs, reqs[i], r, labels[i], form)
			table.add(pasteRow{server: bs.name, request: labels[i], form: form, reproduced: reproduced, cause: cause, fix: fix, narrowed: narrowed, sent: harSent(r)})
		}
	}
}

// firefoxIncludePart is the row of a request Firefox blocked and its HAR
// records as a completed 200: the file cannot tell the credentials mode,
// so the report is for none, and its part for credentials: 'include', the
// page's mode, must be Firefox's verdict and the true cause, want.
func firefoxIncludePart(t *testing.T, label, form string, j *check.JSON, want string, res browsertest.Result) string {
	t.Helper()
	a := j.OtherCredentials
	switch {
	case a == nil || a.Credentials != "include" || a.Allowed:
		t.Errorf("%s: Firefox blocked it (%q); its %s is judged allowed and gives no blocked verdict for credentials 'include': %+v", label, res.Console, form, a)
		return "allowed (wrong): no part for include"
	case firstProblem(a.Problems) != want:
		t.Errorf("%s: its %s's part for credentials 'include' names %q first, want %q", label, form, firstProblem(a.Problems), want)
		return "wrong: " + firstProblem(a.Problems) + ", want " + want + " (the part for include)"
	}
	return "right (the report's part for credentials 'include', the page's: the file records a completed 200 and no cookie)"
}

// truth is the first problem corskit names when told the whole request.
func truth(t *testing.T, bs brokenServer, origin string, req browsertest.Request) string {
	o := check.Options{URL: req.URL, Origin: origin, Method: req.Method, Credentials: browser.Credentials(req.Credentials), Body: req.Body, NoBody: req.Body == "", Stack: bs.stack}
	for n, v := range req.Headers {
		o.Headers = append(o.Headers, browser.Header{Name: n, Value: v})
	}
	r, err := check.Run(context.Background(), o)
	if err != nil || len(r.Problems) == 0 {
		return "(allowed)"
	}
	return r.Problems[0].Name
}

// pasteConsole runs corskit check --from-error - on the text, with
// --origin only when corskit asks for it.
func pasteConsole(t *testing.T, bs brokenServer, origin, text string) (*fromErrorJSON, int) {
	args := []string{"--json", "--stack", bs.stack, "--from-error", "-"}
	j, code := runFromErrorJSON(args, text)
	if code == ExitUsage {
		j, code = runFromErrorJSON(append(args, "--origin", origin), text)
	}
	return j, code
}

func runFromErrorJSON(args []string, stdin string) (*fromErrorJSON, int) {
	var out, errOut bytes.Buffer
	code := runCheckWithStdin(args, strings.NewReader(stdin), &out, &errOut)
	var j fromErrorJSON
	if json.Unmarshal(out.Bytes(), &j) != nil {
		return nil, code
	}
	return &j, code
}

func runJSON(t *testing.T, args []string, stdin string) (*check.JSON, int) {
	var out, errOut bytes.Buffer
	code := runCheckWithStdin(args, strings.NewReader(stdin), &out, &errOut)
	var j check.JSON
	if json.Unmarshal(out.Bytes(), &j) != nil {
		t.Logf("corskit check %q: exit %d\n%s%s", args, code, out.String(), errOut.String())
		return nil, code
	}
	return &j, code
}

// copies are the request as DevTools copies it: "Copy as cURL" with the
// page's cookie and without one (credentials then unknown), and "Copy as
// fetch", as Chromium writes them.
func copies(req browsertest.Request, origin string) map[string][]string {
	curl := []string{"--", "curl", req.URL}
	if req.Method != "GET" {
		curl = append(curl, "-X", req.Method)
	}
	curl = append(curl, "-H", "Accept: */*", "-H", "Origin: "+origin, "-H", "Referer: "+origin+"/")
	hdrs := map[string]string{"accept": "*/*"}
	for n, v := range req.Headers {
		curl = append(curl, "-H", n+": "+v)
		hdrs[strings.ToLower(n)] = v
	}
	if req.Body != "" {
		curl = append(curl, "--data-raw", req.Body)
	}
	withCookie := append(append([]string{}, curl...), "-b", "session=1")
	opts := map[string]any{"headers": hdrs, "referrer": origin + "/", "method": req.Method, "mode": "cors", "credentials": req.Credentials}
	if req.Body != "" {
		opts["body"] = req.Body
	} else {
		opts["body"] = nil
	}
	o, _ := json.Marshal(opts)
	return map[string][]string{
		"cURL copy, no cookie": curl,
		"cURL copy, cookie":    withCookie,
		"fetch copy":           {"--fetch", fmt.Sprintf("fetch(%q, %s);", req.URL, o)},
	}
}

// writePasteTable logs the table, and writes it to the file
// CORSKIT_PASTE_TABLE names.
func writePasteTable(t *testing.T, p *pasteTable) {
	md := p.markdown()
	t.Logf("pasted evidence, each alone:\n%s", md)
	if f := os.Getenv("CORSKIT_PASTE_TABLE"); f != "" {
		os.WriteFile(f, []byte(md), 0o600)
	}
}
