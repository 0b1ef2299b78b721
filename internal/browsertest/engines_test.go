package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEnginesReportOutcomesAndConsole runs two fetches in each engine, one
// allowed and one blocked, and checks the driver reports each outcome and
// attributes the blocked one's console lines to it alone.
func TestEnginesReportOutcomesAndConsole(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("X-Hidden", "1")
		}
		fmt.Fprint(w, "ok")
	}))
	defer api.Close()
	EachEngine(t, func(t *testing.T, e Engine) {
		res := e.FetchAll(t, []Request{{URL: api.URL + "/none"}, {URL: api.URL + "/ok"}, {URL: api.URL + "/none?again"}})
		for i, r := range res {
			t.Logf("%s %d: %+v", e.Name(), i, r)
		}
		if res[0].OK || !res[1].OK || res[2].OK {
			t.Fatalf("outcomes: %+v", res)
		}
		if res[1].Status != 200 || strings.Contains(strings.Join(res[1].Headers, ","), "x-hidden") {
			t.Errorf("allowed fetch: %+v", res[1])
		}
		if len(res[0].Console) == 0 || len(res[1].Console) != 0 || len(res[2].Console) == 0 {
			t.Errorf("console lines misattributed: %q / %q / %q", res[0].Console, res[1].Console, res[2].Console)
		}
	})
}
