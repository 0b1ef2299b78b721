package browsertest

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/browserwire"
)

// RecordHAR makes the page call fetch for each request, as FetchAll does,
// and returns the outcomes with a HAR of the traffic, recorded from WebKit's
// remote inspector (Web Inspector's protocol: Network.requestWillBeSent,
// responseReceived, loadingFinished, loadingFailed, getResponseBody) and
// laid out as Web Inspector's HARBuilder lays out Safari's "Export HAR":
// creator "WebKit Web Inspector", pageref, _fetchType, the request headers
// WebKit reports sent (metrics.requestHeaders) when it gives them, the
// body as content.text, and _error, the loading failure's text. WebKit
// reports a request CORS blocked as a failure with no answer (status 0, no
// headers; _error is the console's first line) and no preflight. The
// runner page's own polls are left out. The engine is the shared one: the
// inspector connects for the recording and leaves after it.
func (w *WebKit) RecordHAR(t testing.TB, reqs []Request) ([]Result, []byte) {
	t.Helper()
	// An empty batch first: the runner page is up, so the inspector lists
	// it and announces it once connected.
	w.FetchAll(t, nil)
	rec := &inspectorHAR{byID: map[string]*inspectorEntry{}, runner: w.page.origin + nextPath}
	conn, err := dialInspector(w.inspector, rec.event)
	if err != nil {
		t.Fatalf("WebKit: %v", err)
	}
	defer conn.close()
	var target string
	select {
	case target = <-conn.targets:
	case <-time.After(10 * time.Second):
		t.Fatalf("WebKit's inspector at %s announced no page within 10 s", w.inspector)
	}
	if _, err := conn.call(target, "Network.enable", nil, 10*time.Second); err != nil {
		t.Fatalf("WebKit: %v", err)
	}
	res := w.FetchAll(t, reqs)
	// The page has seen every fetch settle; the inspector's events for
	// them come from another process and may still be on their way.
	deadline := time.Now().Add(5 * time.Second)
	for !rec.settled(len(reqs)) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, id := range rec.answered() {
		if r, err := conn.call(target, "Network.getResponseBody", map[string]string{"requestId": id}, 5*time.Second); err == nil {
			rec.body(id, r)
		}
	}
	return res, rec.har(t, w.page.origin)
}

// inspectorEntry is one request as the inspector's events tell it.
type inspectorEntry struct {
	url, method, postData, failed, mimeType, statusText, source, protocol, body string
	headers, respHeaders                                                        map[string]string
	status                                                                      int
	walltime                                                                    float64
	finished, base64                                                            bool
}

// inspectorHAR collects the inspector's network events.
type inspectorHAR struct {
	mu     sync.Mutex
	order  []string
	byID   map[string]*inspectorEntry
	runner string // the runner page's poll URL, left out
}

// inspectorEvent holds the fields of the Network events RecordHAR reads.
type inspectorEvent struct {
	RequestID string  `json:"requestId"`
	Walltime  float64 `json:"walltime"`
	ErrorText string  `json:"errorText"`
	Request   struct {
		URL      string            `json:"url"`
		Method   string            `json:"method"`
		Headers  map[string]string `json:"headers"`
		PostData string            `json:"postData"`
	} `json:"request"`
	Response struct {
		Status     int               `json:"status"`
		StatusText string            `json:"statusText"`
		Headers    map[string]string `json:"headers"`
		MimeType   string            `json:"mimeType"`
		Source     string            `json:"source"`
	} `json:"response"`
	Metrics struct {
		Protocol       string            `json:"protocol"`
		RequestHeaders map[string]string `json:"requestHeaders"`
	} `json:"metrics"`
}

func (r *inspectorHAR) event(_, method string, params json.RawMessage) {
	var ev inspectorEvent
	if !strings.HasPrefix(method, "Network.") || json.Unmarshal(params, &ev) != nil || ev.RequestID == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.byID[ev.RequestID]
	if e == nil {
		e = &inspectorEntry{}
		r.byID[ev.RequestID] = e
		r.order = append(r.order, ev.RequestID)
	}
	switch method {
	case "Network.requestWillBeSent":
		q := ev.Request
		e.url, e.method, e.headers, e.postData, e.walltime = q.URL, q.Method, q.Headers, q.PostData, ev.Walltime
	case "Network.responseReceived":
		p := ev.Response
		e.status, e.statusText, e.respHeaders, e.mimeType, e.source = p.Status, p.StatusText, p.Headers, p.MimeType, p.Source
	case "Network.loadingFinished":
		e.finished, e.protocol = true, ev.Metrics.Protocol
		if len(ev.Metrics.RequestHeaders) > 0 {
			e.headers = ev.Metrics.RequestHeaders
		}
	case "Network.loadingFailed":
		e.finished, e.failed = true, ev.ErrorText
	}
}

