package check_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// harOf is a HAR of the entries given (JSON objects).
func harOf(entries ...string) string {
	return `{"log": {"version": "1.2", "entries": [` + strings.Join(entries, ",") + `]}}`
}

// fetchEntry is a cross-origin fetch from http://localhost:3000 answered
// with status and the response headers given (JSON).
func fetchEntry(url, method, extra, status, respHeaders string) string {
	return fmt.Sprintf(`{"_resourceType": "fetch", "request": {"method": %q, "url": %q, "headers": [{"name": "Origin", "value": "http://localhost:3000"}%s]},
		"response": {"status": %s, "headers": [%s], "content": {"text": "ok"}}}`, method, url, extra, status, respHeaders)
}

// TestHARBounds: a HAR over an entry's bounds, or with more requests than
// corskit judges, is read all the same: the entries over their bounds are
// named, not judged; at most MaxHARJudged requests are judged, the ones
// that look blocked first, and the note says how many of how many.
func TestHARBounds(t *testing.T) {
	t.Parallel()
	allow := `{"name": "Access-Control-Allow-Origin", "value": "http://localhost:3000"}`
	var many []string
	for i := range 150 {
		many = append(many, fmt.Sprintf(`{"name": "x-h-%d", "value": "1"}`, i))
	}
	h, err := check.ParseHAR([]byte(harOf(
		fetchEntry("https://api.example.test/many", "GET", ","+strings.Join(many, ","), "200", allow),
		fetchEntry("https://api.example.test/"+strings.Repeat("a", 9<<10), "GET", "", "200", allow),
		`{"_resourceType": "fetch", "request": {"method": "POST", "url": "https://api.example.test/upload", "headers": [{"name": "Origin", "value": "http://localhost:3000"}],
		  "postData": {"text": "`+strings.Repeat("b", 100<<10)+`"}}, "response": {"status": 200, "headers": [`+allow+`], "content": {"text": "`+strings.Repeat("c", 5<<20)+`"}}}`,
	)))
	if err != nil || h.Entries != 3 || len(h.Requests) != 3 {
		t.Fatalf("%v: %d entries, %+v", err, h.Entries, h.Requests)
	}
	for i, want := range []string{"151 request headers, more than the 100", "its URL is 9241 bytes, over the 8 KiB", ""} {
		if r := h.Requests[i]; !strings.Contains(r.NotJudged, want) || (want == "") != (r.NotJudged == "") {
			t.Errorf("entry %d: not judged %q, want %q", i, r.NotJudged, want)
		}
	}
	var notJudged []string
	j := check.JudgeHAR(context.Background(), h, check.Options{}, check.HARMode{Offline: true})
	for r := range j.Results {
		if r.Report == nil {
			notJudged = append(notJudged, r.Error)
		}
	}
	if j.NotJudged != 2 || j.Allowed != 1 || len(notJudged) != 2 || !strings.Contains(notJudged[0], "not judged: 151 request headers") {
		t.Errorf("judged: %+v, not judged %q", j, notJudged)
	}
	// The upload's body, over 64 KiB, is not sent again with --live.
	j = check.JudgeHAR(context.Background(), check.HAR{Requests: h.Requests[2:], Entries: 1, CrossOrigin: 1}, check.Options{}, check.HARMode{Live: true})
	for r := range j.Results {
		if !strings.Contains(r.Error, "not sent again: its body is 102400 bytes, over the 64 KiB") {
			t.Errorf("--live, a body over the bound: %q", r.Error)
		}
	}

	// 600 requests, the last 50 blocked: those 50 are among the judged.
	var entries []string
	for i := range 600 {
		resp := allow
		if i >= 550 {
			resp = ""
		}
		entries = append(entries, fetchEntry(fmt.Sprintf("https://api.example.test/items/%d", i), "GET", "", "200", resp))
	}
	h, err = check.ParseHAR([]byte(harOf(entries...)))
	if err != nil || h.Entries != 600 || h.CrossOrigin != 600 || len(h.Requests) != check.MaxHARJudged {
		t.Fatalf("%v: %d entries, %d cross-origin, %d kept", err, h.Entries, h.CrossOrigin, len(h.Requests))
	}
	if note := h.Note(); !strings.Contains(note, "500 of 600 cross-origin requests judged") || !strings.Contains(note, "look blocked first") {
		t.Errorf("note: %q", note)
	}
	if j := check.JudgeHAR(context.Background(), h, check.Options{Browser: "chromium"}, check.HARMode{Offline: true}); j.Blocked != 50 || j.Allowed != 450 {
		t.Errorf("judged %d blocked, %d allowed; want the 50 blocked and 450 others", j.Blocked, j.Allowed)
	}
}

// TestHARHostileJSON: JSON built to make a decoder buffer or recurse
// without end is refused, naming what is wrong; a huge body is read past.
func TestHARHostileJSON(t *testing.T) {
	t.Parallel()
	var headers []string
	for i := range 200000 {
		headers = append(headers, fmt.Sprintf(`{"name": "x-%d", "value": "%s"}`, i, strings.Repeat("v", 20)))
	}
	for _, tc := range []struct{ name, in, want string }{
		{"deep nesting", harOf(strings.Repeat("[", 1000) + strings.Repeat("]", 1000)), "nested deeper than 64 levels"},
		{"a long number", harOf(`{"time": 1` + strings.Repeat("0", 1000) + `}`), "a bare value longer than 256 bytes"},
		{"an entry of 200,000 headers", harOf(fetchEntry("https://api.example.test/x", "GET", ","+strings.Join(headers, ","), "200", "")), "an entry holds more than 4 MiB"},
		{"two objects", harOf() + harOf(), "more after its JSON object"},
	} {
		if _, err := check.ParseHAR([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--har") {
			t.Errorf("%s: %v; want an error naming --har and %q", tc.name, err, tc.want)
		}
	}
	// Strings escaped to the end: the cut never splits an escape.
	body := strings.Repeat(`\u00e9\"`, 300000)
	h, err := check.ParseHAR([]byte(harOf(
		`{"_resourceType": "fetch", "request": {"method": "GET", "url": "https://api.example.test/x", "headers": [{"name": "Origin", "value": "http://localhost:3000"}]},
		  "response": {"status": 500, "headers": [], "content": {"text": "` + body + `"}}}`)))
	if err != nil || len(h.Requests) != 1 {
		t.Fatalf("a 2.4 MB escaped body: %v %+v", err, h)
	}
}

// BenchmarkHAR reads and judges a HAR of 20,000 blocked cross-origin
// fetches (the file): linear in the entries, MaxHARJudged judged.
func BenchmarkHAR(b *testing.B) {
	var entries []string
	for i := range 20000 {
		entries = append(entries, fetchEntry(fmt.Sprintf("https://api.example.test/items/%d", i), "GET", `,{"name": "x-h", "value": "1"}`, "200", ""))
	}
	data := []byte(harOf(entries...))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		h, err := check.ParseHAR(data)
		if err != nil {
			b.Fatal(err)
		}
		for range check.JudgeHAR(context.Background(), h, check.Options{}, check.HARMode{Offline: true}).Results {
		}
	}
}
