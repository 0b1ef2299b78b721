package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// fromErrorJSON is one diagnosed failure of --from-error --json: the
// report of the request found, and how it was found.
type fromErrorJSON struct {
	check.JSON
	Reproduction check.Reproduction `json:"reproduction"`
}

// runFromError diagnoses the console text of --from-error: each failure it
// shows (a whole console may hold several), first reproduced (the request
// whose verdict prints its lines, searched for what the lines leave open),
// then checked as that request. A failure nothing reproduces says so first
// and exits 1, whatever corskit's own request got.
func runFromError(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	text := o.fromError
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(o.stdin, 1<<20))
		if err != nil {
			fmt.Fprintf(stderr, "corskit check: --from-error -: reading standard input: %v\n", err)
			return ExitUsage
		}
		text = string(b)
	}
	failures := check.SplitConsole(text)
	if len(failures) == 0 {
		_, err := check.ParseConsole(text)
		var notCORS *check.NotCORSError
		if errors.As(err, &notCORS) {
			fmt.Fprintf(stdout, "NOT A CORS ERROR  %s\n  %s\n", cmp.Or(notCORS.URL, strings.ReplaceAll(notCORS.Kind, "_", " ")), notCORS.Explain)
			return ExitFail
		}
		fmt.Fprintln(stderr, cmp.Or(err, errors.New("--from-error: no CORS line in the text")))
		return ExitUsage
	}
	code := ExitOK
	var all []fromErrorJSON
	for i, f := range failures {
		if len(failures) > 1 && !o.json {
			fmt.Fprintf(stdout, "%s== failure %d of %d (%s, %d line(s), pasted %d time(s))\n", sep(i), i+1, len(failures), f.Engine, len(f.Lines), f.Count)
		}
		j, c := o.oneFailure(ctx, f, stdout, stderr)
		code = max(code, c)
		if j != nil {
			all = append(all, *j)
		}
	}
	if o.json {
		var err error
		if len(failures) == 1 && len(all) == 1 {
			err = writeJSON(stdout, all[0])
		} else {
			err = writeJSON(stdout, all)
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
	}
	return code
}

func sep(i int) string {
	if i == 0 {
		return ""
	}
	return "\n"
}

// search is what the flags give of the request, for a reproduction.
func (o checkOptions) search() check.Search {
	s := check.Search{
		MethodGiven:      len(o.methods) > 0,
		HeadersGiven:     o.set["H"] || o.set["header"],
		CredentialsGiven: o.set["credentials"],
	}
	s.Options = o.checkOptions(first(o.origins), first(o.methods))
	return s
}

// oneFailure reproduces and checks one failure; the JSON is nil when it
// printed an error instead.
func (o checkOptions) oneFailure(ctx context.Context, f check.ConsoleFailure, stdout, stderr io.Writer) (*fromErrorJSON, int) {
	rep, err := check.Reproduce(ctx, f, o.search())
	var notCORS *check.NotCORSError
	switch {
	case errors.As(err, &notCORS):
		fmt.Fprintf(stdout, "NOT A CORS ERROR  %s\n  %s\n", cmp.Or(notCORS.URL, strings.ReplaceAll(notCORS.Kind, "_", " ")), notCORS.Explain)
		return nil, ExitFail
	case err != nil:
		fmt.Fprintln(stderr, err)
		return nil, ExitUsage
	}
	fmt.Fprintf(stderr, "corskit check: from %s's console line: %s\n", rep.Engine, rep.Says)
	for _, h := range rep.Options.Headers {
		if note := forbiddenHeaderNote(h.Name, string(rep.Options.Credentials)); note != "" {
			fmt.Fprintln(stderr, "corskit check: note:", note)
		}
	}
	report, err := rep.Run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "corskit check: %v\n", err)
		return nil, ExitUsage
	}
	code := exitFor(report)
	if !rep.Reproduced && code == ExitOK {
		code = ExitFail // the pasted line is the truth: corskit's request is not the page's
	}
	if o.json {
		return &fromErrorJSON{JSON: inFlags(report.ToJSON()), Reproduction: rep}, code
	}
	writeReproduction(stdout, rep, useColor(o.color, stdout))
	if !rep.Reproduced && report.Allowed() && report.BodyNote() != "" {
		fmt.Fprintf(stdout, "  %s\n", report.BodyNote())
	}
	if rep.Reproduced || !report.Allowed() {
		report.WriteText(flagTermsWriter{stdout}, rep.Reproduced && useColor(o.color, stdout))
	}
	return nil, code
}

