package browsertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// harAPI answers /star with Access-Control-Allow-Origin: * on every answer
// (a credentialed fetch fails) and /none without any CORS header.
func harAPI(t *testing.T) string {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/star") {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(api.Close)
	return api.URL
}

// recordedHAR is what the tests read of a recorded HAR.
type recordedHAR struct {
	Log struct {
		Creator struct{ Name string } `json:"creator"`
		Entries []struct {
			Request struct {
				Method, URL string
			} `json:"request"`
			Response struct {
				Status      int    `json:"status"`
				Error       string `json:"_error"`
				FailureText string `json:"_failureText"`
				Content     struct {
					Text string `json:"text"`
				} `json:"content"`
			} `json:"response"`
		} `json:"entries"`
	} `json:"log"`
}

// harRequests are an allowed GET, a credentialed PUT that * refuses, and a
// GET to an answer without CORS headers.
func harRequests(api string) []Request {
	return []Request{{URL: api + "/star"},
		{URL: api + "/star/put", Method: "PUT", Credentials: "include", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"n":1}`},
		{URL: api + "/none"}}
}

// checkRecorded holds a recorded HAR to its recorder's layout: the three
// fetches, each once, in order, after any entry of the page's own; the
// allowed one with its status and body, the blocked ones with the status
// and failure field blocked wants.
func checkRecorded(t *testing.T, data []byte, api, creator string, blocked func(status int, errText, failure string) bool) {
	t.Helper()
	var h recordedHAR
	if err := json.Unmarshal(data, &h); err != nil || h.Log.Creator.Name != creator {
		t.Fatalf("not a %s HAR (%v):\n%s", creator, err, data)
	}
	var got []string
	for _, e := range h.Log.Entries {
		if !strings.HasPrefix(e.Request.URL, api) {
			continue
		}
		got = append(got, e.Request.Method+" "+strings.TrimPrefix(e.Request.URL, api))
		r := e.Response
		switch e.Request.URL {
		case api + "/star":
			if r.Status != 200 || r.Content.Text != `{"ok":true}` {
				t.Errorf("the allowed GET: status %d, body %q; want 200 and its body", r.Status, r.Content.Text)
			}
		default:
			if !blocked(r.Status, r.Error, r.FailureText) {
				t.Errorf("%s %s, blocked: status %d, _error %q, _failureText %q", e.Request.Method, e.Request.URL, r.Status, r.Error, r.FailureText)
			}
		}
	}
	if strings.Join(got, ",") != "GET /star,PUT /star/put,GET /none" {
		t.Errorf("the API's entries: %q, want the three fetches in order\n%s", got, data)
	}
}

// TestPlaywrightRecordHAR records twice with Playwright's recordHar, on
// the test process's one node and Chromium: a request Chromium blocked is
// written with status -1 and _failureText, and no preflight entry.
func TestPlaywrightRecordHAR(t *testing.T) {
	t.Parallel()
	slowRecorder(t)
	api := harAPI(t)
	page := startPageServer(t, Options{})
	for i := range 2 {
		began := time.Now()
		res, data := RecordPlaywrightHAR(t, page.origin+"/", harRequests(api))
		t.Logf("recording %d: %.1f s", i+1, time.Since(began).Seconds())
		if !res[0].OK || res[1].OK || res[2].OK {
			t.Fatalf("outcomes %+v, want allowed, blocked, blocked", res)
		}
		checkRecorded(t, data, api, "Playwright", func(status int, _, failure string) bool {
			return status == -1 && failure == "net::ERR_FAILED"
		})
	}
}

// TestWebKitInspectorRecordHAR records twice from one WebKit through its
// remote inspector, as the suite does from a shared engine: a request
// WebKit blocked is written with status 0, no headers, and its console
// line as _error; the runner page's polls are not in the file (its
// document is, as in Safari's export).
func TestWebKitInspectorRecordHAR(t *testing.T) {
	t.Parallel()
	api := harAPI(t)
	w := StartWebKit(t)
	for range 2 {
		res, data := w.RecordHAR(t, harRequests(api))
		if !res[0].OK || res[1].OK || res[2].OK {
			t.Fatalf("outcomes %+v, want allowed, blocked, blocked", res)
		}
		checkRecorded(t, data, api, "WebKit Web Inspector", func(status int, errText, _ string) bool {
			return status == 0 && (strings.Contains(errText, "Access-Control-Allow-Origin") || strings.Contains(errText, "wildcard"))
		})
		if strings.Contains(string(data), `"url": "`+w.page.origin+nextPath) {
			t.Errorf("the runner page's polls are in the file:\n%s", data)
		}
	}
}

