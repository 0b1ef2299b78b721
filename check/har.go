package check

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/corskit/browser"
)

// HAR is a HAR file saved from DevTools (Chromium, Firefox, Safari's Web
// Inspector): its cross-origin requests, each with its preflight, ready to
// judge from the recorded answers. [ReadHAR] reads it in bounded memory and
// keeps at most [MaxHARJudged] requests to judge.
type HAR struct {
	// Requests are the cross-origin requests kept to judge, in the order
	// of the file: all of them, or the MaxHARJudged that look blocked
	// first (see CrossOrigin).
	Requests []HARRequest
	// Entries is how many entries the file has.
	Entries int
	// CrossOrigin is how many cross-origin requests the file has; more
	// than len(Requests) when some were left unjudged.
	CrossOrigin int
	// Unread is how many entries were counted but not read: those past
	// MaxHARRead entries or the MaxHARKept bytes corskit keeps.
	Unread  int
	entries []harEntry
	byURL   map[string][]int // the kept entries, by URL
}

// The bounds of a HAR's reading: any file costs bounded memory and time.
const (
	// MaxHARJudged is how many cross-origin requests of a HAR are judged;
	// the others are counted and named in a note.
	MaxHARJudged = 500
	// MaxHARRead is how many entries are read; later ones are counted.
	MaxHARRead = 20000
	// MaxHARKept bounds the bytes kept of all the entries read.
	MaxHARKept = 48 << 20
	// maxHARURL, maxHARHeaders and maxHARHeaderBytes bound an entry: a
	// request over them is named, not judged.
	maxHARURL         = 8 << 10
	maxHARHeaders     = 100
	maxHARHeaderBytes = 32 << 10
	// maxHARBody is the most of a request's body kept: a larger one is
	// judged offline (the body's presence is what counts) but not sent
	// again with --live.
	maxHARBody = 64 << 10
)

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
	// NotJudged says why the request is not judged (an entry over
	// corskit's bounds), or is "".
	NotJudged string
	// bodyOver is the body's length when it is over maxHARBody, not kept.
	bodyOver int
	// entry and preflight are the indexes of Entry and Preflight in the
	// entries kept.
	entry, preflight int
}

