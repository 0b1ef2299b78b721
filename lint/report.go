package lint

import (
	"fmt"
	"io"

	"github.com/corskit/corskit/internal/jsonout"
	"github.com/corskit/corskit/internal/sarif"
)

// WriteText prints one finding a line, as compilers do, then a summary.
func WriteText(w io.Writer, fs []Finding) {
	for _, f := range fs {
		fmt.Fprintln(w, f.String())
	}
	if len(fs) == 0 {
		fmt.Fprintln(w, "No findings.")
		return
	}
	fmt.Fprintf(w, "%d findings\n", len(fs))
}

// WriteJSON prints the findings as a JSON array.
func WriteJSON(w io.Writer, fs []Finding) error {
	return jsonout.Write(w, fs)
}

// WriteSARIF writes a SARIF 2.1.0 log, each finding at its file, line and
// column.
func WriteSARIF(w io.Writer, fs []Finding, version string) error {
	var rules []sarif.Rule
	var out []sarif.Result
	for _, f := range fs {
		rules = append(rules, sarif.Rule{ID: f.Rule})
		out = append(out, sarif.Result{RuleID: f.Rule, Level: sarif.Level(f.Level), Message: f.Message + ". Fix: " + f.Fix,
			URI: f.File, Line: f.Line, Column: f.Column})
	}
	return sarif.Write(w, "corskit lint", version, "", rules, out)
}
