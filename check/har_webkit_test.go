package check_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// TestWebKitInspectorHARAsItIs reads a HAR recorded from WebKitGTK's
// inspector protocol as Web Inspector's HARBuilder lays it out (see
// testdata/README-webkit.md): WebKit blocked four requests and the file
// holds, for each, status 0, no answer and the console's own line as its
// error. None may be judged allowed or given a cause the file does not
// hold; each says the recorded failure is WebKit's console line and gives
// the two lines to paste, which corskit reads as Safari's.
func TestWebKitInspectorHARAsItIs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/webkit-inspector.har")
	if err != nil {
		t.Fatal(err)
	}
	h, err := check.ParseHAR(data)
	if err != nil {
		t.Fatal(err)
	}
	j := check.JudgeHAR(context.Background(), h, check.Options{}, check.HARMode{Offline: true})
	if j.Blocked != 4 || j.Allowed != 0 {
		t.Errorf("%d blocked, %d allowed; want 4 and 0 (WebKit blocked all four)", j.Blocked, j.Allowed)
	}
	for res := range j.Results {
		if res.Report == nil {
			t.Errorf("entry %d: no report: %s", res.Entry, res.Error)
			continue
		}
		if got := res.Report.Problems[0].Name; got != "not recorded" {
			t.Errorf("entry %d: %q, want not recorded: the file holds no answer", res.Entry, got)
		}
		lines, ok := strings.CutPrefix(res.Gap[strings.Index(res.Gap, "\n")+1:], res.RecordedError+"\n")
		if !strings.Contains(res.Gap, "WebKit (Safari)'s console line") || !ok {
			t.Errorf("entry %d: the recorded line %q is not given to paste: %q", res.Entry, res.RecordedError, res.Gap)
			continue
		}
		if ev, err := check.ParseConsole(res.RecordedError + "\n" + lines); err != nil || ev.Engine != "safari" || ev.URL != res.Report.Request.URL {
			t.Errorf("entry %d: the lines to paste read as %+v, %v", res.Entry, ev, err)
		}
	}
}