// originOf is the origin of an absolute URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// harEntry is what corskit keeps of an entry.
type harEntry struct {
	index        int // in the file
	resourceType string
	chromium     bool // the entry has _initiator: DevTools writes _error when it failed
	method, url  string
	reqHeaders   []harHeader
	cookies      bool
	hasBody      bool
	body         string
	bodyOver     int // the body's length, when over maxHARBody
	status       int
	respHeaders  []harHeader
	failed       *string
	content      []byte // the start of the answer's body, at most bodyKept
	noContent    bool   // the file holds no text for the answer's body
	over         string // the bound the entry is over, if any
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

// bodyDeclared reports whether the answer's Content-Length says it had a
// body: an empty text beside it is a body the file did not keep (Firefox's
// own export writes a preflight's answer as "text": "" whatever it held),
// not an empty one. A HEAD's or a 304's Content-Length is the resource's.
func bodyDeclared(e *harEntry) bool {
	if e.method == http.MethodHead || e.status == http.StatusNotModified {
		return false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(header(e.respHeaders, "Content-Length")), 10, 64)
	return err == nil && n > 0
}

// isPreflight reports whether the entry is a CORS preflight.
func (e *harEntry) isPreflight() bool {
	return e.method == http.MethodOptions && header(e.reqHeaders, "Access-Control-Request-Method") != ""
}

// size is what the entry costs to keep, roughly.
func (e *harEntry) size() int {
	n := 256 + len(e.resourceType) + len(e.method) + len(e.url) + len(e.body) + len(e.content)
	for _, hs := range [][]harHeader{e.reqHeaders, e.respHeaders} {
		for _, h := range hs {
			n += 32 + len(h.Name) + len(h.Value)
		}
	}
	return n
}

// ErrNotRecorded is the answer a HAR's replay gives to a request the file
// does not hold.
var ErrNotRecorded = errors.New("not recorded in the HAR")

// ParseHAR reads a HAR file's JSON; see [ReadHAR].
func ParseHAR(data []byte) (HAR, error) { return ReadHAR(bytes.NewReader(data)) }

// ReadHAR reads a HAR file's JSON as a stream, an entry at a time, in
// bounded memory whatever it holds: every string is cut at 1 MiB before the
// decoder sees it (a body is needed no further), nesting and entries are
// bounded, and what the judgment does not use is dropped; at most
// MaxHARRead relevant entries and MaxHARKept bytes are kept, later entries
// counted; an entry over the bounds of one (a URL over 8 KiB, more than 100
// headers or 32 KiB of them) is named, not judged. The caller bounds the
// file's size.
func ReadHAR(r io.Reader) (HAR, error) {
	dec := json.NewDecoder(&jsonGuard{r: r})
	t := tokens{dec}
	h := HAR{byURL: map[string][]int{}}
	in := interner{}
	kept, sawLog := 0, false
	isObject, err := t.object(func(key string) error {
		if key != "log" {
			return t.skip()
		}
		ok, err := t.object(func(key string) error {
			if key != "entries" {
				return t.skip()
			}
			_, err := t.array(func() error {
				h.Entries++
				if len(h.entries) >= MaxHARRead || kept >= MaxHARKept {
					h.Unread++
					return t.skip()
				}
				e, err := readEntry(dec, in)
				e.index = h.Entries - 1
				if err != nil {
					return err
				}
				if !e.relevant() {
					return nil
				}
				kept += e.size()
				h.byURL[e.url] = append(h.byURL[e.url], len(h.entries))
				h.entries = append(h.entries, e)
				return nil
			})
			return err
		})
		sawLog = sawLog || ok
		return err
	})
	if err != nil || !isObject {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return HAR{}, fmt.Errorf("--har: the file is not HAR JSON (%v): save it from DevTools' Network panel with \"Save all as HAR\" (Chromium, Safari) or \"Save All As HAR\" (Firefox)", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return HAR{}, fmt.Errorf("--har: the file holds more after its JSON object: it is not one HAR file; save one from DevTools' Network panel")
	}
	if !sawLog {
		return HAR{}, errors.New("--har: the JSON has no \"log\" object: it is not a HAR file; save one from DevTools' Network panel")
	}
	h.judgeable()
	return h, nil
}

// relevant reports whether an entry may be judged or replayed: a
// preflight, a request with an Origin (a redirect's next hop too), or a
// fetch or XHR. Pages, scripts and images without Origin are counted only.
func (e *harEntry) relevant() bool {
	return e.url != "" && (e.isPreflight() || header(e.reqHeaders, "Origin") != "" || e.resourceType == "fetch" || e.resourceType == "xhr")
}

// harEntryJSON is what corskit reads of an entry: the decoder buffers one
// entry at a time, at most maxJSONItem bytes, its strings cut at
// maxJSONString.
type harEntryJSON struct {
	ResourceType string `json:"_resourceType"`
	// Initiator is Chromium's: DevTools writes it on every entry, and
	// _error on each entry the browser failed.
	Initiator json.RawMessage `json:"_initiator"`
	Request   struct {
		Method   string            `json:"method"`
		URL      string            `json:"url"`
		Headers  []harHeader       `json:"headers"`
		Cookies  []json.RawMessage `json:"cookies"`
		PostData *struct {
			Text string `json:"text"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status  int         `json:"status"`
		Headers []harHeader `json:"headers"`
		Error   *string     `json:"_error"`
		// FailureText is Playwright's recordHar for a failed request
		// (with status -1), where DevTools writes _error.
		FailureText *string `json:"_failureText"`
		Content     struct {
			Text     *string `json:"text"`
			Encoding string  `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

// readEntry reads one entry, keeping what the judgment uses within the
// bounds of an entry. A value of another type than HAR's reads as empty.
func readEntry(dec *json.Decoder, in interner) (harEntry, error) {
	var j harEntryJSON
	if err := dec.Decode(&j); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return harEntry{}, err
		}
	}
	e := harEntry{resourceType: in.str(j.ResourceType), method: in.str(j.Request.Method), url: j.Request.URL,
		cookies: len(j.Request.Cookies) > 0, status: j.Response.Status, failed: j.Response.Error, chromium: len(j.Initiator) > 0}
	if e.failed == nil || *e.failed == "" {
		e.failed = j.Response.FailureText
	}
	if e.status < 0 || e.status > 999 {
		e.status = 0
	}
	if e.failed != nil && *e.failed == "" {
		e.failed = nil
	}
	if p := j.Request.PostData; p != nil {
		e.hasBody, e.body = true, p.Text
		if len(e.body) > maxHARBody {
			e.bodyOver, e.body = len(e.body), ""
		}
	}
	e.reqHeaders = e.keepHeaders(j.Request.Headers, "request", in)
	e.respHeaders = e.keepHeaders(j.Response.Headers, "response", in)
	if j.Response.Status >= 300 {
		// The body of an error or a redirect, which may say why: "Not
		// allowed by CORS", a bucket's XML error.
		text := ""
		if j.Response.Content.Text != nil {
			text = *j.Response.Content.Text
		}
		e.noContent = j.Response.Content.Text == nil || text == "" && bodyDeclared(&e)
		text = text[:min(len(text), 2*bodyKept)]
		e.content = []byte(text)
		if j.Response.Content.Encoding == "base64" {
			e.content, _ = base64.StdEncoding.AppendDecode(nil, []byte(text[:len(text)/4*4]))
		}
		e.content = slices.Clone(e.content[:min(len(e.content), bodyKept)])
	}
	if len(e.url) > maxHARURL {
		e.over = fmt.Sprintf("its URL is %d bytes, over the %d KiB corskit reads of an entry", len(e.url), maxHARURL>>10)
		e.url = e.url[:64] + "..."
	}
	if e.over != "" {
		e.reqHeaders = keepOnly(e.reqHeaders, "Origin", "Referer")
		e.respHeaders, e.body, e.content = nil, "", nil
	}
	return e, nil
}

// keepHeaders returns the headers to keep, or notes the entry over its
// bounds.
func (e *harEntry) keepHeaders(hs []harHeader, which string, in interner) []harHeader {
	size := 0
	for _, h := range hs {
		size += len(h.Name) + len(h.Value)
	}
	switch {
	case len(hs) > maxHARHeaders:
		e.over = fmt.Sprintf("%d %s headers, more than the %d corskit reads of an entry", len(hs), which, maxHARHeaders)
		return keepOnly(hs, "Origin", "Referer")
	case size > maxHARHeaderBytes:
		e.over = fmt.Sprintf("%d KiB of %s headers, more than the %d KiB corskit reads of an entry", size>>10, which, maxHARHeaderBytes>>10)
		return keepOnly(hs, "Origin", "Referer")
	}
	out := make([]harHeader, len(hs))
	for i, h := range hs {
		out[i] = harHeader{in.str(h.Name), in.str(h.Value)}
	}
	return out
}

// keepOnly returns the headers of hs with the names given.
func keepOnly(hs []harHeader, names ...string) []harHeader {
	var out []harHeader
	for _, h := range hs {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, h.Name) }) && len(h.Value) <= maxHARURL {
			out = append(out, h)
		}
	}
	return out
}