// writeReproduction says which request prints the pasted lines, or, first
// and plainly, that none does: what the lines say, what corskit's closest
// request got, and the flags that would tell the rest.
func writeReproduction(w io.Writer, r check.Reproduction, color bool) {
	tally := fmt.Sprintf("%d request(s) judged, %d real request(s) sent", r.Tried, r.Sent)
	if len(r.Searched) > 0 {
		tally = "searched " + strings.Join(r.Searched, ", ") + "; " + tally
	}
	if r.Reproduced {
		fmt.Fprintf(w, "REPRODUCED  %d of %d pasted line(s) of %s, byte for byte, by: %s\n  (%s)\n", r.Matched, len(r.Lines), r.Engine, r.Describe(), tally)
		writeCauses(w, r, color)
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		fmt.Fprintln(w)
		return
	}
	head := "NOT REPRODUCED"
	if color {
		head = "\x1b[1;31m" + head + "\x1b[0m"
	}
	fmt.Fprintf(w, "%s  no request corskit tried prints the pasted %s line(s) (%d of %d at best)\n", head, r.Engine, r.Matched, len(r.Lines))
	fmt.Fprintf(w, "  the line: %s\n", r.Says)
	fmt.Fprintf(w, "  corskit's closest request: %s\n", r.Describe())
	if r.GotAllowed {
		fmt.Fprintf(w, "  it got: no error; %s lets the page read the answer to that request\n", r.Engine)
	} else {
		for _, g := range r.Got {
			fmt.Fprintf(w, "  it got: %s\n", g)
		}
	}
	for _, g := range r.Give {
		fmt.Fprintf(w, "  give: %s\n", g)
	}
	fmt.Fprintf(w, "  (%s)\n\n", tally)
}

// writeCauses lists, when the requests that print the pasted lines have
// different causes, each cause ranked: AMBIGUOUS first when more than one
// stands, and the causes the server's answers rule out, with why.
func writeCauses(w io.Writer, r check.Reproduction, color bool) {
	if len(r.Causes) < 2 {
		return
	}
	if r.Ambiguous {
		head := "AMBIGUOUS"
		if color {
			head = "\x1b[1;33m" + head + "\x1b[0m"
		}
		fmt.Fprintf(w, "  %s  the pasted line(s) come from %d kinds of request with different causes; the report below is for the first:\n", head, len(r.Causes))
	} else {
		fmt.Fprintf(w, "  other requests print the same line(s), with another cause, ruled out:\n")
	}
	for i, c := range r.Causes {
		fmt.Fprintf(w, "    %d. %s: %s\n", i+1, c.Name, c.Request)
		if c.RuledOut != "" {
			fmt.Fprintf(w, "       ruled out: %s\n", c.RuledOut)
		} else if c.Why != "" {
			fmt.Fprintf(w, "       %s\n", c.Why)
		}
	}
}

