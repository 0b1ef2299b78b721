package check_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// TestFirefoxHARAsItIs reads a HAR recorded from real Firefox 153 ESR's
// WebDriver BiDi network events (internal/browsertest Firefox.RecordHAR;
// see testdata/README-firefox.md): what Firefox reports is not what
// Chromium's DevTools writes. A GET Firefox blocked (credentials with *)
// is reported completed, 200, with no error and no cookie, like the same
// GET without credentials, which Firefox allowed: the file cannot tell
// them apart; both are judged as recorded (allowed) and the report says
// that with credentials: 'include' the request is blocked. A PUT whose preflight Firefox refused is two entries with
// status 0 and NS_ERROR_DOM_BAD_URI, the preflight's answer not reported:
// not recorded, with no engine line. A request listed before its
// preflight is paired with it.
func TestFirefoxHARAsItIs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/firefox-bidi.har")
	if err != nil {
		t.Fatal(err)
	}
	h, err := check.ParseHAR(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{0: "allowed", 1: "allowed", 2: "not recorded", 4: "CORS after the route", 6: "CORS after the route"}
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
		case 0, 1:
			if !strings.Contains(res.CredentialsNote, "credentials unknown") || !strings.Contains(res.CredentialsNote, "Firefox reports a blocked answer as completed") || res.CredentialsInclude {
				t.Errorf("entry %d: the credentials are not said to be unknown: %q", res.Entry, res.CredentialsNote)
			}
		case 2:
			if res.PreflightEntry != 3 || res.RecordedError != "NS_ERROR_DOM_BAD_URI" {
				t.Errorf("entry 2: preflight entry %d, recorded error %q; want 3, NS_ERROR_DOM_BAD_URI", res.PreflightEntry, res.RecordedError)
			}
			for name, e := range res.Report.Engines {
				if len(e.Messages) > 0 {
					t.Errorf("entry 2: %s logs %q, which the file does not hold", name, e.Messages)
				}
			}
		case 4, 6:
			if res.PreflightEntry != res.Entry+1 {
				t.Errorf("entry %d: paired with preflight entry %d, want %d", res.Entry, res.PreflightEntry, res.Entry+1)
			}
		}
	}
	for e, w := range want {
		if got[e] != w {
			t.Errorf("entry %d: %q, want %q", e, got[e], w)
		}
	}
}
