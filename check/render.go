package check

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/jsonout"
)

// JSON is the machine-readable form of a Report (corskit check --json).
type JSON struct {
	Request         JSONInput             `json:"request"`
	Allowed         bool                  `json:"allowed"`
	Message         string                `json:"message"`
	Messages        []string              `json:"messages"`
	Engines         map[string]JSONEngine `json:"engines"`
	Alternatives    []string              `json:"message_alternatives,omitempty"`
	Code            string                `json:"code"`
	URL             string                `json:"url"`
	Status          int                   `json:"status,omitempty"`
	Preflight       JSONPreflight         `json:"preflight"`
	Actual          *JSONExchange         `json:"actual"`
	Exchanges       []JSONExchange        `json:"exchanges"`
	ReadableHeaders []string              `json:"readable_headers"`
	Warnings        []browser.Warning     `json:"warnings"`
	Problems        []Problem             `json:"problems"`
	// ActualNotSent: the problems stop before a request that may change
	// data, which the failed preflight keeps the browser from sending.
	ActualNotSent bool          `json:"actual_not_sent,omitempty"`
	Fix           *JSONFix      `json:"fix"`
	OtherOrigins  []OtherOrigin `json:"other_origins"`
	NetworkError  string        `json:"network_error,omitempty"`
	// BodySent is the body sent with the request; BodyAssumed says the
	// evidence did not tell it and the doctor assumed it ({} for a JSON
	// Content-Type, else none).
	BodySent    string `json:"body_sent,omitempty"`
	BodyAssumed bool   `json:"body_assumed,omitempty"`
	// CredentialsUnknown and OtherCredentials: see Report's fields.
	CredentialsUnknown bool                        `json:"credentials_unknown,omitempty"`
	OtherCredentials   *JSONCredentialsAlternative `json:"other_credentials,omitempty"`
}

// JSONCredentialsAlternative is a CredentialsAlternative in the JSON
// report: the verdict, causes and fix in the other credentials mode.
type JSONCredentialsAlternative struct {
	Credentials string    `json:"credentials"`
	Allowed     bool      `json:"allowed"`
	Code        string    `json:"code"`
	Message     string    `json:"message"`
	Problems    []Problem `json:"problems"`
	Fix         *JSONFix  `json:"fix"`
}

// JSONInput is the request checked, as reconstructed from the input (flags,
// console text, a copied cURL or fetch).
type JSONInput struct {
	URL         string            `json:"url"`
	Origin      string            `json:"origin"`
	Method      string            `json:"method"`
	Headers     map[string]string `json:"headers"`
	Credentials string            `json:"credentials"`
	Body        string            `json:"body,omitempty"`
}

// JSONFix is the fix: the headers the answers need, by name, and the
// snippets, by stack.
type JSONFix struct {
	PreflightStatus int               `json:"preflight_status,omitempty"`
	Preflight       map[string]string `json:"preflight,omitempty"`
	Response        map[string]string `json:"response"`
	// Policy is what the fix allows, as corskit's policy file spells it.
	Policy    cors.Config       `json:"policy"`
	Stack     string            `json:"stack,omitempty"`
	StackFrom string            `json:"stack_from,omitempty"`
	Snippet   string            `json:"snippet,omitempty"`
	Snippets  map[string]string `json:"snippets"`
	// Pieces are the snippets' pieces, by stack, each with where it goes:
	// what a program applying the fix reads.
	Pieces map[string][]gen.Part `json:"pieces"`
	// Dropped are the names in the server's answers the fix leaves out.
	Dropped []Dropped `json:"dropped"`
	// Learned is the server's current policy as the probe showed it, with
	// the count of requests it sent; Keeps and Adds say what the fix keeps
	// of it and what it adds.
	Learned *Learned `json:"learned,omitempty"`
	Keeps   string   `json:"keeps,omitempty"`
	Adds    string   `json:"adds,omitempty"`
	// Stacks are the stacks the doctor writes for, in the registry's
	// order (gen's stack files): the page's tabs.
	Stacks []string `json:"stacks"`
	// Causes are the stack's typical mistakes, those the answers show first.
	Causes []StackCause `json:"causes,omitempty"`
}

