package check_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// TestFirefoxDevToolsHARAsItIs reads a HAR that Firefox 153 ESR's own
// network monitor exported (see testdata/README-firefox-devtools.md): GET
// and credentialed JSON PUT to a server answering * and refusing OPTIONS
// (/star), and to one whose CORS code answers preflights but runs after
// the routes (/after). Firefox blocked all four but the GET to /star is
// 200 in the file like an allowed one: it is judged as recorded and the
// report says that with credentials it is blocked, with the cause and the
// fix for credentials. The PUT to /star has
// status 0 and its preflight's 405 answer: blocked either way, for the
// wildcard with credentials (include, whose fix covers both). The GET to
// /after is "CORS after the route", told by the file's preflight answer
// to the same URL; so is the PUT.
func TestFirefoxDevToolsHARAsItIs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/firefox-devtools.har")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"creator": {`) || !strings.Contains(string(data), `"name": "Firefox"`) {
		t.Fatal("firefox-devtools.har is not Firefox's own export")
	}
	h, err := check.ParseHAR(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "allowed", 3: "wildcard with credentials", 4: "CORS after the route", 5: "CORS after the route"}
	got := map[int]string{}
	for res := range check.JudgeHAR(context.Background(), h, check.Options{}, check.HARMode{Offline: true}).Results {
		if res.Report == nil {
			t.Errorf("entry %d: no report: %s", res.Entry, res.Error)
			continue
		}
		got[res.Entry] = "allowed"
		if len(res.Report.Problems) > 0 {
			got[res.Entry] = res.Report.Problems[0].Name
		}
		switch res.Entry {
		case 2:
			if !strings.Contains(res.CredentialsNote, "Firefox reports a blocked answer as completed") {
				t.Errorf("entry 2: the credentials are not said to be unknown: %q", res.CredentialsNote)
			}
			// The page's mode, include, gets Firefox's verdict and a fix.
			a := res.Full.OtherCredentials
			if a == nil || a.Credentials != "include" || a.Allowed || len(a.Problems) == 0 || a.Problems[0].Name != "wildcard with credentials" || !a.Fix.Policy.AllowCredentials {
				t.Errorf("entry 2: the part for credentials 'include' is %+v; want blocked, wildcard with credentials, a fix allowing credentials", a)
			}
		case 3:
			if res.PreflightEntry != 6 || !res.CredentialsInclude {
				t.Errorf("entry 3: preflight entry %d, include %v; want 6, true", res.PreflightEntry, res.CredentialsInclude)
			}
		case 4:
			if len(res.Causes) > 0 || !strings.Contains(res.Report.Problems[0].Sentence, "the file's answer to entry 7") {
				t.Errorf("entry 4: causes %q, %q; want the cause told by entry 7", res.Causes, res.Report.Problems[0].Sentence)
			}
		}
	}
	for e, w := range want {
		if got[e] != w {
			t.Errorf("entry %d: %q, want %q", e, got[e], w)
		}
	}
}
