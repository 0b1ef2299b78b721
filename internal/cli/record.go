package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/record"
	"github.com/corskit/corskit/internal/web"
)

const recordUsage = `Usage: corskit record [flags] URL...

Opens the app in a real browser (Chromium by the DevTools protocol), with a
window unless --headless, in a fresh profile (or --profile DIR, to keep a
login), and diagnoses every cross-origin request its pages make: the
request as sent, its preflight, both answers and the engine's own console
lines and issue reports, judged by the model of Chromium, Firefox and
Safari. Each blocked request is printed as it happens, with its cause and
fix; a summary per origin and endpoint, the blocked first, ends the run.

record adds nothing to the pages, and the browser runs with its background
networking off: it talks only to what the app asks for.

--script FILE runs steps after the URLs are open, one a line:
  open URL | click SELECTOR | fill SELECTOR TEXT | wait text TEXT | wait idle

--serve shows the session in corskit's page as it happens: every request on
one timeline, filterable, each opening its diagnosis.

Exit status: 0, or 1 with --fail-on-blocked when a request was blocked in
any engine (a CORS smoke test of a frontend in CI), 2 for a bad command line
or a browser that could not run.

Flags:
`

// recordFlagsForTests are browser flags the tests add (keeping Chromium on
// loopback); empty in the binary.
var recordFlagsForTests []string

// recordPrefsForTests are Firefox preferences the tests add (keeping
// Firefox on loopback); empty in the binary.
var recordPrefsForTests []string

// recordContext is a run's context, ended by Ctrl-C or SIGTERM (which end
// --serve's page); a test replaces it to end a run itself.
var recordContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

type recordOptions struct {
	rec          record.Options
	serve        bool
	listen       string
	json, failOn bool
	har, script  string
}

func parseRecord(args []string, stderr io.Writer) (recordOptions, int) {
	fs := flag.NewFlagSet("corskit record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(stderr, recordUsage)
		printFlags(stderr, fs)
	}
	var o recordOptions
	fs.StringVar(&o.rec.Browser, "browser", "chromium", "the browser to drive: chromium (DevTools protocol) or firefox (WebDriver BiDi)")
	fs.BoolVar(&o.rec.Headless, "headless", false, "run the browser without a window (CI)")
	fs.StringVar(&o.rec.Profile, "profile", "", "the browser's profile `DIR`, kept between runs (a login); default a fresh one, removed at the end")
	fs.StringVar(&o.rec.Stack, "stack", "", "the server's stack, for the fix (as corskit check --stack)")
	fs.Func("credentials", "the credentials mode of the app's requests (include, same-origin, omit), which the browser does not report; default include when cookies went with a request or the engine's error says so", func(v string) error {
		o.rec.Credentials = browser.Credentials(v)
		return nil
	})
	fs.DurationVar(&o.rec.Timeout, "timeout", 30*time.Second, "time limit of each step: a page's load, a click, a wait")
	fs.DurationVar(&o.rec.Idle, "idle", time.Second, "how long the network must be quiet for a page to count as loaded")
	fs.StringVar(&o.script, "script", "", "run the steps of `FILE` after the URLs are open (open, click, fill, wait text, wait idle)")
	fs.StringVar(&o.har, "har", "", "write every request the browser made to `FILE`, as HAR")
	fs.BoolVar(&o.json, "json", false, "print the session as JSON, for machines")
	fs.BoolVar(&o.serve, "serve", false, "show the session in corskit's page as it happens; the page stays until Ctrl-C")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "with --serve, the loopback address of the page")
	fs.BoolVar(&o.failOn, "fail-on-blocked", false, "exit 1 when any request was blocked in any engine")
	urls, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, ExitOK
		}
		return o, ExitUsage
	}
	o.rec.URLs = urls
	if o.script != "" {
		f, err := os.Open(o.script)
		if err != nil {
			fmt.Fprintf(stderr, "corskit record: --script %s: %v\n", o.script, err)
			return o, ExitUsage
		}
		o.rec.Script, err = record.ParseScript(io.LimitReader(f, 1<<20))
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "corskit record: %v (%s)\n", err, o.script)
			return o, ExitUsage
		}
	}
	o.rec.Flags, o.rec.FirefoxPrefs = recordFlagsForTests, recordPrefsForTests
	if err := o.rec.Validate(); err != nil {
		fmt.Fprintf(stderr, "corskit record: %v\n", err)
		return o, ExitUsage
	}
	return o, -1
}