// TestFirefoxDevToolsRecordHAR records twice with Firefox's own network
// monitor (its auto-export), on the test process's one Firefox with the
// toolbox: the file is Firefox's ("creator": {"name": "Firefox"}), and
// holds the allowed GET (200, its body) and the credentialed PUT that *
// refuses (status 0), each once, in order, and the PUT's preflight
// (OPTIONS, its 204 answer), which Firefox lists after the requests.
func TestFirefoxDevToolsRecordHAR(t *testing.T) {
	t.Parallel()
	slowRecorder(t)
	api := harAPI(t)
	page := startPageServer(t, Options{})
	reqs := harRequests(api)[:2]
	for i := range 2 {
		began := time.Now()
		res, data := recordDevToolsHAR(t, page, reqs)
		t.Logf("recording %d: %.1f s", i+1, time.Since(began).Seconds())
		if len(res) != 2 || !res[0].OK || res[1].OK {
			t.Fatalf("outcomes %+v, want allowed, blocked", res)
		}
		if !strings.Contains(string(data), `"creator": {`) || !strings.Contains(string(data), `"name": "Firefox"`) {
			t.Fatalf("not Firefox's own export:\n%s", data)
		}
		var h recordedHAR
		if err := json.Unmarshal(data, &h); err != nil || h.Log.Creator.Name != "Firefox" {
			t.Fatalf("creator %q (%v), want Firefox:\n%s", h.Log.Creator.Name, err, data)
		}
		var got []string
		for _, e := range h.Log.Entries {
			if !strings.HasPrefix(e.Request.URL, api) {
				continue
			}
			got = append(got, e.Request.Method+" "+strings.TrimPrefix(e.Request.URL, api))
			r := e.Response
			switch e.Request.Method + " " + e.Request.URL {
			case "GET " + api + "/star":
				if r.Status != 200 || r.Content.Text != `{"ok":true}` {
					t.Errorf("the allowed GET: status %d, body %q; want 200 and its body", r.Status, r.Content.Text)
				}
			case "PUT " + api + "/star/put":
				if r.Status != 0 {
					t.Errorf("the PUT refused at its preflight: status %d, want 0", r.Status)
				}
			case "OPTIONS " + api + "/star/put":
				if r.Status != http.StatusNoContent {
					t.Errorf("the PUT's preflight: status %d, want 204", r.Status)
				}
			}
		}
		if strings.Join(got, ",") != "GET /star,PUT /star/put,OPTIONS /star/put" {
			t.Errorf("the API's entries: %q, want GET, PUT, then the PUT's preflight\n%s", got, data)
		}
	}
}

// slowRecorder skips a recorder that starts a browser of its own (node and
// Chromium for Playwright; Firefox with its toolbox under Xvfb) unless
// CORSKIT_SLOW=1 or CORSKIT_BROKEN_ALL is set: .ci/run's larger runs run
// it, and its every-case step records every case with it; go test ./...
// keeps its budget.
func slowRecorder(t *testing.T) {
	if os.Getenv("CORSKIT_SLOW") != "1" && os.Getenv("CORSKIT_BROKEN_ALL") == "" {
		t.Skip("a browser of its own: with CORSKIT_SLOW=1 (.ci/run's larger runs)")
	}
}