// recorded reports whether the entry is one of the page's requests: not
// one whose start the recording missed, nor the runner's poll.
func (r *inspectorHAR) recorded(e *inspectorEntry) bool {
	return e.url != "" && !strings.HasPrefix(e.url, r.runner) && !strings.HasSuffix(e.url, "/favicon.ico")
}

// settled reports whether n requests have started and every one has ended.
func (r *inspectorHAR) settled(n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := 0
	for _, e := range r.byID {
		if r.recorded(e) {
			seen++
			if !e.finished {
				return false
			}
		}
	}
	return seen >= n
}

// answered are the requests whose answer's body the inspector holds.
func (r *inspectorHAR) answered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, id := range r.order {
		if e := r.byID[id]; r.recorded(e) && e.finished && e.failed == "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// body keeps Network.getResponseBody's answer.
func (r *inspectorHAR) body(id string, answer json.RawMessage) {
	var b struct {
		Body          string `json:"body"`
		Base64Encoded bool   `json:"base64Encoded"`
	}
	json.Unmarshal(answer, &b)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[id].body, r.byID[id].base64 = b.Body, b.Base64Encoded
}

// har lays the recorded requests out as HARBuilder does.
func (r *inspectorHAR) har(t testing.TB, origin string) []byte {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	entries := []map[string]any{}
	for _, id := range r.order {
		if e := r.byID[id]; r.recorded(e) && e.finished {
			entries = append(entries, e.harEntry())
		}
	}
	started := ""
	if len(entries) > 0 {
		started, _ = entries[0]["startedDateTime"].(string)
	}
	page := map[string]any{"startedDateTime": started, "id": "page_0", "title": origin + runnerPath, "pageTimings": map[string]any{}}
	out, err := json.MarshalIndent(map[string]any{"log": map[string]any{"version": "1.2",
		"creator": map[string]string{"name": "WebKit Web Inspector", "version": "1.0"}, "pages": []any{page}, "entries": entries}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// harEntry is the entry as HARBuilder writes it.
func (e *inspectorEntry) harEntry() map[string]any {
	proto := map[string]string{"http/1.1": "HTTP/1.1", "http/1.0": "HTTP/1.0", "h2": "HTTP/2"}[e.protocol]
	started := ""
	if e.walltime > 0 {
		sec, frac := math.Modf(e.walltime)
		started = time.Unix(int64(sec), int64(frac*1e9)).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	request := map[string]any{"method": e.method, "url": e.url, "httpVersion": proto, "cookies": []any{},
		"headers": inspectorPairs(e.headers), "queryString": []any{}, "headersSize": -1, "bodySize": -1}
	if e.postData != "" {
		request["postData"] = map[string]any{"mimeType": e.headers["Content-Type"], "text": e.postData, "params": []any{}}
	}
	content := map[string]any{"size": len(e.body), "compression": 0, "mimeType": cmp(e.mimeType, "x-unknown")}
	if e.body != "" {
		content["text"] = e.body
		if e.base64 {
			content["encoding"] = "base64"
		}
	}
	response := map[string]any{"status": e.status, "statusText": e.statusText, "httpVersion": proto, "cookies": []any{},
		"headers": inspectorPairs(e.respHeaders), "content": content, "redirectURL": e.respHeaders["Location"], "headersSize": -1, "bodySize": -1}
	if e.failed != "" {
		response["_error"] = e.failed
	}
	entry := map[string]any{"pageref": "page_0", "startedDateTime": started, "time": 0, "request": request, "response": response, "cache": map[string]any{},
		"timings": map[string]int{"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0, "wait": 0, "receive": 0}}
	if e.source == "network" {
		entry["_fetchType"] = "Network Load"
	}
	return entry
}

// inspectorPairs are the inspector's headers as HAR pairs, in name order
// (the protocol gives an object, whose order JSON does not keep).
func inspectorPairs(h map[string]string) []browserwire.HARPair {
	out := []browserwire.HARPair{}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		out = append(out, browserwire.HARPair{Name: k, Value: h[k]})
	}
	return out
}
