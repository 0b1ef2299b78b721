package browsertest

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/browserwire"
)

// RecordHAR makes the page call fetch for each request, as FetchAll does,
// and returns the outcomes with a HAR of the traffic written from Firefox's
// WebDriver BiDi network events (network.beforeRequestSent,
// network.responseCompleted, network.fetchError): an entry per request
// Firefox reports, with the headers it reports sent and received, the
// status (0 for a request that got no answer, with _error the BiDi
// errorText), _fromCache from the response's fromCache, and _resourceType
// from the request's initiatorType/destination: what its remote protocol
// reports of the requests. Firefox's own DevTools export of the same
// requests is RecordDevToolsHAR's.
func (f *Firefox) RecordHAR(t testing.TB, reqs []Request) ([]Result, []byte) {
	t.Helper()
	rec := &bidiHAR{byID: map[string]*bidiEntry{}}
	f.netMu.Lock()
	f.net = rec.event
	f.netMu.Unlock()
	// Subscribed for this tab's context alone, and ended by the
	// subscription's id: other tabs of the same Firefox may record too.
	events := []string{"network.beforeRequestSent", "network.responseCompleted", "network.fetchError"}
	sub := f.callFor(t, "session.subscribe", map[string]any{"events": events, "contexts": []string{f.context}}, "subscription")
	res := f.FetchAll(t, reqs)
	// FetchAll's marker fetch comes after each request's events; the last
	// marker's own events close the recording.
	deadline := time.Now().Add(5 * time.Second)
	for !rec.settled(f.markers) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	f.call("session.unsubscribe", map[string]any{"subscriptions": []string{sub}})
	f.netMu.Lock()
	f.net = nil
	f.netMu.Unlock()
	return res, rec.har(t, f.markers)
}

type bidiEntry struct {
	url, method, resourceType, error string
	reqHeaders, respHeaders          []browserwire.HARPair
	status                           int
	fromCache, done                  bool
	started                          time.Time
}

type bidiHAR struct {
	mu    sync.Mutex
	order []string
	byID  map[string]*bidiEntry
}

type bidiHeader struct {
	Name  string `json:"name"`
	Value struct {
		Value string `json:"value"`
	} `json:"value"`
}

type bidiEvent struct {
	Request struct {
		Request       string       `json:"request"`
		URL           string       `json:"url"`
		Method        string       `json:"method"`
		Headers       []bidiHeader `json:"headers"`
		InitiatorType string       `json:"initiatorType"`
		Destination   string       `json:"destination"`
	} `json:"request"`
	Response *struct {
		Status    int          `json:"status"`
		Headers   []bidiHeader `json:"headers"`
		FromCache bool         `json:"fromCache"`
	} `json:"response"`
	ErrorText string `json:"errorText"`
}

func bidiPairs(hs []bidiHeader) []browserwire.HARPair {
	out := []browserwire.HARPair{}
	for _, h := range hs {
		out = append(out, browserwire.HARPair{Name: h.Name, Value: h.Value.Value})
	}
	return out
}

func (r *bidiHAR) event(method string, params json.RawMessage) {
	var ev bidiEvent
	if json.Unmarshal(params, &ev) != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byID[ev.Request.Request]
	if !ok {
		e = &bidiEntry{started: time.Now()}
		r.byID[ev.Request.Request] = e
		r.order = append(r.order, ev.Request.Request)
	}
	e.url, e.method = ev.Request.URL, ev.Request.Method
	if len(ev.Request.Headers) > 0 {
		e.reqHeaders = bidiPairs(ev.Request.Headers)
	}
	switch {
	case ev.Request.Method == "OPTIONS" && ev.Request.Destination == "":
		e.resourceType = "preflight"
	case ev.Request.InitiatorType != "":
		e.resourceType = ev.Request.InitiatorType
	default:
		e.resourceType = ev.Request.Destination
	}
	switch method {
	case "network.responseCompleted":
		if ev.Response != nil {
			e.status, e.respHeaders, e.fromCache = ev.Response.Status, bidiPairs(ev.Response.Headers), ev.Response.FromCache
		}
		e.done = true
	case "network.fetchError":
		e.error, e.done = ev.ErrorText, true
	}
}

// settled reports whether every request seen, the markers' aside, has
// ended.
func (r *bidiHAR) settled(markers *markerServer) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.byID {
		if !e.done && !markers.owns(e.url) {
			return false
		}
	}
	return len(r.byID) > 0
}

func (r *bidiHAR) har(t testing.TB, markers *markerServer) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var entries []map[string]any
	for _, id := range r.order {
		e := r.byID[id]
		if e.url == "" || strings.HasSuffix(e.url, "/favicon.ico") || markers.owns(e.url) {
			continue
		}
		request := map[string]any{"method": e.method, "url": e.url, "httpVersion": "HTTP/1.1", "headers": e.reqHeaders,
			"queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": -1}
		response := map[string]any{"status": e.status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": nonNil(e.respHeaders),
			"cookies": []any{}, "content": map[string]any{"size": 0, "mimeType": ""}, "redirectURL": "", "headersSize": -1, "bodySize": -1}
		if e.error != "" {
			response["_error"] = e.error
		}
		entries = append(entries, map[string]any{
			"_resourceType": e.resourceType, "_fromCache": e.fromCache,
			"startedDateTime": e.started.UTC().Format(time.RFC3339Nano), "time": 0, "cache": map[string]any{}, "timings": map[string]int{"send": 0, "wait": 0, "receive": 0},
			"request": request, "response": response,
		})
	}
	out, err := json.MarshalIndent(map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]string{"name": "corskit browsertest (Firefox WebDriver BiDi network events)", "version": "1"}, "pages": []any{}, "entries": entries}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func nonNil(p []browserwire.HARPair) []browserwire.HARPair {
	if p == nil {
		return []browserwire.HARPair{}
	}
	return p
}
