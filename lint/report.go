package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/corskit/corskit/audit"
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
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(fs)
}

// WriteSARIF writes a SARIF 2.1.0 log, each finding at its file, line and
// column.
func WriteSARIF(w io.Writer, fs []Finding, version string) error {
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
	}
	type result struct {
		RuleID    string `json:"ruleId"`
		Level     string `json:"level"`
		Message   any    `json:"message"`
		Locations []any  `json:"locations"`
	}
	var results []result
	var ruleIDs []string
	for _, f := range fs {
		if !slices.Contains(ruleIDs, f.Rule) {
			ruleIDs = append(ruleIDs, f.Rule)
		}
		level := "note"
		switch f.Severity {
		case audit.High:
			level = "error"
		case audit.Medium:
			level = "warning"
		}
		results = append(results, result{RuleID: f.Rule, Level: level,
			Message: map[string]string{"text": f.Message + ". Fix: " + f.Fix},
			Locations: []any{map[string]any{"physicalLocation": map[string]any{
				"artifactLocation": map[string]string{"uri": f.File},
				"region":           region{f.Line, f.Column},
			}}}})
	}
	slices.Sort(ruleIDs)
	var rules []map[string]string
	for _, id := range ruleIDs {
		rules = append(rules, map[string]string{"id": id})
	}
	if results == nil {
		results = []result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []any{map[string]any{
			"tool":    map[string]any{"driver": map[string]any{"name": "corskit lint", "version": version, "rules": rules}},
			"results": results,
		}},
	})
}
