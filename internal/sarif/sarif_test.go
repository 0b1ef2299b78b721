package sarif

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestWrite: rules once each and sorted, levels from severities, a region
// only where a line is known, and an empty run still a valid log.
func TestWrite(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, "corskit", "v1", "https://example.com", []Rule{{ID: "z", Description: "Z"}, {ID: "a"}, {ID: "z"}},
		[]Result{{RuleID: "z", Level: Level("high"), Message: "m1", URI: "f.yaml", Line: 3, Column: 5},
			{RuleID: "a", Level: Level("low"), Message: "m2", URI: "https://api.example.com/"}})
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID, Level string
				Locations     []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || run.Tool.Driver.Name != "corskit" || len(run.Tool.Driver.Rules) != 2 ||
		run.Tool.Driver.Rules[0].ID != "a" || run.Tool.Driver.Rules[1].ID != "z" {
		t.Errorf("rules: %s", b.String())
	}
	r0, r1 := run.Results[0], run.Results[1]
	if r0.Level != "error" || r1.Level != "note" || r0.Locations[0].PhysicalLocation.Region == nil ||
		r0.Locations[0].PhysicalLocation.Region.StartLine != 3 || r1.Locations[0].PhysicalLocation.Region != nil {
		t.Errorf("results: %s", b.String())
	}
	b.Reset()
	if err := Write(&b, "corskit lint", "v1", "", nil, nil); err != nil || !bytes.Contains(b.Bytes(), []byte(`"results": []`)) {
		t.Errorf("empty run: %v %s", err, b.String())
	}
}
