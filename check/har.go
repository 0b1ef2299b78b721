package check

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
)

// HAR is a HAR file saved from DevTools (Chromium, Firefox, Safari's Web
// Inspector): its cross-origin requests, each with its preflight, ready to
// judge from the recorded answers.
type HAR struct {
	// Requests are the cross-origin requests, in the order of the file.
	Requests []HARRequest
	// Entries is how many entries the file has.
	Entries int
	entries []harEntry
}

// HARRequest is one cross-origin request of a HAR.
type HARRequest struct {
	// Entry is the request's index in the HAR's entries.
	Entry int
	// Preflight is the index of the preflight paired with it, or -1.
	Preflight int
	// Options are the request, as the entry records it: the headers the
	// page set (the browser's own left out), the body, and credentials
	// include when the request carried cookies.
	Options Options
	// Failed is the browser's own error, when the entry records one
	// (Chromium's _error, e.g. "net::ERR_FAILED" for a CORS failure).
	Failed string
	// PreflightCached is true when the request needs a preflight, the file
	// holds none, and the browser sent the request: its preflight passed
	// earlier and came from the browser's preflight cache. The replay then
	// answers the preflight as passed.
	PreflightCached bool
}

// originOf is the origin of an absolute URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// harEntry is what corskit reads of an entry.
type harEntry struct {
	ResourceType string `json:"_resourceType"`
	Request      struct {
		Method   string      `json:"method"`
		URL      string      `json:"url"`
		Headers  []harHeader `json:"headers"`
		Cookies  []struct{}  `json:"cookies"`
		PostData *struct {
			Text string `json:"text"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status  int         `json:"status"`
		Headers []harHeader `json:"headers"`
		Error   *string     `json:"_error"`
		Content struct {
			Text     string `json:"text"`
			Encoding string `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

type harHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// header returns the value of the first header named name, or "".
func header(hs []harHeader, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// isPreflight reports whether the entry is a CORS preflight.
func (e harEntry) isPreflight() bool {
	return e.Request.Method == http.MethodOptions && header(e.Request.Headers, "Access-Control-Request-Method") != ""
}

// ErrNotRecorded is the answer a HAR's replay gives to a request the file
// does not hold.
var ErrNotRecorded = errors.New("not recorded in the HAR: re-run it against the server with --live")

// maxHAREntries bounds the work a hostile file can ask for.
const maxHAREntries = 20000

// ParseHAR reads a HAR file's JSON.
func ParseHAR(data []byte) (HAR, error) {
	var f struct {
		Log *struct {
			Entries []harEntry `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return HAR{}, fmt.Errorf("--har: the file is not HAR JSON (%v): save it from DevTools' Network panel with \"Save all as HAR\" (Chromium, Safari) or \"Save All As HAR\" (Firefox)", err)
	}
	if f.Log == nil {
		return HAR{}, errors.New("--har: the JSON has no \"log\" object: it is not a HAR file; save one from DevTools' Network panel")
	}
	if len(f.Log.Entries) > maxHAREntries {
		return HAR{}, fmt.Errorf("--har: %d entries, more than the %d corskit reads; save the HAR of the failing page load only", len(f.Log.Entries), maxHAREntries)
	}
	h := HAR{Entries: len(f.Log.Entries), entries: f.Log.Entries}
	paired := map[int]bool{}
	// The preflights by URL: pairing looks only at those of its URL, so a
	// large file costs no more than its size.
	preflights := map[string][]int{}
	for i, e := range h.entries {
		if e.isPreflight() {
			preflights[e.Request.URL] = append(preflights[e.Request.URL], i)
		}
	}
	for i, e := range h.entries {
		if e.isPreflight() {
			continue
		}
		origin := header(e.Request.Headers, "Origin")
		if origin == "" && (e.ResourceType == "fetch" || e.ResourceType == "xhr") {
			// A request the browser never sent (its preflight failed)
			// shows only the provisional headers, without Origin.
			origin = originOf(header(e.Request.Headers, "Referer"))
		}
		u, err := url.Parse(e.Request.URL)
		if origin == "" || origin == "null" || err != nil || u.Scheme+"://"+u.Host == origin {
			continue // not a cross-origin CORS request
		}
		c := Copied{URL: e.Request.URL, Method: e.Request.Method}
		for _, hd := range e.Request.Headers {
			if !strings.HasPrefix(hd.Name, ":") {
				c.Headers = append(c.Headers, browser.Header{Name: hd.Name, Value: hd.Value})
			}
		}
		if e.Request.PostData != nil {
			c.Body = e.Request.PostData.Text
		}
		if len(e.Request.Cookies) > 0 {
			c.Credentials = browser.Include
		}
		if header(e.Request.Headers, "Origin") == "" {
			c.Headers = append(c.Headers, browser.Header{Name: "Origin", Value: origin})
		}
		c, err = c.finish("--har")
		if err != nil {
			continue
		}
		r := HARRequest{Entry: i, Preflight: h.preflightFor(i, origin, preflights, paired), Options: c.Options()}
		r.PreflightCached = r.Preflight < 0 && e.Response.Status != 0 && browser.NeedsPreflight(browser.Request{Method: r.Options.Method, Headers: r.Options.Headers})
		if e.Response.Error != nil {
			r.Failed = *e.Response.Error
		}
		h.Requests = append(h.Requests, r)
	}
	return h, nil
}

// preflightFor finds the preflight of entry i: the nearest unpaired
// preflight for the same URL, origin and method. Chromium records it next
// to the request, before or after it.
func (h HAR) preflightFor(i int, origin string, preflights map[string][]int, paired map[int]bool) int {
	e := h.entries[i]
	best := -1
	for _, j := range preflights[e.Request.URL] {
		p := h.entries[j]
		if paired[j] ||
			header(p.Request.Headers, "Origin") != origin || !strings.EqualFold(header(p.Request.Headers, "Access-Control-Request-Method"), e.Request.Method) {
			continue
		}
		if best < 0 || abs(j-i) < abs(best-i) {
			best = j
		}
	}
	if best >= 0 {
		paired[best] = true
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Replay returns the recorded answers for request r, as a RoundTripper for
// [Judge]: its own entry, its preflight, and for a redirect the entry
// nearest to it with the URL and method asked. A request the file does not
// hold gets ErrNotRecorded; an entry without an answer (status 0) too.
func (h HAR) Replay(r HARRequest) browser.RoundTripper {
	return func(out browser.Outgoing) (browser.Incoming, error) {
		idx := -1
		switch {
		case out.Preflight && r.Preflight >= 0 && h.entries[r.Preflight].Request.URL == out.URL:
			idx = r.Preflight
		case !out.Preflight && h.entries[r.Entry].Request.URL == out.URL:
			idx = r.Entry
		default:
			for j, e := range h.entries {
				if e.Request.URL == out.URL && e.isPreflight() == out.Preflight && (out.Preflight || strings.EqualFold(e.Request.Method, out.Method)) &&
					(idx < 0 || abs(j-r.Entry) < abs(idx-r.Entry)) {
					idx = j
				}
			}
		}
		if idx < 0 && out.Preflight && r.PreflightCached {
			return passedPreflight(out, r.Options.Credentials == browser.Include), nil
		}
		if idx < 0 || h.entries[idx].Response.Status == 0 {
			return browser.Incoming{}, ErrNotRecorded
		}
		resp := h.entries[idx].Response
		hdr := http.Header{}
		for _, hd := range resp.Headers {
			if !strings.HasPrefix(hd.Name, ":") {
				hdr.Add(hd.Name, hd.Value)
			}
		}
		body := []byte(resp.Content.Text)
		if resp.Content.Encoding == "base64" {
			body, _ = base64.StdEncoding.DecodeString(resp.Content.Text)
		}
		if len(body) > bodyKept {
			body = body[:bodyKept]
		}
		return browser.Incoming{Status: resp.Status, Header: hdr, Body: body}, nil
	}
}

// passedPreflight is an answer that passes the preflight out: what a
// preflight served from the browser's cache stands for.
func passedPreflight(out browser.Outgoing, credentials bool) browser.Incoming {
	h := http.Header{}
	h.Set("Access-Control-Allow-Origin", out.Header.Get("Origin"))
	if credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", out.Header.Get("Access-Control-Request-Method"))
	if v := out.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	return browser.Incoming{Status: http.StatusNoContent, Header: h}
}

// HARResult is one cross-origin request of a HAR and its diagnosis.
type HARResult struct {
	Entry          int    `json:"entry"`
	PreflightEntry int    `json:"preflight_entry"`
	RecordedError  string `json:"recorded_error,omitempty"`
	// PreflightCached: the file holds no preflight for a request that
	// needs one, which the browser sent: the preflight came from its cache.
	PreflightCached bool   `json:"preflight_cached,omitempty"`
	Error           string `json:"error,omitempty"`
	Report          *JSON  `json:"report,omitempty"`
	// Options are the request judged.
	Options Options `json:"-"`
	// Full is the report, when judged.
	Full *Report `json:"-"`
}

// Blocked reports whether the request was judged and blocked.
func (r HARResult) Blocked() bool { return r.Full != nil && !r.Full.Allowed() }

// JudgeHAR judges every cross-origin request of h: from the recorded
// answers, or with live against the servers. base gives what the file
// cannot (Stack, Browser, Timeout, Insecure, AlsoOrigins, Rules; Credentials
// when not empty). Blocked requests come first, then those not judged.
func JudgeHAR(ctx context.Context, h HAR, base Options, live bool) []HARResult {
	var out []HARResult
	for _, r := range h.Requests {
		o := r.Options
		o.Stack, o.Browser, o.Timeout, o.Insecure, o.AlsoOrigins, o.Rules = base.Stack, base.Browser, base.Timeout, base.Insecure, base.AlsoOrigins, base.Rules
		if base.Credentials != "" {
			o.Credentials = base.Credentials
		}
		res := HARResult{Entry: r.Entry, PreflightEntry: r.Preflight, RecordedError: r.Failed, PreflightCached: r.PreflightCached, Options: o}
		var rep Report
		var err error
		if live {
			rep, err = Run(ctx, o)
		} else {
			r.Options = o // the credentials base gave
			rep, err = Judge(ctx, o, h.Replay(r))
		}
		if err != nil {
			res.Error = err.Error()
		} else {
			j := rep.ToJSON()
			res.Report, res.Full = &j, &rep
		}
		out = append(out, res)
	}
	rank := func(r HARResult) int {
		switch {
		case r.Full == nil:
			return 1
		case !r.Full.Allowed():
			return 0
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b HARResult) int { return rank(a) - rank(b) })
	return out
}
