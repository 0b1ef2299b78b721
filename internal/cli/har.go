package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// maxHARSize bounds the file --har reads.
const maxHARSize = 256 << 20

// harResult is one cross-origin request of a HAR, its diagnosis and the
// command that checks it again.
type harResult struct {
	check.HARResult
	Command string `json:"command"`
}

// runHAR judges the cross-origin requests of a HAR (at most
// check.MaxHARJudged): from the recorded answers with a bounded live fill
// of what they cannot tell (check.HARMode), from the file alone with
// --offline, or with --live against the servers. Blocked requests come
// first. Exit 1 if any is blocked; a fill that fails is said, not an
// error.
func runHAR(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	h, err := readHAR(o.har)
	if err != nil {
		fmt.Fprintf(stderr, "corskit check: %v\n", err)
		return ExitUsage
	}
	base := check.Options{Stack: o.stack, Browser: o.browser, Timeout: o.timeout, Insecure: o.insecure, AlsoOrigins: o.also, Rules: o.rules}
	if o.set["credentials"] {
		base.Credentials = browser.Credentials(o.credentials)
	}
	// The judgment holds the entries kept while it makes one report at a
	// time, all garbage soon after: a lower GC target keeps the peak near
	// what is held (TestHARPeakMemory).
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	j := check.JudgeHAR(ctx, h, base, check.HARMode{Live: o.live, Offline: o.offline})
	if o.json {
		writeHARJSON(stdout, o, h, j)
	} else {
		writeHAR(stdout, o, h, j)
	}
	if j.Blocked > 0 {
		return ExitFail
	}
	return ExitOK
}

