package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEnginesReportOutcomesAndConsole runs fetches in each engine, allowed
// and blocked, and checks the driver reports each outcome and attributes
// each blocked fetch's console lines to it alone: a response without
// Access-Control-Allow-Origin, and a preflight answered 404, whose two
// lines Firefox logs from two processes (the preflight's from its parent
// process, after the page has seen the failure), each followed at once by
// an allowed fetch that must get no line. A second batch runs in the same
// browser.
func TestEnginesReportOutcomesAndConsole(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pf404" && r.Method == http.MethodOptions {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/ok" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("X-Hidden", "1")
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(api.Close)
	EachEngine(t, func(t *testing.T, e Engine) {
		pf := Request{URL: api.URL + "/pf404", Method: "PUT", Headers: map[string]string{"X-Custom": "1"}}
		res := e.FetchAll(t, []Request{{URL: api.URL + "/none"}, {URL: api.URL + "/ok"}, pf, {URL: api.URL + "/ok?after-preflight"}, {URL: api.URL + "/none?again"}})
		res = append(res, e.Fetch(t, Request{URL: api.URL + "/none?next-batch"}))
		for i, r := range res {
			t.Logf("%s %d: %+v", e.Name(), i, r)
		}
		blocked := []bool{true, false, true, false, true, true}
		for i, r := range res {
			if r.OK == blocked[i] {
				t.Fatalf("fetch %d: ok=%v; want %v: %+v", i, r.OK, !blocked[i], r)
			}
			if !blocked[i] && len(r.Console) != 0 {
				t.Errorf("fetch %d, allowed, got console lines: %q", i, r.Console)
			}
			if blocked[i] && len(r.Console) == 0 {
				t.Errorf("fetch %d, blocked, got no console line", i)
			}
		}
		if res[1].Status != 200 || strings.Contains(strings.Join(res[1].Headers, ","), "x-hidden") {
			t.Errorf("allowed fetch: %+v", res[1])
		}
		for i, path := range map[int]string{0: "/none", 2: "/pf404", 4: "/none?again", 5: "/none?next-batch"} {
			for _, l := range res[i].Console {
				if e.Name() != "chromium" && !strings.Contains(l, api.URL+path) && !strings.HasPrefix(l, "Origin ") && !strings.HasPrefix(l, "Preflight response") {
					t.Errorf("fetch %d (%s): a line of another fetch: %q", i, path, l)
				}
				if strings.Contains(l, markerPath) || strings.Contains(l, "corskit-") {
					t.Errorf("fetch %d: a driver's marker line: %q", i, l)
				}
			}
		}
		if e.Name() == "firefox" && len(res[2].Console) != 2 {
			t.Errorf("Firefox, preflight answered 404: want its two lines (the preflight's, then the request's), got %q", res[2].Console)
		}
	})
}
