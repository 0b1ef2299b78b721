package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// runHAR judges every cross-origin request of a HAR: offline from the
// recorded answers, or with --live against the servers. Blocked requests
// come first. Exit 1 if any is blocked.
func runHAR(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	data, err := readHAR(o.har)
	if err != nil {
		fmt.Fprintf(stderr, "corskit check: %v\n", err)
		return ExitUsage
	}
	h, err := check.ParseHAR(data)
	if err != nil {
		fmt.Fprintf(stderr, "corskit check: %v\n", err)
		return ExitUsage
	}
	base := check.Options{Stack: o.stack, Browser: o.browser, Timeout: o.timeout, Insecure: o.insecure, AlsoOrigins: o.also, Rules: o.rules}
	if o.set["credentials"] {
		base.Credentials = browser.Credentials(o.credentials)
	}
	var results []harResult
	blocked := 0
	for _, r := range check.JudgeHAR(ctx, h, base, o.live) {
		results = append(results, harResult{r, r.Options.Command()})
		if r.Blocked() {
			blocked++
		}
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			HAR      string      `json:"har"`
			Entries  int         `json:"entries"`
			Live     bool        `json:"live"`
			Blocked  int         `json:"blocked"`
			Requests []harResult `json:"requests"`
		}{o.har, h.Entries, o.live, blocked, orEmpty(results)})
	} else {
		writeHAR(stdout, o, h, results, blocked)
	}
	if blocked > 0 {
		return ExitFail
	}
	return ExitOK
}

func orEmpty(rs []harResult) []harResult {
	if rs == nil {
		return []harResult{}
	}
	return rs
}

func readHAR(path string) ([]byte, error) {
	data, err := readLimited(path, maxHARSize)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("--har %s: larger than %d MiB; save the HAR of the failing page load only", path, maxHARSize>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("--har %s: %v", path, err)
	}
	return data, nil
}

// writeHAR writes the table: one line per allowed request, the problems and
// the fix for each blocked one, and the command that checks it again.
func writeHAR(w io.Writer, o checkOptions, h check.HAR, results []harResult, blocked int) {
	mode := "judged from the recorded answers"
	if o.live {
		mode = "re-run against the servers (--live)"
	}
	fmt.Fprintf(w, "HAR %s: %d entries, %d cross-origin requests, %d blocked (%s)\n", o.har, h.Entries, len(results), blocked, mode)
	for _, r := range results {
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
			entries += ", its preflight from the browser's cache: taken as passed"
		}
		verdict := "ALLOWED"
		if !rep.Allowed() {
			verdict = "BLOCKED"
		}
		fmt.Fprintf(w, "\n%-8s %s %s from %s (%s)\n", verdict, j.Request.Method, j.Request.URL, j.Request.Origin, entries)
		if rep.Allowed() {
			continue
		}
		for _, e := range rep.Engines {
			state := "allowed"
			if !e.Verdict.Allowed {
				state = string(e.Verdict.Reason)
			}
			fmt.Fprintf(w, "  %-8s %s\n", e.Engine.Name, state)
		}
		for i, p := range rep.Problems {
			fmt.Fprintf(w, "  %d. %s: %s\n", i+1, p.Name, p.Sentence)
		}
		if f := rep.Fix; f.Response != nil {
			var hs []string
			for _, l := range f.Response {
				hs = append(hs, l.Name+": "+l.Value)
			}
			fmt.Fprintf(w, "  fix: every answer sends %s", strings.Join(hs, "; "))
			if f.Preflight != nil {
				fmt.Fprintf(w, "; the preflight answers %d with Access-Control-Allow-Methods and -Headers as the full check shows", f.PreflightStatus)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  the full diagnosis and the snippet: %s\n", r.Command)
	}
}
