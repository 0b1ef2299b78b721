package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/corskit/corskit/check"
)

// writeBrief prints a report's problems, a line each, and the headers of
// its fix on one line: the short form the HAR and record listings show
// under each request, which points to corskit check for the rest.
func writeBrief(w io.Writer, rep check.Report) {
	for i, p := range rep.Problems {
		fmt.Fprintf(w, "  %d. %s: %s\n", i+1, p.Name, flagTerms.Replace(p.Sentence))
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
}
