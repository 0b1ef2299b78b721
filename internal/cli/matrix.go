package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// matrixEntry is one row of a --matrix file.
type matrixEntry struct {
	Origin      string        `yaml:"origin"`
	Method      string        `yaml:"method"`
	Headers     matrixHeaders `yaml:"headers"`
	Credentials string        `yaml:"credentials"`
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
		if e.Credentials != "" && !browser.Credentials(e.Credentials).Valid() {
			errs = append(errs, fmt.Errorf("--matrix %s: entry %d: credentials %q: use omit, same-origin or include", path, i+1, e.Credentials))
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

// matrixHeaders are an entry's request headers in the file's order, which
// decides the header a WebKit message names first.
type matrixHeaders []browser.Header

// UnmarshalYAML reads a mapping of header names to values, keeping its order.
func (h *matrixHeaders) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: headers must be a mapping of names to values, e.g. {Content-Type: application/json}", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: header %q: its name and value must be plain text", k.Line, k.Value)
		}
		*h = append(*h, browser.Header{Name: k.Value, Value: v.Value})
	}
	return nil
}

// runMatrix checks every origin/method combination, or the --matrix file's
// entries, and prints a table. It fails when a row is not as expected
// (allowed, unless the file says otherwise).
func runMatrix(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	entries, err := matrixEntries(o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	var rows []matrixRow
	code := ExitOK
	for _, e := range entries {
		row, r, err := checkMatrixEntry(ctx, o, e)
		if err != nil {
			fmt.Fprintf(stderr, "corskit check: %s %s: %v\n", e.Origin, e.Method, err)
			return ExitUsage
		}
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
	writeMatrixTable(stdout, rows)
	return code
}

// matrixEntries are the --matrix file's entries, then one per --origin and
// --method given (GET when none).
func matrixEntries(o checkOptions) ([]matrixEntry, error) {
	var entries []matrixEntry
	if o.matrix != "" {
		var err error
		if entries, err = loadMatrix(o.matrix); err != nil {
			return nil, err
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
	return entries, nil
}

// checkMatrixEntry checks one entry and says whether it went as expected.
func checkMatrixEntry(ctx context.Context, o checkOptions, e matrixEntry) (matrixRow, check.Report, error) {
	opts := o.checkOptions(e.Origin, e.Method)
	if opts.Method == "" {
		opts.Method = "GET"
	}
	if e.Credentials != "" {
		opts.Credentials = browser.Credentials(e.Credentials)
	}
	if e.Headers != nil {
		opts.Headers = slices.Clone([]browser.Header(e.Headers))
	}
	r, err := check.Run(ctx, opts)
	if err != nil {
		return matrixRow{}, r, err
	}
	want := cmp.Or(e.Expect, "allowed")
	pass := (want == "allowed" && r.Allowed() || want != "allowed" && r.Blocked()) && r.Verdict.Reason != browser.NetworkError
	return matrixRow{Origin: e.Origin, Method: opts.Method, Credentials: string(opts.Credentials), Expect: e.Expect, Pass: pass, Result: inFlags(r.ToJSON())}, r, nil
}

// writeMatrixTable prints the rows as a table, then the browser's message for
// each row not as expected.
func writeMatrixTable(w io.Writer, rows []matrixRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORIGIN\tMETHOD\tCREDENTIALS\tVERDICT\tEXPECTED\tREASON")
	for _, r := range rows {
		verdict := "allowed"
		if !r.Result.Allowed {
			verdict = "blocked"
		}
		mark := "ok"
		if !r.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s (%s)\t%s\n", r.Origin, r.Method, r.Credentials, verdict, cmp.Or(r.Expect, "allowed"), mark, cmp.Or(r.Result.Code, "-"))
	}
	tw.Flush()
	for _, r := range rows {
		if !r.Pass && r.Result.Message != "" {
			fmt.Fprintf(w, "\n%s %s: %s\n", r.Origin, r.Method, r.Result.Message)
		}
	}
}
