package browser

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

var safelistTests = []struct {
	name, value string
	want        bool
}{
	{"accept", "application/json", true},
	{"accept", "text/html(x)", false},
	{"accept", strings.Repeat("a", 128), true},
	{"accept", strings.Repeat("a", 129), false},
	{"accept-language", "en-US,de;q=0.5", true},
	{"accept-language", "en_US", false},
	{"content-language", "de-DE", true},
	{"content-type", "text/plain", true},
	{"content-type", "text/plain; charset=utf-8", true},
	{"content-type", "Multipart/Form-Data; boundary=x", true},
	{"content-type", "application/x-www-form-urlencoded", true},
	{"content-type", "application/json", false},
	{"content-type", "text/plain\"", false},
	{"content-type", "text", false},
	{"range", "bytes=0-99", true},
	{"range", "bytes=5-", true},
	{"range", "bytes=-500", false},
	{"range", "bytes=9-1", false},
	{"range", "bytes=0-1,3-4", false},
	{"range", "bytes = 0-1", false},
	{"x-custom", "1", false},
	{"authorization", "Bearer x", false},
}

func TestIsSafelistedHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range safelistTests {
		if got := IsSafelistedHeader(tc.name, tc.value); got != tc.want {
			t.Errorf("IsSafelistedHeader(%q, %q): got %v; want %v", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestUnsafeHeaderNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		in   []Header
		want []string
	}{
		{"sorted, lower-case, unique", []Header{{"X-B", "1"}, {"x-a", "1"}, {"X-A", "2"}, {"Accept", "*/*"}}, []string{"x-a", "x-b"}},
		{"safelisted values over 1024 bytes make all unsafe", []Header{
			{"Accept", strings.Repeat("a", 128)}, {"Accept-Language", strings.Repeat("b", 128)}, {"Content-Language", strings.Repeat("c", 128)},
			{"Content-Type", "text/plain;" + strings.Repeat("d", 100)}, {"Accept", strings.Repeat("e", 128)}, {"Accept", strings.Repeat("f", 128)},
			{"Accept", strings.Repeat("g", 128)}, {"Accept", strings.Repeat("h", 128)}, {"Accept", strings.Repeat("i", 128)}},
			[]string{"accept", "accept-language", "content-language", "content-type"}},
		{"none", []Header{{"Content-Type", "text/plain"}}, nil},
	} {
		if got := UnsafeHeaderNames(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q; want %q", tc.desc, got, tc.want)
		}
	}
}

func TestNeedsPreflight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method  string
		headers []Header
		want    bool
	}{
		{"GET", nil, false}, {"get", nil, false}, {"HEAD", nil, false}, {"POST", nil, false},
		{"PUT", nil, true}, {"OPTIONS", nil, true}, {"patch", nil, true}, {"PATCH", nil, true},
		{"POST", []Header{{"Content-Type", "application/json"}}, true},
		{"GET", []Header{{"Cookie", "a=b"}}, false}, // forbidden: fetch() drops it
		{"GET", []Header{{"Accept", strings.Repeat("a", 130)}}, true},
	} {
		if got := NeedsPreflight(Request{Method: tc.method, Headers: tc.headers}); got != tc.want {
			t.Errorf("NeedsPreflight(%s %v): got %v; want %v", tc.method, tc.headers, got, tc.want)
		}
	}
}

// server scripts answers by URL; "OPTIONS url" keys the preflight's answer.
type server map[string]answer

// answer is a scripted answer: a status and headers.
type answer struct {
	Status int
	Header http.Header
}

