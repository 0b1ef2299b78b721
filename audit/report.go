package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/corskit/corskit/internal/jsonout"
	"github.com/corskit/corskit/internal/sarif"
)

// WriteTable prints the findings for people.
func WriteTable(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "URL\tSEVERITY\tRULE\tORIGIN\tFINDING")
	total := 0
	for _, r := range results {
		for _, f := range r.Findings {
			total++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.URL, f.Level, f.Rule, f.Origin, f.Title)
		}
	}
	tw.Flush()
	if total == 0 {
		fmt.Fprintln(w, "\nNo findings.")
	}
	for _, r := range results {
		for _, f := range r.Findings {
			fmt.Fprintf(w, "\n[%s] %s: %s\n  %s\n  Evidence: %s with Origin: %s -> %d %s\n  Fix: %s\n", f.Level, f.Rule, f.URL, f.Detail,
				f.Evidence.Method, f.Origin, f.Evidence.Status, headerList(f.Evidence.ResponseHeaders), f.Fix)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "\nNote: %s\n", n)
		}
	}
}

func headerList(h map[string]string) string {
	var keys []string
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+": "+h[k])
	}
	if len(parts) == 0 {
		return "(no CORS headers)"
	}
	return strings.Join(parts, "; ")
}

// WriteJSON prints the results as JSON.
func WriteJSON(w io.Writer, results []Result) error {
	return jsonout.Write(w, results)
}

// WriteSARIF writes the findings as a SARIF 2.1.0 log for code-scanning
// dashboards: high is an error, medium a warning, low and info notes.
func WriteSARIF(w io.Writer, results []Result, version string) error {
	var rules []sarif.Rule
	var out []sarif.Result
	for _, r := range results {
		for _, f := range r.Findings {
			rules = append(rules, sarif.Rule{ID: f.Rule, Description: f.Title, Help: f.Fix})
			out = append(out, sarif.Result{RuleID: f.Rule, Level: sarif.Level(f.Level), URI: f.URL,
				Message:    f.Title + ": " + f.Detail + ". Fix: " + f.Fix,
				Properties: map[string]string{"severity": f.Level, "origin": f.Origin}})
		}
	}
	return sarif.Write(w, "corskit", version, "https://github.com/corskit/corskit", rules, out)
}

// Worst returns the highest severity among the findings, and false when
// there are none.
func Worst(results []Result) (Severity, bool) {
	worst, any := Info, false
	for _, r := range results {
		for _, f := range r.Findings {
			if !any || f.Severity > worst {
				worst, any = f.Severity, true
			}
		}
	}
	return worst, any
}
