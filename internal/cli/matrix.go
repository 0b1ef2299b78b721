package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// matrixEntry is one row of a --matrix file.
type matrixEntry struct {
	Origin      string            `yaml:"origin"`
	Method      string            `yaml:"method"`
	Headers     map[string]string `yaml:"headers"`
	Credentials string            `yaml:"credentials"`
	// Expect is "allowed" or "blocked"; empty expects allowed.
	Expect string `yaml:"expect"`
}

// loadMatrix reads a --matrix file: a YAML or JSON list of entries.
func loadMatrix(path string) ([]matrixEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--matrix: %w", err)
	}
	if len(data) > 1<<20 {
		return nil, fmt.Errorf("--matrix %s: over 1 MiB", path)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	var entries []matrixEntry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("--matrix %s: %v; want a list of {origin, method, headers, credentials, expect}", path, err)
	}
	var errs []error
	for i, e := range entries {
		if e.Origin == "" {
			errs = append(errs, fmt.Errorf("--matrix %s: entry %d has no origin", path, i+1))
		}
		if e.Expect != "" && e.Expect != "allowed" && e.Expect != "blocked" {
			errs = append(errs, fmt.Errorf("--matrix %s: entry %d: expect %q: use allowed or blocked", path, i+1, e.Expect))
		}
	}
	return entries, errors.Join(errs...)
}

// matrixRow is one checked combination.
type matrixRow struct {
	Origin      string     `json:"origin"`
	Method      string     `json:"method"`
	Credentials string     `json:"credentials"`
	Expect      string     `json:"expect,omitempty"`
	Pass        bool       `json:"pass"`
	Result      check.JSON `json:"result"`
}

// runMatrix checks every origin/method combination, or the --matrix file's
// entries, and prints a table. It fails when a row is not as expected
// (allowed, unless the file says otherwise).
func runMatrix(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	var entries []matrixEntry
	if o.matrix != "" {
		var err error
		if entries, err = loadMatrix(o.matrix); err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
	}
	methods := o.methods
	if len(methods) == 0 {
		methods = []string{"GET"}
	}
	for _, origin := range o.origins {
		for _, m := range methods {
			entries = append(entries, matrixEntry{Origin: origin, Method: m, Credentials: o.credentials})
		}
	}
	var rows []matrixRow
	code := ExitOK
	for _, e := range entries {
		opts := o.checkOptions(e.Origin, e.Method)
		if opts.Method == "" {
			opts.Method = "GET"
		}
		if e.Credentials != "" {
			opts.Credentials = browser.Credentials(e.Credentials)
		}
		if e.Headers != nil {
			opts.Headers = nil
			for k, v := range e.Headers {
				opts.Headers = append(opts.Headers, browser.Header{Name: k, Value: v})
			}
		}
		r, err := check.Run(ctx, opts)
		if err != nil {
			fmt.Fprintf(stderr, "corskit check: %s %s: %v\n", e.Origin, e.Method, err)
			return ExitUsage
		}
		want := e.Expect
		if want == "" {
			want = "allowed"
		}
		row := matrixRow{Origin: e.Origin, Method: opts.Method, Credentials: string(opts.Credentials), Expect: e.Expect,
			Pass: (want == "allowed" && r.Allowed() || want != "allowed" && r.Blocked()) && r.Verdict.Reason != browser.NetworkError, Result: r.ToJSON()}
		if r.Verdict.Reason == browser.NetworkError {
			code = ExitUsage
		} else if !row.Pass && code == ExitOK {
			code = ExitFail
		}
		rows = append(rows, row)
	}
	if o.json {
		if err := writeJSON(stdout, rows); err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORIGIN\tMETHOD\tCREDENTIALS\tVERDICT\tEXPECTED\tREASON")
	for _, r := range rows {
		verdict := "allowed"
		if !r.Result.Allowed {
			verdict = "blocked"
		}
		expect := r.Expect
		if expect == "" {
			expect = "allowed"
		}
		mark := "ok"
		if !r.Pass {
			mark = "FAIL"
		}
		reason := r.Result.Code
		if reason == "" {
			reason = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s (%s)\t%s\n", r.Origin, r.Method, r.Credentials, verdict, expect, mark, reason)
	}
	tw.Flush()
	for _, r := range rows {
		if !r.Pass && r.Result.Message != "" {
			fmt.Fprintf(stdout, "\n%s %s: %s\n", r.Origin, r.Method, r.Result.Message)
		}
	}
	return code
}