func lines(hs []HeaderLine) map[string]string {
	if hs == nil {
		return nil
	}
	out := map[string]string{}
	for _, h := range hs {
		out[h.Name] = h.Value
	}
	return out
}

// JSONEngine is one engine's verdict.
type JSONEngine struct {
	Product  string   `json:"product"`
	Allowed  bool     `json:"allowed"`
	Code     string   `json:"code"`
	Messages []string `json:"messages"`
	// ReadableHeaders are the response headers the page can read in this
	// engine, when allowed.
	ReadableHeaders []string `json:"readable_headers"`
}

// JSONPreflight is the preflight, when one was sent.
type JSONPreflight struct {
	Sent     bool          `json:"sent"`
	Request  *JSONRequest  `json:"request,omitempty"`
	Response *JSONResponse `json:"response,omitempty"`
}

// JSONExchange is one request and its answer.
type JSONExchange struct {
	Request  JSONRequest   `json:"request"`
	Response *JSONResponse `json:"response"`
	// NotRecorded: judged from a HAR that does not hold this exchange (a
	// preflight the recording tool does not save, an entry without an
	// answer); Response, when set, is what it is taken as.
	NotRecorded bool `json:"not_recorded,omitempty"`
	// Filled: judged from a HAR that does not hold this exchange, and
	// answered by the live fill (see HARFill), not by the file.
	Filled bool `json:"filled,omitempty"`
}

// JSONRequest is a request the browser sent.
type JSONRequest struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	Credentials bool              `json:"credentials"`
}

// JSONResponse is an answer: header lines of one name are joined with ", ",
// as the browser reads them.
type JSONResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
}

// ToJSON converts the report.
func (r Report) ToJSON() JSON {
	v := r.Verdict
	j := JSON{
		Allowed: v.Allowed, Message: v.Message, Messages: v.Messages, Alternatives: v.Alternatives, Code: string(v.Reason), URL: v.URL, Status: v.Status,
		ReadableHeaders: v.Readable, Warnings: v.Warnings, Problems: r.Problems, ActualNotSent: r.ActualNotSent,
		BodySent: r.BodySent, BodyAssumed: r.BodyAssumed,
	}
	if j.Messages == nil {
		j.Messages = []string{}
	}
	j.Engines = map[string]JSONEngine{}
	for _, e := range r.Engines {
		msgs := e.Verdict.Messages
		if msgs == nil {
			msgs = []string{}
		}
		readable := e.Verdict.Readable
		if readable == nil {
			readable = []string{}
		}
		j.Engines[e.Engine.Name] = JSONEngine{Product: e.Engine.Product, Allowed: e.Verdict.Allowed, Code: string(e.Verdict.Reason), Messages: msgs, ReadableHeaders: readable}
	}
	if j.ReadableHeaders == nil {
		j.ReadableHeaders = []string{}
	}
	if j.Warnings == nil {
		j.Warnings = []browser.Warning{}
	}
	if j.Problems == nil {
		j.Problems = []Problem{}
	}
	if v.Err != nil {
		j.NetworkError = v.Err.Error()
	}
	j.Fix = jsonFix(r.Fix)
	j.CredentialsUnknown = r.CredentialsUnknown
	if a := r.OtherCredentials; a != nil {
		j.OtherCredentials = &JSONCredentialsAlternative{Credentials: string(a.Credentials), Allowed: a.Allowed,
			Code: string(a.Verdict.Reason), Message: a.Verdict.Message, Problems: a.Problems, Fix: jsonFix(a.Fix)}
		if j.OtherCredentials.Problems == nil {
			j.OtherCredentials.Problems = []Problem{}
		}
	}
	o := r.Options
	j.Request = JSONInput{URL: o.URL, Origin: o.Origin, Method: o.Method, Headers: map[string]string{}, Credentials: string(o.Credentials), Body: o.Body}
	for _, h := range o.Headers {
		j.Request.Headers[h.Name] = h.Value
	}
	j.OtherOrigins = r.Others
	if j.OtherOrigins == nil {
		j.OtherOrigins = []OtherOrigin{}
	}
	for _, x := range v.Exchanges {
		e := JSONExchange{Request: JSONRequest{Method: x.Request.Method, URL: x.Request.URL, Headers: flatten(x.Request.Header), Credentials: x.Request.Credentials}}
		if x.Err == nil {
			e.Response = &JSONResponse{Status: x.Response.Status, Headers: flatten(x.Response.Header)}
		}
		j.Exchanges = append(j.Exchanges, e)
		if x.Request.Preflight && !j.Preflight.Sent {
			j.Preflight = JSONPreflight{Sent: true, Request: &e.Request, Response: e.Response}
		}
		if !x.Request.Preflight {
			j.Actual = &e
		}
	}
	return j
}