func (s server) rt(log *[]Outgoing) RoundTripper {
	return func(o Outgoing) (Incoming, error) {
		*log = append(*log, o)
		key := o.URL
		if o.Preflight {
			key = "OPTIONS " + key
		}
		in, ok := s[key]
		if !ok {
			return Incoming{}, fmt.Errorf("connection refused: %s", key)
		}
		return Incoming{Status: in.Status, Header: in.Header}, nil
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

const (
	page = "http://localhost:3000"
	api  = "http://api.test/data"
)

var fetchTests = []struct {
	desc     string
	req      Request
	srv      server
	reason   Reason
	contains string   // in the message
	origins  []string // Origin header of each request sent, in order
}{
	{desc: "simple GET allowed", req: Request{Method: "GET"},
		srv: server{api: {200, hdr("Access-Control-Allow-Origin", page)}}, origins: []string{page}},
	{desc: "wildcard without credentials", req: Request{Credentials: Omit},
		srv: server{api: {200, hdr("Access-Control-Allow-Origin", "*")}}},
	{desc: "wildcard with credentials", req: Request{Credentials: Include},
		srv: server{api: {200, hdr("Access-Control-Allow-Origin", "*")}}, reason: WildcardWithCredentials},
	{desc: "credentials need true", req: Request{Credentials: Include},
		srv: server{api: {200, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "True")}}, reason: InvalidAllowCredentials, contains: "is 'True' which"},
	{desc: "duplicated credentials", req: Request{Credentials: Include},
		srv: server{api: {200, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Credentials", "true")}}, reason: InvalidAllowCredentials, contains: "'true, true'"},
	{desc: "missing", srv: server{api: {200, hdr()}}, reason: MissingAllowOrigin},
	{desc: "trailing slash", srv: server{api: {200, hdr("Access-Control-Allow-Origin", page+"/")}}, reason: AllowOriginMismatch},
	{desc: "two lines", srv: server{api: {200, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Origin", page)}}, reason: MultipleAllowOrigin, contains: "'" + page + ", " + page + "'"},
	{desc: "not a URL", srv: server{api: {200, hdr("Access-Control-Allow-Origin", "app.example.com")}}, reason: InvalidAllowOrigin},
	// "localhost:3000" parses as a URL of scheme "localhost", for Chromium too.
	{desc: "a URL but not the origin", srv: server{api: {200, hdr("Access-Control-Allow-Origin", "localhost:3000")}}, reason: AllowOriginMismatch},
	{desc: "white space around the value is trimmed", srv: server{api: {200, hdr("Access-Control-Allow-Origin", " "+page+" ")}}},
	{desc: "preflight redirect", req: Request{Method: "PUT"},
		srv: server{"OPTIONS " + api: {301, hdr("Location", "/x", "Access-Control-Allow-Origin", page)}}, reason: PreflightRedirect, contains: preflightPrefix},
	{desc: "preflight status after the CORS check", req: Request{Method: "PUT"},
		srv: server{"OPTIONS " + api: {404, hdr()}}, reason: MissingAllowOrigin, contains: preflightPrefix},
	{desc: "preflight status", req: Request{Method: "PUT"},
		srv: server{"OPTIONS " + api: {500, hdr("Access-Control-Allow-Origin", page)}}, reason: PreflightStatus},
	{desc: "method case-sensitive", req: Request{Method: "patch"},
		srv: server{"OPTIONS " + api: {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "PATCH")}}, reason: MethodNotAllowed, contains: "Method patch is not allowed"},
	{desc: "method wildcard not with credentials", req: Request{Method: "PUT", Credentials: Include},
		srv: server{"OPTIONS " + api: {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "*")}}, reason: MethodNotAllowed},
	{desc: "header list unparsable", req: Request{Headers: []Header{{"X-A", "1"}}},
		srv: server{"OPTIONS " + api: {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Headers", "x-a x-b")}}, reason: InvalidAllowHeaders},
	{desc: "preflight then actual", req: Request{Method: "PUT", Headers: []Header{{"X-A", "1"}}},
		srv: server{"OPTIONS " + api: {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "put, PUT", "Access-Control-Allow-Headers", "X-A")},
			api: {200, hdr("Access-Control-Allow-Origin", page)}}, origins: []string{page, page}},
	{desc: "same-origin redirect keeps the origin", req: Request{},
		srv:     server{api: {302, hdr("Location", "/next", "Access-Control-Allow-Origin", page)}, "http://api.test/next": {200, hdr("Access-Control-Allow-Origin", page)}},
		origins: []string{page, page}},
	{desc: "cross-origin redirect taints the origin", req: Request{},
		srv:    server{api: {302, hdr("Location", "http://other.test/x", "Access-Control-Allow-Origin", page)}, "http://other.test/x": {200, hdr("Access-Control-Allow-Origin", page)}},
		reason: AllowOriginMismatch, contains: "(redirected from '" + api + "')", origins: []string{page, "null"}},
	{desc: "tainted origin accepts null", req: Request{},
		srv:     server{api: {307, hdr("Location", "http://other.test/x", "Access-Control-Allow-Origin", page)}, "http://other.test/x": {200, hdr("Access-Control-Allow-Origin", "null")}},
		origins: []string{page, "null"}},
	{desc: "redirect must pass the CORS check", req: Request{},
		srv: server{api: {302, hdr("Location", "/next")}}, reason: MissingAllowOrigin},
	{desc: "redirect to credentials in URL", req: Request{},
		srv: server{api: {302, hdr("Location", "http://u:p@other.test/x", "Access-Control-Allow-Origin", page)}}, reason: RedirectWithCredentials},
	{desc: "too many redirects", req: Request{},
		srv: server{api: {302, hdr("Location", api, "Access-Control-Allow-Origin", page)}}, reason: TooManyRedirects},
	{desc: "network error", req: Request{}, srv: server{}, reason: NetworkError},
	{desc: "method list unparsable", req: Request{Method: "PUT"},
		srv: server{"OPTIONS " + api: {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "PUT PATCH")}}, reason: InvalidAllowMethods},
	{desc: "redirect to a scheme other than http(s)", req: Request{},
		srv: server{api: {302, hdr("Location", "ftp://other.test/x", "Access-Control-Allow-Origin", page)}}, reason: RedirectScheme},
	{desc: "redirect to an unparsable Location", req: Request{},
		srv: server{api: {302, hdr("Location", "http://[::1", "Access-Control-Allow-Origin", page)}}, reason: NetworkError},
}

// TestPreflightRedirectCORSFirst checks the engines' order on a redirected
// preflight without CORS headers: Firefox reports the CORS check, Chromium
// the redirect.
func TestPreflightRedirectCORSFirst(t *testing.T) {
	t.Parallel()
	srv := server{"OPTIONS " + api: {301, hdr("Location", "/x")}}
	for _, c := range []struct {
		e    *Engine
		want Reason
	}{{Firefox(), MissingAllowOrigin}, {Chromium(), PreflightRedirect}} {
		var sent []Outgoing
		v := c.e.Fetch(Request{Method: "PUT", Origin: page, URL: api}, srv.rt(&sent))
		if v.Reason != c.want {
			t.Errorf("%s: got reason %q (%s); want %q", c.e.Name, v.Reason, v.Message, c.want)
		}
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	for _, tc := range fetchTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			req := tc.req
			req.Origin, req.URL = page, api
			var sent []Outgoing
			v := Fetch(req, tc.srv.rt(&sent))
			if v.Reason != tc.reason || v.Allowed != (tc.reason == Allowed) {
				t.Fatalf("got allowed=%v reason %q (%s); want reason %q", v.Allowed, v.Reason, v.Message, tc.reason)
			}
			if !strings.Contains(v.Message, tc.contains) {
				t.Errorf("got message %q; want it to contain %q", v.Message, tc.contains)
			}
			if tc.reason != Allowed && tc.reason != NetworkError && tc.reason != TooManyRedirects && !strings.HasPrefix(v.Message, "Access to fetch at '") {
				t.Errorf("got message %q; want Chromium's prefix", v.Message)
			}
			if tc.origins != nil {
				var got []string
				for _, o := range sent {
					got = append(got, o.Header.Get("Origin"))
				}
				if !slices.Equal(got, tc.origins) {
					t.Errorf("Origin headers sent: got %q; want %q", got, tc.origins)
				}
			}
		})
	}
}

func TestPreflightRequest(t *testing.T) {
	t.Parallel()
	var sent []Outgoing
	Fetch(Request{Origin: page, URL: api, Method: "patch", Credentials: Include,
		Headers: []Header{{"X-B", "1"}, {"Content-Type", "application/json"}, {"Accept", "*/*"}}},
		server{}.rt(&sent))
	if len(sent) != 1 || !sent[0].Preflight || sent[0].Method != "OPTIONS" || sent[0].Credentials {
		t.Fatalf("got %+v; want one OPTIONS preflight without credentials", sent)
	}
	h := sent[0].Header
	if h.Get("Access-Control-Request-Method") != "patch" || h.Get("Access-Control-Request-Headers") != "content-type,x-b" || h.Get("Origin") != page {
		t.Errorf("got preflight headers %v", h)
	}
}

func TestRedirect303BecomesGET(t *testing.T) {
	t.Parallel()
	var sent []Outgoing
	v := Fetch(Request{Origin: page, URL: api, Method: "POST", Body: true, Headers: []Header{{"Content-Type", "text/plain"}}},
		server{api: {303, hdr("Location", "/next", "Access-Control-Allow-Origin", page)}, "http://api.test/next": {200, hdr("Access-Control-Allow-Origin", page)}}.rt(&sent))
	if !v.Allowed || len(sent) != 2 || sent[1].Method != "GET" || sent[1].Body || sent[1].Header.Get("Content-Type") != "" {
		t.Fatalf("got %v, %+v; want the second request to be a GET without body or Content-Type", v.Allowed, sent)
	}
}

func TestCrossOriginRedirectDropsAuthorization(t *testing.T) {
	t.Parallel()
	var sent []Outgoing
	v := Fetch(Request{Origin: page, URL: api, Headers: []Header{{"Authorization", "Bearer x"}}},
		server{
			"OPTIONS " + api:      {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Headers", "authorization")},
			api:                   {302, hdr("Location", "http://other.test/x", "Access-Control-Allow-Origin", page)},
			"http://other.test/x": {200, hdr("Access-Control-Allow-Origin", "*")},
		}.rt(&sent))
	if !v.Allowed || len(sent) != 3 || sent[2].Preflight || sent[2].Header.Get("Authorization") != "" {
		t.Fatalf("got %v %+v; want the redirected request without Authorization and without a second preflight", v.Allowed, sent)
	}
}

func TestReadable(t *testing.T) {
	t.Parallel()
	h := hdr("Content-Type", "x", "X-A", "1", "X-B", "2", "Set-Cookie", "a=b", "Date", "d", "Access-Control-Expose-Headers", "x-a")
	if got := readable(h, Omit, true); !slices.Equal(got, []string{"content-type", "x-a"}) {
		t.Errorf("listed: got %q", got)
	}
	h.Set("Access-Control-Expose-Headers", "*")
	if got := readable(h, Omit, true); !slices.Equal(got, []string{"access-control-expose-headers", "content-type", "date", "x-a", "x-b"}) {
		t.Errorf("* without credentials: got %q", got)
	}
	if got := readable(h, Include, true); !slices.Equal(got, []string{"content-type"}) {
		t.Errorf("* with credentials: got %q", got)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	codes := func(v Verdict) []string {
		var out []string
		for _, w := range v.Warnings {
			out = append(out, w.Code)
		}
		return out
	}
	var sent []Outgoing
	v := Fetch(Request{Origin: page, URL: api, Method: "PUT", Headers: []Header{{"Authorization", "x"}}, Read: []string{"X-Total", "X-Missing"}},
		server{
			"OPTIONS " + api: {204, hdr("Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "*")},
			api:              {200, hdr("Access-Control-Allow-Origin", page, "X-Total", "3")},
		}.rt(&sent))
	want := []string{WarnNoMaxAge, WarnWildcardAuth, WarnVaryMissing, WarnHeaderNotReadable, WarnHeaderNotReadable}
	if !v.Allowed || !slices.Equal(codes(v), want) {
		t.Fatalf("got allowed=%v warnings %q; want %q", v.Allowed, codes(v), want)
	}
	if !strings.Contains(v.Warnings[3].Message, "Access-Control-Expose-Headers: X-Total") || !strings.Contains(v.Warnings[4].Message, "does not have it") {
		t.Errorf("got %q", v.Warnings)
	}
}

// TestMaxAgeWarningNamesEachEngineCap: each engine caps the preflight cache
// at its own limit (Chromium 7200 s, Firefox 86400 s, WebKit 600 s); the
// warning names exactly the engines that cap the value sent.
func TestMaxAgeWarningNamesEachEngineCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		maxAge string
		want   []string // products named
	}{
		{"600", nil},
		{"601", []string{"Safari"}},
		{"7201", []string{"Chromium", "Safari"}},
		{"1728000", []string{"Chromium", "Firefox", "Safari"}},
	} {
		server := func(o Outgoing) (Incoming, error) {
			h := http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Max-Age": {tc.maxAge}}
			return Incoming{Status: 204, Header: h}, nil
		}
		v := Fetch(Request{Origin: "http://localhost:3000", URL: "http://api.test/x", Method: "PUT"}, server)
		var msg string
		for _, w := range v.Warnings {
			if w.Code == WarnMaxAgeCapped {
				msg = w.Message
			}
		}
		for _, name := range []string{"Chromium", "Firefox", "Safari"} {
			if strings.Contains(msg, name) != slices.Contains(tc.want, name) {
				t.Errorf("max-age %s: warning %q; want it to name %v", tc.maxAge, msg, tc.want)
			}
		}
	}
}

// TestRisksOnBlockedAnswers: an answer that blocks the request still shows
// its risks (an nginx echoing $http_origin with credentials and
// Access-Control-Max-Age: 1728000, answering the preflight 405).
func TestRisksOnBlockedAnswers(t *testing.T) {
	t.Parallel()
	server := func(o Outgoing) (Incoming, error) {
		h := http.Header{}
		h.Set("Access-Control-Allow-Origin", o.Header.Get("Origin"))
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Max-Age", "1728000")
		return Incoming{Status: 405, Header: h}, nil
	}
	for _, e := range Engines() {
		v := e.Fetch(Request{Origin: "http://localhost:3000", URL: "http://api.test/x", Method: "PUT", Credentials: Include}, server)
		codes := map[string]bool{}
		for _, w := range v.Warnings {
			codes[w.Code] = true
		}
		if v.Allowed || !codes[WarnMaxAgeCapped] || !codes[WarnVaryMissing] {
			t.Errorf("%s: allowed=%v warnings %+v; want blocked, with max_age_capped and vary_origin_missing", e.Name, v.Allowed, v.Warnings)
		}
	}
}
