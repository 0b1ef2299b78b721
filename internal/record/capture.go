package record

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/corskit/corskit/internal/browserwire"
)

// exchange is one request the browser made, as the engine reported it: the
// request as sent, its answer, and what the engine said about it.
type exchange struct {
	id           string
	url, method  string
	resourceType string // fetch, xhr, preflight, document...
	preflightOf  string // for a preflight, the id of the request it is for
	pageOrigin   string // the origin of the page that made it
	body         string
	reqHeaders   map[string]string // as the page set them
	sent         map[string]string // as sent on the wire, when reported
	respHeaders  map[string]string
	status       int
	failed       string // the engine's error, e.g. net::ERR_FAILED
	engineCode   string // the engine's own code for a CORS failure, e.g. MissingAllowOriginHeader
	issue        string // the DevTools issue's code and parameter, when one was reported
	console      []string
	started      time.Time
	ended        time.Time // when loading finished or failed
	done         bool      // loading finished or failed
	extra        bool      // the wire's headers have been reported
	judged       bool      // taken to be judged: a later line is not its
	scratch      bool      // past maxExchanges: counted, not kept nor judged
}

// capture holds every exchange of a session, in the order they started.
type capture struct {
	mu       sync.Mutex
	order    []string
	byID     map[string]*exchange
	inflight int
	last     time.Time // the last network event
	changed  chan struct{}
	dropped  int // requests past maxExchanges, not kept
}

func newCapture() *capture {
	return &capture{byID: map[string]*exchange{}, last: time.Now(), changed: make(chan struct{}, 1)}
}

// maxExchanges bounds what a session keeps: a page that polls for hours
// costs bounded memory; later requests are counted in dropped.
const maxExchanges = 20000

// maxBody is the most of a request's body kept.
const maxBody = 64 << 10

// get returns the exchange with id, made if new; c.mu is held. Past
// maxExchanges, a new one is a scratch exchange, not kept.
func (c *capture) get(id string) *exchange {
	x, ok := c.byID[id]
	if !ok && len(c.order) >= maxExchanges {
		c.dropped++
		return &exchange{id: id, started: time.Now(), scratch: true}
	}
	if !ok {
		x = &exchange{id: id, started: time.Now()}
		c.byID[id] = x
		c.order = append(c.order, id)
	}
	return x
}

// poke notes network activity and wakes whoever waits on it; c.mu is held.
func (c *capture) poke() {
	c.last = time.Now()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// idleFor reports how long the network has been quiet, or 0 while a
// request is in flight.
func (c *capture) idleFor() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight > 0 {
		return 0
	}
	return time.Since(c.last)
}

// originOf is the origin of an absolute URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// crossOrigin reports whether x is a request a page made to another origin
// (a preflight is not one of its own).
func (x *exchange) crossOrigin() bool {
	if x.resourceType == "preflight" || x.url == "" || strings.HasPrefix(x.url, "data:") {
		return false
	}
	o := x.header("Origin")
	if o == "" && (x.resourceType == "fetch" || x.resourceType == "xhr") {
		o = x.pageOrigin
	}
	return o != "" && o != "null" && o != originOf(x.url)
}

// header returns the request header name as sent, or as the page set it.
func (x *exchange) header(name string) string {
	for _, hs := range []map[string]string{x.sent, x.reqHeaders} {
		for k, v := range hs {
			if strings.EqualFold(k, name) {
				return v
			}
		}
	}
	return ""
}

// harEntry writes x as DevTools' "Save all as HAR" writes an entry.
func (x *exchange) harEntry() map[string]any {
	reqHeaders := x.sent
	if reqHeaders == nil {
		reqHeaders = x.reqHeaders
	}
	request := map[string]any{"method": x.method, "url": x.url, "httpVersion": "HTTP/1.1", "headers": browserwire.HARPairs(reqHeaders),
		"queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": len(x.body)}
	if c := x.header("Cookie"); c != "" {
		request["cookies"] = []map[string]string{{"name": strings.SplitN(c, "=", 2)[0], "value": ""}}
	}
	if x.body != "" {
		request["postData"] = map[string]string{"mimeType": x.header("Content-Type"), "text": x.body}
	}
	var failed any
	if x.failed != "" {
		failed = x.failed
	}
	initiator := map[string]string{"type": "script"}
	if x.resourceType == "preflight" {
		initiator = map[string]string{"type": "preflight"}
	}
	return map[string]any{
		"_initiator": initiator, "_resourceType": x.resourceType,
		"startedDateTime": x.started.UTC().Format(time.RFC3339Nano), "time": 0, "cache": map[string]any{}, "timings": map[string]int{"send": 0, "wait": 0, "receive": 0},
		"request": request,
		"response": map[string]any{"status": x.status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": browserwire.HARPairs(x.respHeaders),
			"cookies": []any{}, "content": map[string]any{"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1, "bodySize": -1, "_error": failed},
	}
}

// harOf writes the exchanges as a HAR file.
func harOf(xs []*exchange, creator string) []byte {
	entries := []map[string]any{}
	for _, x := range xs {
		if x.url == "" {
			continue
		}
		entries = append(entries, x.harEntry())
	}
	out, _ := json.MarshalIndent(map[string]any{"log": map[string]any{"version": "1.2",
		"creator": map[string]string{"name": creator, "version": "1"}, "pages": []any{}, "entries": entries}}, "", "  ")
	return out
}

// HAR returns every exchange of the session as a HAR file.
func (c *capture) HAR(creator string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var xs []*exchange
	for _, id := range c.order {
		xs = append(xs, c.byID[id])
	}
	return harOf(xs, creator)
}

// preflightOf returns the preflight of the request id, or nil; c.mu is
// held. Chromium links the two; for an engine that does not, the preflight
// is the latest unclaimed one for the same URL, origin and method, which is
// claimed.
func (c *capture) preflightOf(id string) *exchange {
	x := c.byID[id]
	var best *exchange
	for _, pid := range c.order {
		p := c.byID[pid]
		if p.preflightOf == id {
			return p
		}
		if x != nil && p.resourceType == "preflight" && p.preflightOf == "" && p.url == x.url &&
			strings.EqualFold(p.header("Access-Control-Request-Method"), x.method) && p.header("Origin") == x.header("Origin") {
			best = p
		}
	}
	if best != nil {
		best.preflightOf = id
	}
	return best
}