func flatten(h http.Header) map[string]string {
	out := map[string]string{}
	for k, vs := range h {
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// WriteJSON writes the report as one JSON object.
func (r Report) WriteJSON(w io.Writer) error {
	return jsonout.Write(w, r.ToJSON())
}

// style holds the terminal escapes, empty in a pipe.
type style struct{ bold, red, green, yellow, dim, reset string }

func newStyle(color bool) style {
	if !color {
		return style{}
	}
	return style{"\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[2m", "\x1b[0m"}
}

// WriteText writes the report for a person; color adds terminal colours.
// It returns the first write error, after which it writes nothing more.
func (r Report) WriteText(out io.Writer, color bool) error {
	w := &stickyWriter{w: out}
	s := newStyle(color)
	r.writeHeadline(w, s)
	r.writeLogs(w, s)
	r.writeExchanges(w, s)
	if !r.Verdict.Allowed && r.Agree() {
		w.p("\n%sWhy:%s %s\n", s.bold, s.reset, r.Verdict.Reason.Explain())
	}
	r.writeProblems(w, s)
	r.writeOthers(w, s)
	r.writeFix(w, s)
	r.writeOtherCredentials(w, s)
	r.writeReadableAndRisks(w, s)
	return w.err
}

// writeHeadline writes the verdict's first line and, when the engines
// disagree, what each did.
func (r Report) writeHeadline(w *stickyWriter, s style) {
	v, o := r.Verdict, r.Options
	engines := r.engineList()
	switch {
	case v.Reason == browser.NetworkError:
		w.p("%s%sNETWORK ERROR%s  %s %s: %v\n", s.bold, s.red, s.reset, o.Method, v.URL, v.Err)
		w.p("  Not a CORS error: no answer came back. The browser reports it as 'TypeError: Failed to fetch' too.\n")
	case r.Allowed():
		w.p("%s%sALLOWED%s  %s %s from %s: the page can read the %d response (%s).\n", s.bold, s.green, s.reset, o.Method, o.URL, o.Origin, v.Status, engines)
	case r.Blocked():
		w.p("%s%sBLOCKED%s  %s %s from %s (%s)\n", s.bold, s.red, s.reset, o.Method, o.URL, o.Origin, engines)
		if !r.Agree() {
			w.p("  The engines stop at different checks:\n")
			for _, g := range r.byReason() {
				w.p("  %s%s%s: %s\n", s.red, strings.Join(g.engines, ", "), s.reset, g.reason.Explain())
			}
		}
	default:
		w.p("%s%sBLOCKED%s in some engines  %s %s from %s: the engines disagree\n", s.bold, s.red, s.reset, o.Method, o.URL, o.Origin)
		for _, e := range r.Engines {
			if e.Verdict.Allowed {
				w.p("  %s%-8s allowed%s\n", s.green, e.Engine.Name, s.reset)
			} else {
				w.p("  %s%-8s blocked%s: %s\n", s.red, e.Engine.Name, s.reset, e.Verdict.Reason.Explain())
			}
		}
	}
}

// writeLogs writes each engine's console lines.
func (r Report) writeLogs(w *stickyWriter, s style) {
	for _, e := range r.Engines {
		if len(e.Verdict.Messages) == 0 {
			continue
		}
		w.p("\n%s%s logs:%s\n", s.bold, e.Engine.Product, s.reset)
		for _, line := range e.Verdict.Messages {
			w.p("  %s\n", line)
		}
	}
}

// writeExchanges writes what the browser sent and what the server answered.
func (r Report) writeExchanges(w *stickyWriter, s style) {
	v := r.Verdict
	w.p("\n%sWhat the browser sent and what the server answered:%s\n", s.bold, s.reset)
	if len(v.Exchanges) == 0 {
		w.p("  nothing: %s blocked the request before sending it.\n", r.Engines[0].Engine.Product)
	}
	for i, x := range v.Exchanges {
		kind := "request"
		if x.Request.Preflight {
			kind = "preflight"
		}
		creds := ""
		if x.Request.Credentials {
			creds = " (with cookies)"
		}
		w.p("  %d. %s: %s %s%s\n", i+1, kind, x.Request.Method, x.Request.URL, creds)
		for _, k := range sortedKeys(x.Request.Header) {
			if k == "Origin" || strings.HasPrefix(k, "Access-Control-") || !x.Request.Preflight && k != "Accept" && k != "User-Agent" {
				w.p("     %s> %s: %s%s\n", s.dim, k, strings.Join(x.Request.Header[k], ", "), s.reset)
			}
		}
		if x.Err != nil {
			w.p("     %s< no answer: %v%s\n", s.red, x.Err, s.reset)
			continue
		}
		w.p("     < %d %s\n", x.Response.Status, http.StatusText(x.Response.Status))
		shown := false
		for _, k := range sortedKeys(x.Response.Header) {
			if strings.HasPrefix(k, "Access-Control-") || k == "Vary" || k == "Location" || k == "Server" || k == "X-Powered-By" {
				mark := ""
				if i == len(v.Exchanges)-1 && !v.Allowed && k == "Access-Control-Allow-Origin" {
					mark = s.yellow
				}
				w.p("     %s< %s: %s%s\n", mark, k, strings.Join(x.Response.Header[k], ", "), s.reset)
				if strings.HasPrefix(k, "Access-Control-") {
					shown = true
				}
			}
		}
		if !shown {
			w.p("     %s< (no Access-Control-* header)%s\n", s.yellow, s.reset)
		}
	}

	if note := r.bodyNote(); note != "" {
		w.p("  %s%s%s\n", s.dim, note, s.reset)
	}
}

// writeOthers writes the verdicts for the app's other origins.
func (r Report) writeOthers(w *stickyWriter, s style) {
	if len(r.Others) > 0 {
		w.p("\n%sFrom the app's other origins (Options.AlsoOrigins), before the fix:%s\n", s.bold, s.reset)
		for _, oo := range r.Others {
			if oo.Allowed {
				w.p("  %s%s allowed%s\n", s.green, oo.Origin, s.reset)
			} else {
				w.p("  %s%s blocked%s: %s\n", s.red, oo.Origin, s.reset, browser.Reason(oo.Code).Explain())
			}
		}
	}
}

// writeFix writes the headers the server must send, and the snippet.
func (r Report) writeFix(w *stickyWriter, s style) {
	r.writeFixTitled(w, s, "The fix: the server must send")
}

// writeFixTitled is writeFix under another title.
func (r Report) writeFixTitled(w *stickyWriter, s style, title string) {
	if f := r.Fix; f.Response != nil {
		w.p("\n%s%s%s\n", s.bold, title, s.reset)
		if f.Preflight != nil {
			w.p("  on the preflight (OPTIONS), with status %d:\n", f.PreflightStatus)
			for _, h := range f.Preflight {
				w.p("    %s%s: %s%s\n", s.green, h.Name, h.Value, s.reset)
			}
		}
		w.p("  on every other response, errors included:\n")
		for _, h := range f.Response {
			w.p("    %s%s: %s%s\n", s.green, h.Name, h.Value, s.reset)
		}
		w.p("  It allows what the request needs and keeps what the server's answers already allowed: origins %s", strings.Join(f.Policy.AllowOrigins, ", "))
		if len(f.Policy.AllowMethods) > 0 {
			w.p("; methods %s", strings.Join(f.Policy.AllowMethods, ", "))
		}
		if len(f.Policy.AllowHeaders) > 0 {
			w.p("; headers %s", strings.Join(f.Policy.AllowHeaders, ", "))
		}
		w.p(".\n")
		switch {
		case f.Keeps != "":
			w.p("  It keeps %s.\n", f.Keeps)
		case f.Learned != nil:
			w.p("  %d probe requests (preflights for the usual methods and headers from two origins, and GETs) found no CORS header on this URL.\n", f.Learned.Requests)
		}
		if f.Adds != "" {
			w.p("  It adds %s.\n", f.Adds)
		}
		for _, d := range f.Dropped {
			w.p("  %sLeft out%s %s from the server's %s: %s.\n", s.yellow, s.reset, strconv.Quote(d.Name), d.Header, d.Why)
		}
		if f.Snippet != "" {
			from := "Options.Stack"
			if f.StackFrom != StackGiven {
				from = "detected from " + f.StackFrom
			}
			w.p("\n  For %s (%s), to paste into the app as it is:\n\n", f.Stack, from)
			for line := range strings.SplitSeq(strings.TrimRight(f.Snippet, "\n"), "\n") {
				w.p("    %s\n", line)
			}
			if len(f.Causes) > 0 {
				w.p("\n  %s's usual CORS mistakes, to check in the app:\n", f.Stack)
				for _, c := range f.Causes {
					seen := ""
					if c.Seen {
						seen = s.yellow + " (the answers show this)" + s.reset
					}
					w.p("  - %s%s: %s. Fix: %s.\n", c.ID, seen, c.Mistake, c.Fix)
				}
			}
		} else {
			w.p("\n  Set Options.Stack to %s for a ready snippet.\n", strings.Join(Stacks(), "|"))
		}
	}
}

// jsonFix is a fix in the JSON report; nil when there is nothing to fix.
func jsonFix(f Fix) *JSONFix {
	if f.Response == nil {
		return nil
	}
	j := &JSONFix{PreflightStatus: f.PreflightStatus, Preflight: lines(f.Preflight), Response: lines(f.Response),
		Policy: f.Policy, Stack: f.Stack, StackFrom: f.StackFrom, Snippet: f.Snippet, Snippets: f.Snippets, Pieces: f.Pieces, Dropped: f.Dropped,
		Learned: f.Learned, Keeps: f.Keeps, Adds: f.Adds, Stacks: Stacks(), Causes: f.Causes}
	if j.Dropped == nil {
		j.Dropped = []Dropped{}
	}
	return j
}

// writeOtherCredentials says, for evidence that did not tell the
// credentials mode, which mode the report is for, and writes the other
// mode's verdict, cause and fix when they differ.
func (r Report) writeOtherCredentials(w *stickyWriter, s style) {
	if !r.CredentialsUnknown {
		return
	}
	a := r.OtherCredentials
	if a == nil {
		w.p("\n%sCredentials:%s the evidence does not tell whether the page sends credentials; with credentials: 'include' and without, the verdict and the fix are the same.\n", s.bold, s.reset)
		return
	}
	w.p("\n%sCredentials:%s the evidence does not tell whether the page sends credentials (a copy shows what was sent, not the page's credentials mode). The report above is for a request %s.\n", s.bold, s.reset, credentialsMode(r.Options.Credentials))
	if a.Allowed {
		w.p("  If the page sends its request %s, it is %sallowed%s: nothing to fix.\n", credentialsMode(a.Credentials), s.green, s.reset)
		return
	}
	cause := string(a.Verdict.Reason)
	if len(a.Problems) > 0 {
		cause = a.Problems[0].Name
	}
	w.p("  If the page sends its request %s, it is %sblocked%s (%s): %s\n", credentialsMode(a.Credentials), s.red, s.reset, cause, a.Verdict.Reason.Explain())
	alt := Report{Options: r.Options, Fix: a.Fix}
	alt.Options.Credentials = a.Credentials
	alt.writeFixTitled(w, s, "The fix if the page sends its request "+credentialsMode(a.Credentials)+": the server must send")
}

// credentialsMode names a credentials mode as page code sets it.
func credentialsMode(c browser.Credentials) string {
	if c == browser.Include {
		return "with credentials (fetch's credentials: 'include', withCredentials in XMLHttpRequest and axios)"
	}
	return "without credentials (no credentials: 'include', no withCredentials)"
}

// writeReadableAndRisks writes what the page can read and the risks.
func (r Report) writeReadableAndRisks(w *stickyWriter, s style) {
	v := r.Verdict
	if v.Allowed && len(v.Readable) > 0 {
		w.p("\n%sThe page can read:%s %s\n", s.bold, s.reset, strings.Join(v.Readable, ", "))
	}
	if len(v.Warnings) > 0 {
		w.p("\n%sRisks:%s\n", s.bold, s.reset)
		for _, wn := range v.Warnings {
			w.p("  %s- %s%s\n", s.yellow, wn.Message, s.reset)
		}
	}
}

// bodyNote says which body the doctor assumed, when the evidence did not
// tell it and a request that may carry one was sent; else "".
func (r Report) bodyNote() string {
	sent := slices.ContainsFunc(r.Verdict.Exchanges, func(x browser.Exchange) bool { return !x.Request.Preflight })
	if !r.BodyAssumed || !sent {
		return ""
	}
	if r.BodySent != "" {
		return fmt.Sprintf("(the page's body is not known: corskit sent %s, for its JSON Content-Type; give -d with the page's body if the answer depends on it)", r.BodySent)
	}
	return "(the page's body is not known: corskit sent none; give -d with the page's body if it sends one)"
}

// writeProblems lists every problem on the path, in order, with its cause.
func (r Report) writeProblems(w io.Writer, s style) {
	if len(r.Problems) == 0 {
		return
	}
	engine := r.target().Engine.Product
	fmt.Fprintf(w, "\n%sProblems, in the order %s meets them:%s\n", s.bold, engine, s.reset)
	for i, pr := range r.Problems {
		where := pr.answer()
		for _, a := range pr.Again {
			where += "; again on the " + a
		}
		fmt.Fprintf(w, "  %d. %s%s%s (%s): %s\n", i+1, s.yellow, pr.Name, s.reset, where, pr.Sentence)
	}
	if len(r.Problems) > 1 {
		fmt.Fprintf(w, "  %s(after the first, corskit took each problem as fixed and sent what the browser sends next)%s\n", s.dim, s.reset)
	}
	if r.ActualNotSent {
		fmt.Fprintf(w, "  %sThe %s itself was not sent: the browser does not send it while its preflight fails, and it may change data. Its answer may hold more problems: fix these and check again, or set Options.SendActual.%s\n", s.dim, r.Options.Method, s.reset)
	}
}

// reasonGroup is the engines that blocked for one reason.
type reasonGroup struct {
	reason  browser.Reason
	engines []string
}

// byReason groups the engines by the reason they blocked for, in order.
func (r Report) byReason() []reasonGroup {
	var out []reasonGroup
	for _, e := range r.Engines {
		i := slices.IndexFunc(out, func(g reasonGroup) bool { return g.reason == e.Verdict.Reason })
		if i < 0 {
			out = append(out, reasonGroup{reason: e.Verdict.Reason})
			i = len(out) - 1
		}
		out[i].engines = append(out[i].engines, e.Engine.Name)
	}
	return out
}

// engineList names the engines judged: "Chromium 156, Firefox 153, ...".
func (r Report) engineList() string {
	var names []string
	for _, e := range r.Engines {
		names = append(names, e.Engine.Product)
	}
	return strings.Join(names, ", ")
}

func sortedKeys(h http.Header) []string {
	var ks []string
	for k := range h {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