// interner keeps one copy of the short strings a HAR repeats in every
// entry (methods, header names, the page's origin), up to a bound.
type interner map[string]string

func (in interner) str(s string) string {
	if len(s) > 64 {
		return s
	}
	if v, ok := in[s]; ok {
		return v
	}
	if len(in) < 4096 {
		in[s] = s
	}
	return s
}

// judgeable finds the cross-origin requests, keeps MaxHARJudged of them
// (those that look blocked first: a recorded error, no answer, no
// Access-Control-Allow-Origin) and pairs each with its preflight.
func (h *HAR) judgeable() {
	type candidate struct {
		entry   int
		origin  string
		suspect bool
	}
	var all []candidate
	for i := range h.entries {
		e := &h.entries[i]
		if e.isPreflight() {
			continue
		}
		origin := header(e.reqHeaders, "Origin")
		if origin == "" && (e.resourceType == "fetch" || e.resourceType == "xhr") {
			// A request the browser never sent (its preflight failed)
			// shows only the provisional headers, without Origin.
			origin = originOf(header(e.reqHeaders, "Referer"))
		}
		if origin == "" || origin == "null" || originOf(e.url) == origin {
			continue // not a cross-origin CORS request
		}
		suspect := e.failed != nil || e.status == 0 || e.over != "" || header(e.respHeaders, "Access-Control-Allow-Origin") == ""
		all = append(all, candidate{i, origin, suspect})
	}
	h.CrossOrigin = len(all)
	if len(all) > MaxHARJudged {
		// Those that look blocked first, each kind in the file's order.
		slices.SortStableFunc(all, func(a, b candidate) int {
			switch {
			case a.suspect == b.suspect:
				return 0
			case a.suspect:
				return -1
			}
			return 1
		})
		all = all[:MaxHARJudged]
		slices.SortFunc(all, func(a, b candidate) int { return a.entry - b.entry })
	}
	paired := map[int]bool{}
	for _, cand := range all {
		i, e := cand.entry, &h.entries[cand.entry]
		c := Copied{URL: e.url, Method: e.method, Body: e.body, NoBody: !e.hasBody}
		for _, hd := range e.reqHeaders {
			if !strings.HasPrefix(hd.Name, ":") {
				c.Headers = append(c.Headers, browser.Header{Name: hd.Name, Value: hd.Value})
			}
		}
		if e.cookies {
			c.Credentials = browser.Include
		}
		if header(e.reqHeaders, "Origin") == "" {
			c.Headers = append(c.Headers, browser.Header{Name: "Origin", Value: cand.origin})
		}
		if e.over == "" {
			var err error
			if c, err = c.finish("--har"); err != nil {
				h.CrossOrigin--
				continue
			}
		} else {
			c.Origin = cand.origin
		}
		r := HARRequest{Entry: e.index, Preflight: -1, Options: c.Options(), NotJudged: e.over, bodyOver: e.bodyOver, entry: i, preflight: -1}
		if e.failed != nil {
			r.Failed = *e.failed
		}
		if r.NotJudged == "" {
			if r.preflight = h.preflightFor(r.entry, r.Options.Origin, paired); r.preflight >= 0 {
				r.Preflight = h.entries[r.preflight].index
			}
			r.PreflightCached = r.preflight < 0 && e.status != 0 && browser.NeedsPreflight(browser.Request{Method: r.Options.Method, Headers: r.Options.Headers})
		}
		h.Requests = append(h.Requests, r)
	}
}

