// Package sarif writes SARIF 2.1.0 logs, the format code-scanning
// dashboards read, for corskit's audit and lint.
package sarif

import (
	"io"
	"slices"
	"strings"

	"github.com/corskit/corskit/internal/jsonout"
)

// Rule is a kind of finding.
type Rule struct {
	ID          string
	Description string // short; may be empty
	Help        string // the fix; may be empty
}

// Result is one finding.
type Result struct {
	RuleID  string
	Level   string // "error", "warning" or "note"
	Message string
	// URI locates the finding: a file or a URL. Line and Column, from 1,
	// are left out when zero.
	URI          string
	Line, Column int
	Properties   map[string]string
}

// Level is a severity's SARIF level: "high" an error, "medium" a warning,
// anything else a note.
func Level(severity string) string {
	switch severity {
	case "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// Write writes one run of tool at version: its rules, sorted by ID and each
// once, and its results in order.
func Write(w io.Writer, tool, version, informationURI string, rules []Rule, results []Result) error {
	type message struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string   `json:"id"`
		ShortDescription *message `json:"shortDescription,omitempty"`
		Help             *message `json:"help,omitempty"`
	}
	type region struct {
		StartLine   int `json:"startLine,omitempty"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type physical struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *region `json:"region,omitempty"`
	}
	type location struct {
		PhysicalLocation physical `json:"physicalLocation"`
	}
	type result struct {
		RuleID     string            `json:"ruleId"`
		Level      string            `json:"level"`
		Message    message           `json:"message"`
		Locations  []location        `json:"locations"`
		Properties map[string]string `json:"properties,omitempty"`
	}
	text := func(s string) *message {
		if s == "" {
			return nil
		}
		return &message{s}
	}
	seen := map[string]bool{}
	outRules := []rule{}
	for _, r := range rules {
		if !seen[r.ID] {
			seen[r.ID] = true
			outRules = append(outRules, rule{ID: r.ID, ShortDescription: text(r.Description), Help: text(r.Help)})
		}
	}
	slices.SortFunc(outRules, func(a, b rule) int { return strings.Compare(a.ID, b.ID) })
	outResults := []result{}
	for _, r := range results {
		var loc location
		loc.PhysicalLocation.ArtifactLocation.URI = r.URI
		if r.Line > 0 || r.Column > 0 {
			loc.PhysicalLocation.Region = &region{r.Line, r.Column}
		}
		outResults = append(outResults, result{RuleID: r.RuleID, Level: r.Level, Message: message{r.Message},
			Locations: []location{loc}, Properties: r.Properties})
	}
	driver := map[string]any{"name": tool, "version": version, "rules": outRules}
	if informationURI != "" {
		driver["informationUri"] = informationURI
	}
	return jsonout.Write(w, map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs":    []any{map[string]any{"tool": map[string]any{"driver": driver}, "results": outResults}},
	})
}