// credentialsFromCopy says what a copied request tells of the credentials
// mode. A cURL copy does not say; a Cookie header makes include likely.
// Chromium's "Copy as fetch" writes "include" when the request carried a
// cookie or an Authorization header and "omit" otherwise, whatever the
// page's fetch() said; its Node.js form writes no credentials at all. So
// only a cookie tells include, "omit" tells nothing, and a mode DevTools
// never writes ("same-origin") is the page's own.
func credentialsFromCopy(from string, c check.Copied) (browser.Credentials, string) {
	cookie := false
	for _, h := range c.Headers {
		cookie = cookie || strings.EqualFold(h.Name, "Cookie")
	}
	switch {
	case from == "fetch" && cookie:
		return browser.Include, "credentials include, likely: the copy carries a Cookie header"
	case from == "fetch" && !c.CredentialsOpen(from) && c.FetchCredentials == "include":
		return browser.Include, "credentials include (the copy says so: DevTools writes include when the request carried cookies)"
	case from == "fetch" && c.FetchCredentials == "same-origin":
		return browser.SameOrigin, "credentials same-origin (the copy says so)"
	case from == "fetch" && !c.CredentialsOpen(from) && c.FetchCredentials == "":
		return browser.SameOrigin, "credentials same-origin (the copy names none: fetch()'s default)"
	case from == "fetch":
		return "", "credentials unknown: DevTools' \"Copy as fetch\" writes the credentials it saw sent (\"omit\" for a request without cookies, none in its Node.js form), not the page's credentials mode; corskit tries both where it matters (give --credentials to say)"
	case c.Credentials != "":
		return c.Credentials, "credentials include, likely: the copy carries a Cookie header (a cURL copy does not say whether the page used credentials: 'include'; give --credentials to say)"
	}
	return "", "credentials unknown: the copy does not say whether the page used credentials: 'include'; corskit tries both where it matters (give --credentials to say)"
}

// bothCredentials checks a copied request whose credentials mode the copy
// does not tell, without credentials and with credentials: 'include',
// each request sent once (check.RunCredentialsUnknown). The report is for
// one mode and ends with the other's verdict and fix when they differ;
// stderr says which mode the report is for.
func bothCredentials(ctx context.Context, o check.Options, stderr io.Writer) (check.Report, error) {
	r, err := check.RunCredentialsUnknown(ctx, o)
	if err != nil {
		return r, err
	}
	a := r.OtherCredentials
	if a == nil {
		fmt.Fprintf(stderr, "corskit check: the credentials mode does not matter here: with credentials: 'include' and without, %s, and the same fix\n", verdictWord(r))
		return r, nil
	}
	otherWord, otherCause := "allowed", ""
	if !a.Allowed {
		otherWord = "blocked (" + string(a.Verdict.Reason) + ")"
	}
	if len(a.Problems) > 0 {
		otherCause = a.Problems[0].Name
	}
	with, without := otherWord, verdictWord(r)
	withCause, withoutCause := otherCause, firstProblemName(r)
	if r.Options.Credentials == browser.Include {
		with, without, withCause, withoutCause = without, with, withoutCause, withCause
	}
	fmt.Fprintf(stderr, "corskit check: the copy does not tell the credentials mode, which matters here: without credentials, %s; with credentials: 'include', %s. ", without, with)
	if withCause != "" && withoutCause != "" && withCause != withoutCause {
		// Blocked either way, for other causes (a preflight's status is
		// checked before the wildcard): both are said, since the copy
		// cannot tell which the page met.
		fmt.Fprintf(stderr, "Blocked either way, for other causes: without credentials %q; with credentials: 'include' %q. ", withoutCause, withCause)
	}
	fmt.Fprintf(stderr, "The report is for %s; it ends with the other mode's (give --credentials to choose one).\n", map[bool]string{true: "credentials 'include', which fails", false: "no credentials (the copy carries no Cookie)"}[r.Options.Credentials == browser.Include])
	return r, nil
}

// firstProblemName is the name of a report's first problem, or "".
func firstProblemName(r check.Report) string {
	if len(r.Problems) == 0 {
		return ""
	}
	return r.Problems[0].Name
}

func verdictWord(r check.Report) string {
	if r.Allowed() {
		return "allowed"
	}
	return "blocked (" + string(r.Verdict.Reason) + ")"
}
