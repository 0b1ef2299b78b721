package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/corskit/corskit/internal/web"
)

// TestHeavyJobsAreBounded: while web.Jobs checks hang on a slow server,
// another check and a HAR are answered 503 at once, with Retry-After and
// an error that says to try again (which the page shows); reading pasted
// text still works; once the checks end, the HAR is judged.
func TestHeavyJobsAreBounded(t *testing.T) {
	t.Parallel()
	s, base := startServe(t)
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	var n atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= web.Jobs { // the first ones hang until released
			arrived <- struct{}{}
			<-release
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	ok := map[string]string{"X-Corskit-Token": s.Token(), "Content-Type": "application/json"}
	check := fmt.Sprintf(`{"request": {"url": %q, "origin": "http://localhost:3000"}}`, slow.URL+"/data")
	var wg sync.WaitGroup
	for range web.Jobs {
		wg.Go(func() {
			if resp, body := post(t, base+"/api/check", ok, check); resp.StatusCode != 200 {
				t.Errorf("a check that waited: %d %s", resp.StatusCode, body)
			}
		})
	}
	for range web.Jobs {
		<-arrived
	}
	har := `{"log": {"entries": [{"_resourceType": "fetch", "request": {"method": "GET", "url": "http://127.0.0.1:1/x",
		"headers": [{"name": "Origin", "value": "http://localhost:3000"}]}, "response": {"status": 200, "headers": []}}]}}`
	for _, path := range []string{"/api/check", "/api/har"} {
		body := check
		if path == "/api/har" {
			body = har
		}
		resp, answer := post(t, base+path, ok, body)
		var e struct {
			Error string `json:"error"`
			Busy  bool   `json:"busy"`
		}
		json.Unmarshal([]byte(answer), &e)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !e.Busy || !strings.Contains(e.Error, "busy") || !strings.Contains(e.Error, "try again") {
			t.Errorf("%s while %d jobs run: %d Retry-After %q %s; want 503, Retry-After and an error saying to try again", path, web.Jobs, resp.StatusCode, resp.Header.Get("Retry-After"), answer)
		}
	}
	if resp, body := post(t, base+"/api/read", ok, `{"text": "curl 'http://127.0.0.1:1/x' -H 'Origin: http://localhost:3000'"}`); resp.StatusCode != 200 {
		t.Errorf("reading pasted text while busy: %d %s", resp.StatusCode, body)
	}
	close(release)
	wg.Wait()
	resp, body := post(t, base+"/api/har", ok, har)
	var out web.HAROut
	if err := json.Unmarshal([]byte(body), &out); resp.StatusCode != 200 || err != nil || out.Entries != 1 || len(out.Requests) != 1 || out.Blocked != 1 {
		t.Errorf("the HAR once the checks ended: %d %v %s", resp.StatusCode, err, body)
	}
}
