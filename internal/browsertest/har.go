package browsertest

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/internal/browserwire"
)

// RecordHAR makes the page call fetch for each request, as FetchAll does,
// and returns the outcomes with a HAR of the traffic, written from
// Chromium's DevTools protocol events as DevTools' "Save all as HAR" writes
// it: an entry per request, the preflights as entries of their own
// (_resourceType "preflight"), the raw headers sent and received, the
// status and headers of a response CORS blocked, and _error for a failed
// request.
func (b *Browser) RecordHAR(t testing.TB, reqs []Request) ([]Result, []byte) {
	t.Helper()
	rec := &harRecorder{byID: map[network.RequestID]*harRecord{}}
	ctx, stop := context.WithCancel(b.ctx)
	defer stop()
	if err := chromedp.Listen(ctx, rec.event); err != nil {
		t.Fatalf("Chromium: listening to network events: %v", err)
	}
	// chromedp enables the Network domain when it attaches to the tab.
	res := b.FetchAll(t, reqs)
	time.Sleep(300 * time.Millisecond) // the last ExtraInfo events
	return res, rec.har(t)
}

type harRecorder struct {
	mu    sync.Mutex
	order []network.RequestID
	byID  map[network.RequestID]*harRecord
}

type harRecord struct {
	url, method, resourceType, initiator, body string
	sent, reqHeaders, respHeaders              map[string]string
	status                                     int64
	failed                                     string
	started                                    time.Time
}

func (r *harRecorder) get(id network.RequestID) *harRecord {
	rec, ok := r.byID[id]
	if !ok {
		rec = &harRecord{}
		r.byID[id] = rec
		r.order = append(r.order, id)
	}
	return rec
}

func (r *harRecorder) event(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		rec := r.get(e.RequestID)
		rec.url, rec.method, rec.resourceType = e.Request.URL, e.Request.Method, strings.ToLower(string(e.Type))
		rec.reqHeaders, rec.started = browserwire.HeaderMap(e.Request.Headers), time.Now()
		if e.Initiator != nil {
			rec.initiator = string(e.Initiator.Type)
		}
		if rec.initiator == "preflight" {
			rec.resourceType = "preflight" // as DevTools writes it
		}
		for _, p := range e.Request.PostDataEntries {
			rec.body += string(p.Bytes)
		}
	case *network.EventRequestWillBeSentExtraInfo:
		r.get(e.RequestID).sent = browserwire.HeaderMap(e.Headers)
	case *network.EventResponseReceived:
		rec := r.get(e.RequestID)
		rec.status, rec.respHeaders = e.Response.Status, browserwire.HeaderMap(e.Response.Headers)
	case *network.EventResponseReceivedExtraInfo:
		rec := r.get(e.RequestID)
		rec.status, rec.respHeaders = e.StatusCode, browserwire.HeaderMap(e.Headers)
	case *network.EventLoadingFailed:
		r.get(e.RequestID).failed = e.ErrorText
	}
}

func (r *harRecorder) har(t testing.TB) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var entries []map[string]any
	for _, id := range r.order {
		rec := r.byID[id]
		if rec.url == "" || strings.HasSuffix(rec.url, "/favicon.ico") {
			continue
		}
		reqHeaders := rec.sent
		if reqHeaders == nil {
			reqHeaders = rec.reqHeaders
		}
		request := map[string]any{"method": rec.method, "url": rec.url, "httpVersion": "HTTP/1.1", "headers": browserwire.HARPairs(reqHeaders),
			"queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": len(rec.body)}
		if c, ok := reqHeaders["Cookie"]; ok && c != "" {
			request["cookies"] = []map[string]string{{"name": strings.SplitN(c, "=", 2)[0], "value": ""}}
		}
		if rec.body != "" {
			request["postData"] = map[string]string{"mimeType": reqHeaders["Content-Type"], "text": rec.body}
		}
		var failed any
		if rec.failed != "" {
			failed = rec.failed
		}
		entries = append(entries, map[string]any{
			"_initiator": map[string]string{"type": rec.initiator}, "_resourceType": rec.resourceType,
			"startedDateTime": rec.started.UTC().Format(time.RFC3339Nano), "time": 0, "cache": map[string]any{}, "timings": map[string]int{"send": 0, "wait": 0, "receive": 0},
			"request": request,
			"response": map[string]any{"status": rec.status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": browserwire.HARPairs(rec.respHeaders),
				"cookies": []any{}, "content": map[string]any{"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1, "bodySize": -1, "_error": failed},
		})
	}
	out, err := json.MarshalIndent(map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]string{"name": "corskit browsertest (Chromium DevTools protocol)", "version": "1"}, "pages": []any{}, "entries": entries}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
