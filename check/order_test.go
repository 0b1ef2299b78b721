package check_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/cli"
)

// TestEvidenceKeepsHeaderOrder: of several refused headers WebKit names the
// first the page set (issue 26), so every way of giving corskit check the
// request keeps the page's order: -H flags, "Copy as cURL", "Copy as fetch"
// and a HAR's entries. Each is run with the two headers in both orders
// against a server whose preflight allows neither.
func TestEvidenceKeepsHeaderOrder(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer api.Close()
	const origin = "http://localhost:3000"
	for _, order := range [][2]string{{"X-Trace-Id", "X-Api-Key"}, {"X-Api-Key", "X-Trace-Id"}} {
		want := fmt.Sprintf("Request header field %s is not allowed by Access-Control-Allow-Headers.", order[0])
		curl := []string{"curl", api.URL + "/data", "-X", "PUT", "-H", order[0] + ": 1", "-H", order[1] + ": 1", "-H", "Origin: " + origin, "--data-raw", "x"}
		fetch := fmt.Sprintf(`fetch(%q, {"headers": {%q: "1", %q: "1"}, "referrer": "%s/", "body": "x", "method": "PUT", "mode": "cors"});`, api.URL+"/data", order[0], order[1], origin)
		common := []string{"check", "--browser", "safari", "--json", "--timeout", "5s"}
		for _, rest := range [][]string{
			{api.URL + "/data", "--origin", origin, "-X", "PUT", "-H", order[0] + ": 1", "-H", order[1] + ": 1", "-d", "x"},
			append([]string{"--"}, curl...),
			{"--fetch", fetch},
		} {
			args := append(common[:len(common):len(common)], rest...)
			var out, errb bytes.Buffer
			cli.Run(args, &out, &errb)
			var j check.JSON
			if err := json.Unmarshal(out.Bytes(), &j); err != nil {
				t.Fatalf("%q: no JSON (%v): %s", args, err, errb.String())
			}
			if j.Message != want {
				t.Errorf("%q: message %q; want %q", args, j.Message, want)
			}
		}

		c, err := check.ParseCurl(curl)
		if err != nil {
			t.Fatal(err)
		}
		har := fmt.Sprintf(`{"log": {"entries": [{"request": {"method": "PUT", "url": %q, "headers": [
			{"name": %q, "value": "1"}, {"name": %q, "value": "1"}, {"name": "Origin", "value": %q}]}, "response": {"status": 0, "headers": []}}]}}`,
			api.URL+"/data", order[0], order[1], origin)
		h, err := check.ParseHAR([]byte(har))
		if err != nil || len(h.Requests) != 1 {
			t.Fatalf("HAR: %v, %+v", err, h)
		}
		for from, hs := range map[string][]browser.Header{"curl": c.Options().Headers, "HAR": h.Requests[0].Options.Headers} {
			if len(hs) != 2 || hs[0].Name != order[0] || hs[1].Name != order[1] {
				t.Errorf("%s: headers %v; want %s then %s", from, hs, order[0], order[1])
			}
		}
	}
}

// TestFetchCopyHeadersInOrder: "Copy as fetch" headers are read in the
// order written, and a value that is not a string is refused.
func TestFetchCopyHeadersInOrder(t *testing.T) {
	t.Parallel()
	c, err := check.ParseFetch(`fetch("http://api.test/x", {"headers": {"X-Z": "1", "x-b": "2", "X-A": "3"}, "referrer": "http://localhost:3000/"});`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range c.Headers {
		names = append(names, h.Name)
	}
	if got := strings.Join(names, " "); got != "X-Z x-b X-A Referer" {
		t.Errorf("headers %s; want X-Z x-b X-A Referer", got)
	}
	for _, bad := range []string{`{"headers": ["X-A", "1"]}`, `{"headers": {"X-A": 1}}`} {
		if _, err := check.ParseFetch(`fetch("http://api.test/x", ` + bad + `);`); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if c, err := check.ParseFetch(`fetch("http://api.test/x", {"headers": null, "referrer": "http://localhost:3000/"});`); err != nil || len(c.Headers) != 1 {
		t.Errorf("null headers: %v, %v", c.Headers, err)
	}
}
