package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/corskit/corskit/internal/web"
)

// TestHARFillOnThePage: the page's HAR path uses check's live fill, as
// the command does: a GET answered without CORS headers by a route before
// the CORS code gets its cause from the fill, and the answer says how many
// requests it sent, which the server counts; offline=1 (the page's "from
// the file alone" box) sends none.
func TestHARFillOnThePage(t *testing.T) {
	t.Parallel()
	s, base := startServe(t)
	var n atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
	}))
	t.Cleanup(api.Close)
	har := fmt.Sprintf(`{"log": {"entries": [{"_resourceType": "fetch", "request": {"method": "GET", "url": %q,
		"headers": [{"name": "Origin", "value": "http://localhost:3000"}]}, "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}]}}]}}`, api.URL+"/data")
	ok := map[string]string{"X-Corskit-Token": s.Token(), "Content-Type": "application/json"}
	for _, offline := range []bool{true, false} {
		path := "/api/har"
		if offline {
			path += "?offline=1"
		}
		before := n.Load()
		resp, body := post(t, base+path, ok, har)
		var out web.HAROut
		if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 || len(out.Requests) != 1 || out.Requests[0].Report == nil {
			t.Fatalf("offline %v: %d %v %s", offline, resp.StatusCode, err, body)
		}
		sent, r := n.Load()-before, out.Requests[0]
		cause := r.Report.Problems[0].Name
		switch {
		case offline && (sent != 0 || !out.Offline || r.Fill != nil || len(r.Causes) < 2):
			t.Errorf("offline=1: %d requests sent, %+v; want none, AMBIGUOUS", sent, out)
		case !offline && (sent == 0 || out.FillSent != int(sent) || r.Fill == nil || r.Fill.Sent != int(sent) || cause != "CORS after the route"):
			t.Errorf("filled: the server got %d, the answer says %d (%+v); cause %q, want CORS after the route", sent, out.FillSent, r.Fill, cause)
		}
	}
}