// preflightFor finds the preflight of entry i: the nearest unpaired
// preflight for the same URL, origin and method. Chromium records it next
// to the request, before or after it.
func (h HAR) preflightFor(i int, origin string, paired map[int]bool) int {
	e := &h.entries[i]
	best := -1
	for _, j := range h.byURL[e.url] {
		p := &h.entries[j]
		if paired[j] || !p.isPreflight() ||
			header(p.reqHeaders, "Origin") != origin || !strings.EqualFold(header(p.reqHeaders, "Access-Control-Request-Method"), e.method) {
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
		case r.NotJudged != "" || r.entry >= len(h.entries) || r.preflight >= len(h.entries):
		case out.Preflight && r.preflight >= 0 && h.entries[r.preflight].url == out.URL:
			idx = r.preflight
		case !out.Preflight && h.entries[r.entry].url == out.URL:
			idx = r.entry
		default:
			for _, j := range h.byURL[out.URL] {
				e := &h.entries[j]
				if e.isPreflight() == out.Preflight && (out.Preflight || strings.EqualFold(e.method, out.Method)) &&
					(idx < 0 || abs(j-r.entry) < abs(idx-r.entry)) {
					idx = j
				}
			}
		}
		if idx < 0 && out.Preflight && r.PreflightCached {
			return passedPreflight(out, r.Options.Credentials == browser.Include), nil
		}
		if idx < 0 || h.entries[idx].status == 0 {
			return browser.Incoming{}, ErrNotRecorded
		}
		e := &h.entries[idx]
		hdr := http.Header{}
		for _, hd := range e.respHeaders {
			if !strings.HasPrefix(hd.Name, ":") {
				hdr.Add(hd.Name, hd.Value)
			}
		}
		return browser.Incoming{Status: e.status, Header: hdr, Body: slices.Clone(e.content)}, nil
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
	// evidenced: the file's recorded failure says credentials 'include'
	// (only include explains it), so the other mode is not offered.
	evidenced      bool
	Entry          int    `json:"entry"`
	PreflightEntry int    `json:"preflight_entry"`
	RecordedError  string `json:"recorded_error,omitempty"`
	// PreflightCached: the file holds no preflight for a request that
	// needs one, which the browser sent: the preflight came from its cache.
	PreflightCached bool `json:"preflight_cached,omitempty"`
	// CredentialsInclude: the file holds no cookie, and without
	// credentials the recorded answers do not explain the recorded
	// failure; with credentials: 'include' they do, so that is judged.
	CredentialsInclude bool `json:"credentials_include_inferred,omitempty"`
	// CredentialsNote says, when the file holds no cookie and the two
	// credentials modes get different verdicts, which was judged and why.
	CredentialsNote string `json:"credentials_note,omitempty"`
	// Gap says what the file lacks to tell the cause, and what corskit
	// read instead; "" when it holds what the cause needs.
	Gap string `json:"gap,omitempty"`
	// Causes, when the file cannot tell them apart, are the causes that
	// fit what it holds, the report's first: the report says AMBIGUOUS.
	Causes []string `json:"causes,omitempty"`
	// Fill is what the live fill sent for the request and found, when it
	// had a gap the file could not close; nil when none was tried.
	Fill   *HARFill `json:"fill,omitempty"`
	Error  string   `json:"error,omitempty"`
	Report *JSON    `json:"report,omitempty"`
	// Options are the request judged.
	Options Options `json:"-"`
	// Full is the report, when judged.
	Full *Report `json:"-"`
}

// Blocked reports whether the request was judged and blocked.
func (r HARResult) Blocked() bool { return r.Full != nil && !r.Full.Allowed() }

// HARJudgement is the judgment of a HAR's requests: the counts at once,
// the results one at a time.
type HARJudgement struct {
	// Blocked, NotJudged and Allowed count the requests of each kind.
	Blocked, NotJudged, Allowed int
	// Results yields each request's result: the blocked first, then those
	// not judged, then the allowed, each in the order of the file. Judged
	// from the recorded answers, each report is made as it is asked for,
	// so that one is held at a time (and the filled ones); with live, they
	// are all held.
	Results iter.Seq[HARResult]
	// Offline is true when nothing was sent: HARMode.Offline.
	Offline bool
	// Filled is how many requests got a live fill, FillSent how many
	// requests the fills sent in all.
	Filled, FillSent int
}

// Note says how many of the file's requests were judged and which, when
// not all were; else "".
func (h HAR) Note() string {
	var notes []string
	if n := len(h.Requests); n < h.CrossOrigin {
		notes = append(notes, fmt.Sprintf("%d of %d cross-origin requests judged, at most %d: those that look blocked first (a recorded error, no answer, no Access-Control-Allow-Origin), then in the file's order", n, h.CrossOrigin, MaxHARJudged))
	}
	if h.Unread > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d entries not read, past the first %d or %d MiB kept", h.Unread, h.Entries, MaxHARRead, MaxHARKept>>20))
	}
	if len(notes) == 0 {
		return ""
	}
	return strings.Join(notes, "; ") + "; save the HAR of the failing page load only to judge them all"
}