func runRecord(args []string, stdout, stderr io.Writer) int {
	o, code := parseRecord(args, stderr)
	if code >= 0 {
		return code
	}
	ctx, stop := recordContext()
	defer stop()
	var mu sync.Mutex
	var page *web.Server
	if o.serve {
		var stopPage func()
		var ok bool
		if page, stopPage, ok = recordServe(o.listen, stdout, stderr); !ok {
			return ExitUsage
		}
		defer stopPage()
	}
	if !o.json {
		o.rec.OnResult = func(r record.Result) {
			mu.Lock()
			defer mu.Unlock()
			writeRecordResult(stdout, r)
		}
		o.rec.OnStep = func(s record.Step) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stdout, "-> %s\n", s)
		}
	}
	if page != nil {
		show := o.rec.OnResult
		o.rec.OnResult = func(r record.Result) {
			page.Record(r)
			if show != nil {
				show(r)
			}
		}
	}
	o.rec.OnNote = func(n string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "corskit record: %s\n", n)
	}
	s, err := record.Run(ctx, o.rec)
	if errors.Is(err, record.ErrNoBrowser) || (err != nil && s.HAR == nil) {
		fmt.Fprintf(stderr, "corskit record: %v\n", err)
		return ExitUsage
	}
	if o.har != "" {
		if werr := os.WriteFile(o.har, s.HAR, 0o600); werr != nil {
			fmt.Fprintf(stderr, "corskit record: --har %s: %v: give a file in a folder you can write\n", o.har, werr)
			return ExitUsage
		}
	}
	if o.json {
		writeRecordJSON(stdout, s, err)
	} else {
		writeRecordSummary(stdout, s)
	}
	if page != nil {
		page.RecordDone()
		fmt.Fprintln(stderr, "corskit record: the session stays on the page until Ctrl-C")
		<-ctx.Done()
	}
	if err != nil {
		fmt.Fprintf(stderr, "corskit record: %v\n", err)
		return ExitUsage
	}
	if o.failOn && s.Blocked() > 0 {
		return ExitFail
	}
	return ExitOK
}

// writeRecordResult prints one request as it is judged: a line when
// allowed everywhere, the engines, the engine's words, the problems and
// the fix when blocked in any.
func writeRecordResult(w io.Writer, r record.Result) {
	if !r.Blocked() {
		fmt.Fprintf(w, "ok       %s %s from %s\n", r.Method, r.URL, r.Origin)
		for _, d := range r.Differences {
			fmt.Fprintf(w, "  differs: %s\n", d)
		}
		return
	}
	here := "allowed it"
	if r.BlockedHere {
		here = "blocked it"
		if r.EngineError != "" {
			here += " (" + r.EngineError + ")"
		}
	}
	fmt.Fprintf(w, "\nBLOCKED  %s %s from %s (credentials %s; %s %s)\n", r.Method, r.URL, r.Origin, r.Credentials, r.Engine, here)
	for _, l := range r.Console {
		if !strings.HasPrefix(l, "Failed to load resource") {
			fmt.Fprintf(w, "  %s said: %s\n", r.Engine, l)
		}
	}
	if r.Issue != "" {
		fmt.Fprintf(w, "  %s's issue: %s\n", r.Engine, r.Issue)
	}
	if r.Full == nil {
		fmt.Fprintf(w, "  not judged by the model: %s\n", r.Error)
		return
	}
	for _, e := range r.Full.Engines {
		state := "allowed"
		if !e.Verdict.Allowed {
			state = string(e.Verdict.Reason)
		}
		fmt.Fprintf(w, "  model %-8s %s\n", e.Engine.Name, state)
	}
	for _, d := range r.Differences {
		fmt.Fprintf(w, "  differs: %s\n", d)
	}
	writeBrief(w, *r.Full)
	fmt.Fprintf(w, "  the full diagnosis and the snippet for your stack: %s\n", r.Command)
}

// writeRecordSummary prints the summary per origin and endpoint.
func writeRecordSummary(w io.Writer, s record.Session) {
	fmt.Fprintf(w, "\nrecorded in %s: %d cross-origin requests, %d blocked in some engine\n", s.Engine, len(s.Results), s.Blocked())
	for _, o := range s.Summary() {
		fmt.Fprintf(w, "  %s\n", o.Origin)
		for _, e := range o.Endpoints {
			if e.Blocked == 0 {
				fmt.Fprintf(w, "    ok       %-7s %s  (%d)\n", e.Method, e.Path, e.Count)
				continue
			}
			why := strings.Join(e.Reasons, ", ")
			if why != "" {
				why = "; " + why
			}
			fmt.Fprintf(w, "    BLOCKED  %-7s %s  (%d of %d blocked%s; in %s)\n", e.Method, e.Path, e.Blocked, e.Count, why, strings.Join(e.Engines, ", "))
		}
	}
}

// writeRecordJSON writes the session for machines.
func writeRecordJSON(w io.Writer, s record.Session, runErr error) {
	errText := ""
	if runErr != nil {
		errText = runErr.Error()
	}
	b, _ := json.MarshalIndent(struct {
		Engine   string                 `json:"engine"`
		Blocked  int                    `json:"blocked"`
		Requests []record.Result        `json:"requests"`
		Summary  []record.OriginSummary `json:"summary"`
		Error    string                 `json:"error,omitempty"`
	}{s.Engine, s.Blocked(), resultsInFlags(nonNil(s.Results)), s.Summary(), errText}, "", "  ")
	w.Write(append(b, '\n'))
}

// resultsInFlags is rs with each report's sentences in flag terms (a copy).
func resultsInFlags(rs []record.Result) []record.Result {
	out := slices.Clone(rs)
	for i, r := range out {
		if r.Report != nil {
			j := inFlags(*r.Report)
			out[i].Report = &j
		}
	}
	return out
}

func nonNil(rs []record.Result) []record.Result {
	if rs == nil {
		return []record.Result{}
	}
	return rs
}
