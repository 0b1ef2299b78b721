package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
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
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

// WriteSARIF writes the findings as a SARIF 2.1.0 log for code-scanning
// dashboards: high is an error, medium a warning, low and info notes.
func WriteSARIF(w io.Writer, results []Result, version string) error {
	type message struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string  `json:"id"`
		ShortDescription message `json:"shortDescription"`
		Help             message `json:"help"`
	}
	type location struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
		} `json:"physicalLocation"`
	}
	type result struct {
		RuleID     string            `json:"ruleId"`
		Level      string            `json:"level"`
		Message    message           `json:"message"`
		Locations  []location        `json:"locations"`
		Properties map[string]string `json:"properties"`
	}
	var rules []rule
	var out []result
	seen := map[string]bool{}
	for _, r := range results {
		for _, f := range r.Findings {
			if !seen[f.Rule] {
				seen[f.Rule] = true
				rules = append(rules, rule{ID: f.Rule, ShortDescription: message{f.Title}, Help: message{f.Fix}})
			}
			level := "note"
			switch f.Severity {
			case High:
				level = "error"
			case Medium:
				level = "warning"
			}
			var loc location
			loc.PhysicalLocation.ArtifactLocation.URI = f.URL
			out = append(out, result{RuleID: f.Rule, Level: level, Message: message{f.Title + ": " + f.Detail + ". Fix: " + f.Fix},
				Locations: []location{loc}, Properties: map[string]string{"severity": f.Level, "origin": f.Origin}})
		}
	}
	slices.SortFunc(rules, func(a, b rule) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	if out == nil {
		out = []result{}
	}
	if rules == nil {
		rules = []rule{}
	}
	log := map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "corskit", "version": version, "informationUri": "https://github.com/corskit/corskit", "rules": rules,
			}},
			"results": out,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
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