// JudgeHAR judges the cross-origin requests kept of h (see
// [HAR.Requests]): from the recorded answers, with a bounded live fill of
// what the file cannot tell (see [HARMode]), or, with mode.Live, against
// the servers alone. base gives what the file cannot (Stack, Browser,
// Timeout, Insecure, AlsoOrigins, Rules; Credentials when not empty).
func JudgeHAR(ctx context.Context, h HAR, base Options, mode HARMode) HARJudgement {
	const (
		blocked = iota
		notJudged
		allowed
	)
	var j HARJudgement
	j.Offline = mode.Offline && !mode.Live
	ranks := make([][]int, 3)   // indexes of h.Requests, by rank
	held := map[int]HARResult{} // with live: every result; else the filled
	// parts: allowed, and blocked with credentials: 'include', which the
	// file does not rule out (partNeedsFill); filled after the blocked.
	var parts []int
	for i, r := range h.Requests {
		r.Options = r.Options.withBase(base)
		rank := notJudged
		switch {
		case r.NotJudged != "":
		case mode.Live:
			res := h.judge(ctx, r, true)
			held[i] = res
			if res.Full != nil {
				rank = blocked
				if res.Full.Allowed() {
					rank = allowed
				}
			}
		default:
			var note string
			r.Options.Credentials, note = h.harCredentials(r)
			if ok, err := allowedOffline(r.Options, h.Replay(r)); err == nil && ok {
				rank = allowed
				if note != "" {
					parts = append(parts, i)
				}
			} else if err == nil {
				rank = blocked
			}
		}
		ranks[rank] = append(ranks[rank], i)
	}
	j.Blocked, j.NotJudged, j.Allowed = len(ranks[blocked]), len(ranks[notJudged]), len(ranks[allowed])
	var b *fillBudget
	if !mode.Live && !mode.Offline {
		b = h.fillGaps(ctx, base, append(slices.Clone(ranks[blocked]), parts...), newFillBudget(ctx, mode), held)
		j.FillSent, j.Filled = b.sent, b.fills
	}
	j.Results = func(yield func(HARResult) bool) {
		for _, idx := range ranks {
			for _, i := range idx {
				res, ok := held[i]
				if !ok {
					r := h.Requests[i]
					r.Options = r.Options.withBase(base)
					res = h.judge(ctx, r, false)
					if b != nil && needsFill(res) {
						res.Fill = &HARFill{Failed: b.capNote()}
					}
				}
				if !yield(res) {
					return
				}
			}
		}
	}
	return j
}

