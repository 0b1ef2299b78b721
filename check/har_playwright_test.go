package check_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// TestPlaywrightHARAsItIs: a real HAR from Playwright's recordHar (see
// testdata/README-playwright.md) holds failed entries with status -1 and
// no preflight. Judged offline, a failed entry is "not recorded": no
// engine line (an engine's line would state a network error the file does
// not show), no "Status code: -1", no advice with a flag (the page shows
// the same JSON), the recorded failure kept; the preflight the file does
// not hold is marked not recorded, never drawn as sent.
func TestPlaywrightHARAsItIs(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/playwright-recordhar.har")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := check.ReadHAR(f)
	if err != nil {
		t.Fatal(err)
	}
	j := check.JudgeHAR(context.Background(), h, check.Options{}, check.HARMode{Offline: true})
	var blocked, allowed int
	for res := range j.Results {
		if res.Report == nil {
			t.Errorf("entry %d not judged: %s", res.Entry, res.Error)
			continue
		}
		out, _ := json.Marshal(res)
		text := string(out)
		for _, bad := range []string{"Status code: -1", "Status code: 0.", "--live", "did not succeed"} {
			if strings.Contains(text, bad) {
				t.Errorf("entry %d: the judgement says %q, which the file does not hold:\n%s", res.Entry, bad, text)
			}
		}
		r := res.Report
		if r.Allowed {
			allowed++
			for _, x := range r.Exchanges {
				if x.Request.Method == "OPTIONS" && !x.NotRecorded {
					t.Errorf("entry %d: a preflight the file does not hold is shown as recorded: %+v", res.Entry, x)
				}
			}
			continue
		}
		blocked++
		if r.Code != string(check.NotRecorded) || res.RecordedError != "net::ERR_FAILED" {
			t.Errorf("entry %d: code %q, recorded error %q; want not_recorded and Playwright's net::ERR_FAILED", res.Entry, r.Code, res.RecordedError)
		}
		for name, e := range r.Engines {
			if len(e.Messages) > 0 {
				t.Errorf("entry %d: %s logs %q, which the file does not hold", res.Entry, name, e.Messages)
			}
		}
		for _, x := range r.Exchanges {
			if !x.NotRecorded {
				t.Errorf("entry %d: exchange %s %s shown as recorded", res.Entry, x.Request.Method, x.Request.URL)
			}
		}
	}
	if blocked != 3 || allowed != 1 {
		t.Errorf("%d blocked, %d allowed; the file holds 3 failed requests and 1 that passed", blocked, allowed)
	}
}

// TestHARCredentialsFromTheRecordedFailure: a DevTools HAR holds no cookie
// when the site has none yet; its preflight (answered with *) and the PUT
// it records as failed are explained only by credentials: 'include', which
// is judged then, and said.
func TestHARCredentialsFromTheRecordedFailure(t *testing.T) {
	t.Parallel()
	const har = `{"log": {"entries": [
	{"_resourceType": "preflight", "request": {"method": "OPTIONS", "url": "http://api.test/data", "headers": [{"name": "Origin", "value": "http://localhost:3000"}, {"name": "Access-Control-Request-Method", "value": "PUT"}, {"name": "Access-Control-Request-Headers", "value": "content-type"}]},
	 "response": {"status": 204, "headers": [{"name": "Access-Control-Allow-Origin", "value": "*"}, {"name": "Access-Control-Allow-Methods", "value": "PUT"}, {"name": "Access-Control-Allow-Headers", "value": "Content-Type"}]}},
	{"_resourceType": "fetch", "request": {"method": "PUT", "url": "http://api.test/data", "headers": [{"name": "Content-Type", "value": "application/json"}, {"name": "Referer", "value": "http://localhost:3000/"}], "postData": {"text": "{}"}},
	 "response": {"status": 0, "headers": [], "_error": "net::ERR_FAILED"}}]}}`
	h, err := check.ReadHAR(strings.NewReader(har))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for res := range check.JudgeHAR(context.Background(), h, check.Options{}, check.HARMode{Offline: true}).Results {
		n++
		if res.Report == nil || !res.CredentialsInclude || res.Report.Code != "wildcard_with_credentials" {
			t.Errorf("entry %d: include inferred %v, report %+v %s", res.Entry, res.CredentialsInclude, res.Report, res.Error)
		}
	}
	if n != 1 {
		t.Errorf("%d requests judged, want 1", n)
	}
}