// writeHARJSON writes the JSON object a request at a time.
func writeHARJSON(w io.Writer, o checkOptions, h check.HAR, j check.HARJudgement) {
	head, _ := json.MarshalIndent(struct {
		HAR         string `json:"har"`
		Entries     int    `json:"entries"`
		CrossOrigin int    `json:"cross_origin"`
		Judged      int    `json:"judged"`
		Note        string `json:"note,omitempty"`
		Live        bool   `json:"live"`
		Offline     bool   `json:"offline"`
		Filled      int    `json:"filled"`
		FillSent    int    `json:"fill_requests_sent"`
		Blocked     int    `json:"blocked"`
	}{o.har, h.Entries, h.CrossOrigin, len(h.Requests), h.Note(), o.live, j.Offline, j.Filled, j.FillSent, j.Blocked}, "", "  ")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	bw.Write(head[:len(head)-2]) // without "\n}"
	bw.WriteString(",\n  \"requests\": [")
	first := true
	for r := range j.Results {
		if r.Report != nil {
			j := inFlags(*r.Report)
			r.Report = &j
		}
		b, _ := json.MarshalIndent(harResult{r, r.Options.Command()}, "    ", "  ")
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n    ")
		bw.Write(b)
	}
	if !first {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
}

// readHAR reads the file of --har: one over maxHARSize is refused before
// it is read.
func readHAR(path string) (check.HAR, error) {
	f, err := os.Open(path)
	if err != nil {
		return check.HAR{}, fmt.Errorf("--har %s: %v", path, err)
	}
	defer f.Close()
	tooLarge := func(size string) error {
		return fmt.Errorf("--har %s: %s, over the %d MiB corskit reads; save the HAR of the failing page load only (DevTools: clear the Network panel, reload, Save all as HAR)", path, size, maxHARSize>>20)
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > maxHARSize {
		return check.HAR{}, tooLarge(fmt.Sprintf("%d bytes (%d MiB)", st.Size(), st.Size()>>20))
	}
	lr := &io.LimitedReader{R: f, N: maxHARSize + 1}
	h, err := check.ReadHAR(lr)
	if lr.N <= 0 {
		return check.HAR{}, tooLarge("more than that")
	}
	if err != nil {
		return check.HAR{}, fmt.Errorf("%s (%s)", err, path)
	}
	return h, nil
}

// writeHAR writes the table: one line per allowed request, the problems and
// the fix for each blocked one, and the command that checks it again.
func writeHAR(out io.Writer, o checkOptions, h check.HAR, j check.HARJudgement) {
	w := bufio.NewWriter(out)
	defer w.Flush()
	mode := harMode(o, j)
	fmt.Fprintf(w, "HAR %s: %d entries, %d cross-origin requests, %d blocked (%s)\n", o.har, h.Entries, h.CrossOrigin, j.Blocked, mode)
	if note := h.Note(); note != "" {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	for res := range j.Results {
		r := harResult{res, res.Options.Command()}
		if r.Report == nil {
			fmt.Fprintf(w, "\nNOT JUDGED  entry %d: %s\n", r.Entry, r.Error)
			continue
		}
		rep, j := *r.Full, r.Report
		entries := fmt.Sprintf("entry %d", r.Entry)
		if r.PreflightEntry >= 0 {
			entries += fmt.Sprintf(", preflight entry %d", r.PreflightEntry)
		}
		if r.PreflightCached {
			entries += ", its preflight not in the file: taken as passed, since the browser sent the request"
		}
		verdict := "ALLOWED"
		if !rep.Allowed() {
			verdict = "BLOCKED"
		}
		fmt.Fprintf(w, "\n%-8s %s %s from %s (%s)\n", verdict, j.Request.Method, j.Request.URL, j.Request.Origin, entries)
		if rep.Allowed() {
			if r.CredentialsNote != "" {
				fmt.Fprintf(w, "  %s\n", flagTerms.Replace(r.CredentialsNote))
			}
			writeFill(w, r.Fill)
			writeOtherCredentials(w, rep)
			continue
		}
		for _, e := range rep.Engines {
			state := "allowed"
			if !e.Verdict.Allowed {
				state = string(e.Verdict.Reason)
			}
			fmt.Fprintf(w, "  %-8s %s\n", e.Engine.Name, state)
		}
		if r.CredentialsNote != "" {
			fmt.Fprintf(w, "  %s\n", flagTerms.Replace(r.CredentialsNote))
		} else if r.CredentialsInclude {
			fmt.Fprintf(w, "  the file holds no cookie, but only credentials: 'include' explains the recorded failure from the recorded answers: judged with include\n")
		}
		if r.RecordedError != "" {
			fmt.Fprintf(w, "  the file records the failure: %s\n", r.RecordedError)
		}
		writeGap(w, r.HARResult)
		writeFill(w, r.Fill)
		writeBrief(w, rep)
		writeOtherCredentials(w, rep)
		fmt.Fprintf(w, "  the full diagnosis and the snippet: %s\n", r.Command)
	}
}

// writeOtherCredentials writes, for a request whose credentials mode the
// file does not tell, the other mode's verdict, problems and fix, briefly.
func writeOtherCredentials(w io.Writer, rep check.Report) {
	a := rep.OtherCredentials
	if a == nil {
		return
	}
	mode := "with credentials: 'include'"
	if a.Credentials != browser.Include {
		mode = "without credentials"
	}
	if a.Allowed {
		fmt.Fprintf(w, "  if the page sends it %s: allowed\n", mode)
		return
	}
	fmt.Fprintf(w, "  if the page sends it %s (%s): BLOCKED\n", mode, a.Verdict.Reason)
	writeBrief(w, check.Report{Problems: a.Problems, Fix: a.Fix})
}

// writeGap says what the file lacks to tell the cause, and, when more
// than one cause fits what it holds, AMBIGUOUS with each: the brief below
// is for the first.
func writeGap(w io.Writer, r check.HARResult) {
	if len(r.Causes) > 1 {
		fmt.Fprintf(w, "  AMBIGUOUS  the file cannot tell these causes apart; the report below is for the first:\n")
		for i, c := range r.Causes {
			fmt.Fprintf(w, "    %d. %s\n", i+1, c)
		}
	}
	if r.Gap != "" {
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(r.Gap, "\n", "\n    "))
	}
}

// harMode is the header line's word on where the answers came from.
func harMode(o checkOptions, j check.HARJudgement) string {
	switch {
	case o.live:
		return "re-run against the servers (--live)"
	case j.Offline:
		return "judged from the recorded answers alone (--offline): nothing sent"
	case j.Filled == 0:
		return "judged from the recorded answers; no gap needed a live fill: nothing sent"
	}
	return fmt.Sprintf("judged from the recorded answers; a live fill for %d with a gap: %d requests sent (at most %d requests, %d fills, %v; --offline sends none)", j.Filled, j.FillSent, check.DefaultHARFillRequests, check.DefaultHARFills, check.DefaultHARFillTime)
}

// writeFill says what the live fill sent for a request and which facts
// came from the file and which from the fill.
func writeFill(w io.Writer, f *check.HARFill) {
	if f == nil {
		return
	}
	if f.Failed != "" {
		fmt.Fprintf(w, "  live fill: %d requests sent; %s\n", f.Sent, f.Failed)
		return
	}
	fmt.Fprintf(w, "  live fill: %d requests sent (%s)\n", f.Sent, f.Sends)
	if f.Named != "" {
		fmt.Fprintf(w, "    it names the cause: %s\n", f.Named)
	}
	if len(f.FromFile) > 0 {
		fmt.Fprintf(w, "    from the file: %s\n", strings.Join(f.FromFile, "; "))
	}
	if len(f.FromFill) > 0 {
		fmt.Fprintf(w, "    from the fill: %s\n", strings.Join(f.FromFill, "; "))
	}
}