// fillGaps judges the requests of h at the indexes given (the blocked,
// then the allowed whose part for credentials: 'include' is blocked), in
// order, from the file, and fills the gaps of the first ones live, within
// b's bounds: their results go to held.
func (h HAR) fillGaps(ctx context.Context, base Options, blocked []int, b *fillBudget, held map[int]HARResult) *fillBudget {
	for _, i := range blocked {
		if b.full() {
			break
		}
		r := h.Requests[i]
		r.Options = r.Options.withBase(base)
		if res := h.judge(ctx, r, false); needsFill(res) {
			held[i] = h.fill(ctx, r, res, b)
		}
	}
	return b
}

// withBase is o with what base gives of a HAR's judgment.
func (o Options) withBase(base Options) Options {
	o.Stack, o.Browser, o.Timeout, o.Insecure, o.AlsoOrigins, o.Rules = base.Stack, base.Browser, base.Timeout, base.Insecure, base.AlsoOrigins, base.Rules
	if base.Credentials != "" {
		o.Credentials = base.Credentials
	}
	return o
}

// judge judges one request of the HAR, r.Options complete.
func (h HAR) judge(ctx context.Context, r HARRequest, live bool) HARResult {
	res := HARResult{Entry: r.Entry, PreflightEntry: r.Preflight, RecordedError: r.Failed, PreflightCached: r.PreflightCached, Options: r.Options}
	var rep Report
	var err error
	switch {
	case r.NotJudged != "":
		err = fmt.Errorf("not judged: %s; check it alone with corskit check URL --origin ORIGIN", r.NotJudged)
	case live && r.bodyOver > 0:
		err = fmt.Errorf("not sent again: its body is %d bytes, over the %d KiB corskit keeps of an entry; check it alone with corskit check and -d", r.bodyOver, maxHARBody>>10)
	case live:
		rep, err = Run(ctx, r.Options)
	default:
		// unknown: the file holds no cookie and none was given; evidenced:
		// the file's recorded failure says include.
		unknown, evidenced := r.Options.Credentials == "", false
		var inc browser.Credentials
		inc, res.CredentialsNote = h.harCredentials(r)
		if inc == browser.Include && r.Options.Credentials == "" {
			r.Options.Credentials, res.CredentialsInclude, evidenced = inc, true, true
			res.Options = r.Options
		}
		rep, err = Judge(ctx, r.Options, h.Replay(r))
		if err == nil && r.Options.Credentials == "" && errors.Is(rep.Verdict.Err, ErrNotRecorded) {
			rep, res.CredentialsInclude = h.withCredentials(ctx, r, rep)
			res.Options, evidenced = rep.Options, res.CredentialsInclude
		} else if err == nil && r.Options.Credentials == "" {
			var note string
			if rep, note, res.CredentialsInclude = h.bothBlocked(ctx, r, rep); res.CredentialsInclude {
				res.CredentialsNote, res.Options = note, rep.Options
			}
		}
		if err == nil {
			rep, res.Gap, res.Causes = h.fileGaps(r, rep)
		}
		asRecorded(&rep)
		res.evidenced = evidenced
		if err == nil && unknown && !evidenced {
			// The file does not tell the page's credentials mode: the
			// other mode's verdict, cause and fix, where they differ (a
			// fix without Access-Control-Allow-Credentials leaves a
			// credentialed page blocked).
			rep = h.otherCredentials(ctx, r, rep)
		}
	}
	if err != nil {
		res.Error = err.Error()
	} else {
		j := rep.ToJSON()
		if !live {
			markNotRecorded(&j, rep, r.PreflightCached)
		}
		res.Report, res.Full = &j, &rep
	}
	return res
}

