package check_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// TestHARFromChromiumOverHTTP2 reads a HAR in the shape Chromium's DevTools
// saves over HTTP/2: lower-case names, pseudo-headers, the preflight written
// after the request it precedes, a request CORS blocked recorded with its
// status and headers and _error. Only the two cross-origin fetches are
// judged; the blocked one is traced to its error answer.
func TestHARFromChromiumOverHTTP2(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/chromium-http2.har")
	if err != nil {
		t.Fatal(err)
	}
	h, err := check.ParseHAR(data)
	if err != nil {
		t.Fatal(err)
	}
	if h.Entries != 5 || len(h.Requests) != 2 {
		t.Fatalf("entries %d, cross-origin requests %+v; want 5 and 2 (the page, the image and the preflight are none)", h.Entries, h.Requests)
	}
	post := h.Requests[0]
	if post.Entry != 2 || post.Preflight != 3 || post.Failed != "net::ERR_FAILED" || post.Options.Method != "POST" ||
		post.Options.Origin != "http://localhost:5173" || post.Options.Body != `{"name":"x"}` {
		t.Errorf("the POST: %+v", post)
	}
	for _, hd := range post.Options.Headers {
		if strings.HasPrefix(hd.Name, ":") || check.BrowserAdded(hd.Name) || strings.EqualFold(hd.Name, "origin") {
			t.Errorf("header %q is the browser's, not the page's", hd.Name)
		}
	}
	r, err := check.Judge(context.Background(), post.Options, h.Replay(post))
	if err != nil {
		t.Fatal(err)
	}
	if r.Allowed() || r.Verdict.Reason != browser.MissingAllowOrigin || len(r.Problems) != 1 || r.Problems[0].Name != "errors without CORS headers" || r.Problems[0].Status != 400 {
		t.Errorf("judged offline: %s; problems %+v", r.Verdict.Reason, r.Problems)
	}
	if r.Fix.Response == nil || !strings.Contains(r.Fix.Snippets["nginx"], "always") {
		t.Errorf("fix: %+v", r.Fix)
	}
	get := h.Requests[1]
	if r, err := check.Judge(context.Background(), get.Options, h.Replay(get)); err != nil || !r.Allowed() {
		t.Errorf("the GET answered *: %v %s", err, r.Verdict.Reason)
	}
}

// TestHARWithoutAnswers: an entry without a status (a browser that records
// a blocked request as failed) is not judged as a network error but named
// as not recorded.
func TestHARWithoutAnswers(t *testing.T) {
	t.Parallel()
	h, err := check.ParseHAR([]byte(`{"log": {"entries": [{"request": {"method": "DELETE", "url": "http://127.0.0.1:8080/x",
		"headers": [{"name": "Origin", "value": "http://localhost:3000"}]}, "response": {"status": 0, "headers": []}}]}}`))
	if err != nil || len(h.Requests) != 1 {
		t.Fatalf("%v %+v", err, h)
	}
	r, err := check.Judge(context.Background(), h.Requests[0].Options, h.Replay(h.Requests[0]))
	if err != nil || r.Verdict.Reason != browser.NetworkError || !errors.Is(r.Verdict.Err, check.ErrNotRecorded) ||
		len(r.Problems) != 1 || r.Problems[0].Name != "not recorded" {
		t.Errorf("got %v %s %v %+v", err, r.Verdict.Reason, r.Verdict.Err, r.Problems)
	}
}

// TestHARBadInput: what is not a HAR gets an error that says how to save
// one. (Too many entries: TestHARBounds.)
func TestHARBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"not json", "Save all as HAR"},
		{`{"entries": []}`, `no "log" object`},
	} {
		if _, err := check.ParseHAR([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--har") {
			t.Errorf("ParseHAR(%.20q): %v; want an error naming --har and %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseHAR: any input parses or fails cleanly, and every request found
// points at entries that exist and replays without panicking.
func FuzzParseHAR(f *testing.F) {
	seed, _ := os.ReadFile("testdata/chromium-http2.har")
	f.Add(seed)
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"GET","url":"http://a.test/","headers":[{"name":"Referer","value":"http://b.test/"}]},"_resourceType":"fetch","response":{"status":301,"headers":[{"name":"Location","value":"http://c.test/"}]}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := check.ParseHAR(data)
		if err != nil {
			return
		}
		for _, r := range h.Requests {
			if r.Entry < 0 || r.Entry >= h.Entries || r.Preflight >= h.Entries {
				t.Fatalf("request %+v outside %d entries", r, h.Entries)
			}
			check.Judge(context.Background(), r.Options, h.Replay(r))
		}
	})
}