// otherCredentials marks rep, judged from a file that does not tell the
// page's credentials mode, with the other mode's verdict, cause and fix
// (Report.OtherCredentials), judged on the same recorded answers: Firefox
// records an answer it blocked for credentials as completed, and a
// request blocked either way needs Access-Control-Allow-Credentials only
// with credentials, so a page with credentials: 'include' reads its fix
// there.
func (h HAR) otherCredentials(ctx context.Context, r HARRequest, rep Report) Report {
	other := r
	other.Options.Credentials = browser.Include
	if rep.Options.Credentials == browser.Include {
		other.Options.Credentials = browser.SameOrigin
	}
	alt, err := Judge(ctx, other.Options, h.Replay(other))
	if err != nil || errors.Is(alt.Verdict.Err, ErrNotRecorded) {
		return rep
	}
	asRecorded(&alt)
	return withAlternative(rep, alt)
}

// withCredentials judges r with credentials: 'include' when, without them,
// the recorded answers lead to an answer the file does not hold (a request
// it records as failed): when include explains the failure from what the
// file holds, that report is kept and true returned.
func (h HAR) withCredentials(ctx context.Context, r HARRequest, without Report) (Report, bool) {
	o := r.Options
	o.Credentials = browser.Include
	with, err := Judge(ctx, o, h.Replay(r))
	if err != nil || with.Allowed() || errors.Is(with.Verdict.Err, ErrNotRecorded) {
		return without, false
	}
	return with, true
}
