package check_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/servertest"
)

// corsAfterTheRoute is a real server on loopback whose CORS code answers
// the preflights (the origin echoed, any method) while the routes answer
// GET and PUT before it, without CORS headers: Express's app.use(cors())
// placed after the routes. /now-allowed answers its GET with CORS headers,
// /star with Access-Control-Allow-Origin: *.
// It counts every request it gets.
func corsAfterTheRoute(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		origin := r.Header.Get("Origin")
		switch {
		case r.Method == http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
			if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
				w.Header().Set("Access-Control-Allow-Headers", h)
			}
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/star":
			w.Header().Set("Access-Control-Allow-Origin", "*")
			fmt.Fprint(w, `{"ok": true}`)
		case r.URL.Path == "/now-allowed":
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			fmt.Fprint(w, `{"ok": true}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok": true}`)
		}
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// judgeHAR judges the HAR of the entries with mode, and returns the
// judgment and its results, in the order given.
func judgeHAR(t *testing.T, mode check.HARMode, entries ...string) (check.HARJudgement, []check.HARResult) {
	t.Helper()
	h, err := check.ParseHAR([]byte(harOf(entries...)))
	if err != nil {
		t.Fatal(err)
	}
	j := check.JudgeHAR(context.Background(), h, check.Options{Browser: "chromium", Timeout: 5 * time.Second}, mode)
	var out []check.HARResult
	for r := range j.Results {
		out = append(out, r)
	}
	return j, out
}

// jsonType is an answer's Content-Type header, as HAR JSON.
const jsonType = `{"name": "Content-Type", "value": "application/json"}`

func firstCause(r check.HARResult) string {
	if r.Report == nil || len(r.Report.Problems) == 0 {
		return "none"
	}
	return r.Report.Problems[0].Name
}

// TestHARFillNamesTheCauseTheFileCannot: a GET answered 200 without CORS
// headers is, from the file alone, AMBIGUOUS (no CORS on the server, or
// CORS after the route); the live fill's preflights find the CORS code
// allowing the origin and name "CORS after the route", say which answers
// came from the file and which from the fill, and count what it sent.
func TestHARFillNamesTheCauseTheFileCannot(t *testing.T) {
	t.Parallel()
	s, n := corsAfterTheRoute(t)
	get := fetchEntry(s.URL+"/data", "GET", "", "200", jsonType)
	_, offline := judgeHAR(t, check.HARMode{Offline: true}, get)
	if len(offline) != 1 || len(offline[0].Causes) < 2 || offline[0].Fill != nil || n.Load() != 0 {
		t.Fatalf("offline: %+v, %d requests sent; want AMBIGUOUS, no fill, nothing sent", offline, n.Load())
	}
	j, filled := judgeHAR(t, check.HARMode{}, get)
	r := filled[0]
	if got := firstCause(r); got != "CORS after the route" || len(r.Causes) > 0 || r.Gap != "" {
		t.Errorf("filled: %q (causes %q, gap %q), want CORS after the route, told", got, r.Causes, r.Gap)
	}
	f := r.Fill
	switch {
	case f == nil || f.Failed != "":
		t.Fatalf("fill: %+v", f)
	case f.Sent == 0 || int64(f.Sent) != n.Load() || j.FillSent != f.Sent || j.Filled != 1:
		t.Errorf("the fill says it sent %d (in all %d, %d fills); the server got %d", f.Sent, j.FillSent, j.Filled, n.Load())
	case len(f.FromFile) != 1 || !strings.HasPrefix(f.FromFile[0], "request GET") || !strings.Contains(strings.Join(f.FromFill, ";"), "the probe"):
		t.Errorf("sources: from the file %q, from the fill %q", f.FromFile, f.FromFill)
	case !strings.Contains(f.Named, "CORS after the route (the file alone: no CORS on the server | CORS after the route)"):
		t.Errorf("named: %q", f.Named)
	}
	if r.Report.Exchanges[0].Filled || r.Report.Exchanges[0].Response.Status != 200 {
		t.Errorf("the GET's exchange: %+v, want the file's 200, not filled", r.Report.Exchanges[0])
	}
}

// TestHARFillNeverOverridesARecordedAnswer: the file records a 500
// without CORS headers; the server now answers 200 with them. The fill
// keeps the file's 500 (blocked, errors without CORS headers, which its
// preflights tell from a server without CORS). A request whose answer the
// file does not hold, which the server allows now, keeps the file's
// verdict, and the fill says why.
func TestHARFillNeverOverridesARecordedAnswer(t *testing.T) {
	t.Parallel()
	s, _ := corsAfterTheRoute(t)
	failed := fetchEntry(s.URL+"/now-allowed", "GET", "", "500", `{"name": "Content-Type", "value": "text/plain"}`)
	notRecorded := `{"_resourceType": "fetch", "request": {"method": "GET", "url": "` + s.URL + `/now-allowed?x", "headers": [{"name": "Origin", "value": "http://localhost:3000"}]},
		"response": {"status": 0, "headers": [], "_error": "net::ERR_FAILED"}, "_initiator": {"type": "script"}}`
	j, rs := judgeHAR(t, check.HARMode{}, failed, notRecorded)
	if j.Blocked != 2 || len(rs) != 2 {
		t.Fatalf("%d blocked, %d results; want 2 blocked (the file's verdicts)", j.Blocked, len(rs))
	}
	r := rs[0]
	if r.Full == nil || r.Full.Allowed() || r.Report.Exchanges[0].Response.Status != 500 || r.Report.Exchanges[0].Filled {
		t.Errorf("the recorded 500: %+v, want it blocked on the file's 500", r.Report)
	}
	if got := firstCause(r); got != "errors without CORS headers" || r.Fill == nil || r.Fill.Failed != "" {
		t.Errorf("the recorded 500: %q, fill %+v; want errors without CORS headers, filled", got, r.Fill)
	}
	r = rs[1]
	if r.Full == nil || r.Full.Allowed() || firstCause(r) != "not recorded" || r.Fill == nil || !strings.Contains(r.Fill.Failed, "the request is allowed") || r.Fill.Sent == 0 {
		t.Errorf("the request not recorded, allowed now: %q, fill %+v; want the file's verdict (not recorded), the fill saying it is allowed now", firstCause(r), r.Fill)
	}
}

// TestHARFillServerDown: a server that does not answer leaves the file's
// judgment, and the fill says it failed and why, for a console line's
// search too; the next requests to it send nothing more.
func TestHARFillServerDown(t *testing.T) {
	t.Parallel()
	base := fmt.Sprintf("http://127.0.0.1:%d", servertest.FreePort(t)) // nothing listens
	get := fetchEntry(base+"/data", "GET", "", "200", jsonType)
	put := fetchEntry(base+"/other", "GET", "", "200", jsonType)
	webkit := `{"_resourceType": "fetch", "request": {"method": "GET", "url": "` + base + `/line", "headers": [{"name": "Origin", "value": "http://localhost:3000"}]},
		"response": {"status": 0, "headers": [], "_error": "Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200"}}`
	_, rs := judgeHAR(t, check.HARMode{}, webkit, get, put)
	if r := rs[0]; firstCause(r) != "not recorded" || r.Fill == nil || !strings.Contains(r.Fill.Failed, "did not answer") {
		t.Errorf("a WebKit line toward the server that does not answer: %q, fill %+v; want not recorded, the fill failed and why", firstCause(r), r.Fill)
	}
	rs = rs[1:]
	for i, r := range rs {
		if len(r.Causes) < 2 || r.Fill == nil || !strings.Contains(r.Fill.Failed, "did not answer") || !strings.Contains(r.Fill.Failed, "the file's judgment stands") {
			t.Errorf("request %d: causes %q, fill %+v; want the file's AMBIGUOUS, the fill failed and why", i, r.Causes, r.Fill)
		}
		if i == 1 && r.Fill != nil && r.Fill.Sent != 0 {
			t.Errorf("the second request to the server that did not answer: %d sent, want 0", r.Fill.Sent)
		}
	}
}

// TestHARFillBounded: a hostile HAR of 3,000 blocked requests, each with a
// gap, costs no more than the fill's bounds: DefaultHARFills requests
// filled, at most DefaultHARFillRequests sent, the others say why they
// were not filled; and a slow server meets the time bound.
func TestHARFillBounded(t *testing.T) {
	t.Parallel()
	s, n := corsAfterTheRoute(t)
	var entries []string
	for i := range 3000 {
		entries = append(entries, fetchEntry(fmt.Sprintf("%s/items/%d", s.URL, i), "GET", "", "200", jsonType))
	}
	j, rs := judgeHAR(t, check.HARMode{}, entries...)
	if j.Filled != check.DefaultHARFills || j.FillSent > check.DefaultHARFillRequests || n.Load() != int64(j.FillSent) {
		t.Errorf("%d filled, %d sent (the server got %d); want %d filled, at most %d sent", j.Filled, j.FillSent, n.Load(), check.DefaultHARFills, check.DefaultHARFillRequests)
	}
	capped := 0
	for _, r := range rs {
		if r.Fill != nil && strings.HasPrefix(r.Fill.Failed, "not filled live") {
			capped++
		}
	}
	if want := len(rs) - check.DefaultHARFills; capped != want {
		t.Errorf("%d results say they were not filled, want %d", capped, want)
	}
	j, _ = judgeHAR(t, check.HARMode{MaxFills: 1000, MaxFillRequests: 60}, entries[:50]...)
	if j.FillSent > 60 {
		t.Errorf("with a bound of 60 requests: %d sent", j.FillSent)
	}
	// A server that answers slowly: the time bound stops the fills.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
	}))
	t.Cleanup(slow.Close)
	start := time.Now()
	j, _ = judgeHAR(t, check.HARMode{MaxFillTime: 300 * time.Millisecond}, fetchEntry(slow.URL+"/a", "GET", "", "200", jsonType), fetchEntry(slow.URL+"/b", "GET", "", "200", jsonType))
	if took := time.Since(start); j.FillSent > 20 || took > 5*time.Second {
		t.Errorf("with a bound of 300 ms on a server answering in 20 ms: %d sent in %v", j.FillSent, took)
	}
}

// TestHARFillOnlyToLoopbackInTests: in a test, a fill toward a host that
// is not loopback sends nothing and says why.
func TestHARFillOnlyToLoopbackInTests(t *testing.T) {
	t.Parallel()
	_, rs := judgeHAR(t, check.HARMode{}, fetchEntry("https://api.example.test/data", "GET", "", "200", jsonType))
	if len(rs) != 1 || rs[0].Fill == nil || rs[0].Fill.Sent != 0 || !strings.Contains(rs[0].Fill.Failed, "not a loopback address") {
		t.Errorf("fill toward api.example.test: %+v", rs[0].Fill)
	}
}

// TestHARFillReproducesTheRecordedLine: WebKit's inspector records a
// blocked request with status 0, no answer, and its console line as the
// error. The fill reproduces the line with the bounded search
// --from-error uses and judges the request it finds: the cause the live
// check names, every answer the fill's.
func TestHARFillReproducesTheRecordedLine(t *testing.T) {
	t.Parallel()
	s, n := corsAfterTheRoute(t)
	entry := `{"_resourceType": "fetch", "request": {"method": "GET", "url": "` + s.URL + `/data", "headers": [{"name": "Origin", "value": "http://localhost:3000"}, {"name": "Accept", "value": "*/*"}]},
		"response": {"status": 0, "headers": [], "_error": "Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200"}}`
	_, offline := judgeHAR(t, check.HARMode{Offline: true}, entry)
	if firstCause(offline[0]) != "not recorded" || !strings.Contains(offline[0].Gap, "console line") || n.Load() != 0 {
		t.Fatalf("offline: %q, gap %q, %d sent", firstCause(offline[0]), offline[0].Gap, n.Load())
	}
	_, rs := judgeHAR(t, check.HARMode{}, entry)
	r := rs[0]
	if got := firstCause(r); got != "CORS after the route" || r.Fill == nil || r.Fill.Failed != "" {
		t.Fatalf("filled: %q, fill %+v; want CORS after the route", got, r.Fill)
	}
	if f := r.Fill; !strings.Contains(f.Sends, "reproduces the console line") || len(f.FromFile) != 0 || len(f.FromFill) == 0 || int64(f.Sent) != n.Load() || f.Sent == 0 {
		t.Errorf("fill %+v; the server got %d", f, n.Load())
	}
	if !r.Report.Exchanges[0].Filled {
		t.Errorf("the GET's exchange is not marked filled: %+v", r.Report.Exchanges[0])
	}
}

// TestHARFillCredentialsFromTheRecordedFailure: a GET the file holds no
// answer for (Firefox's BiDi HAR: status 0), without a cookie, so its
// credentials mode unknown: the server's * lets it through without
// credentials and blocks it with them, so only credentials: 'include'
// explains the failure the file records: the fill judges it so, and says
// why.
func TestHARFillCredentialsFromTheRecordedFailure(t *testing.T) {
	t.Parallel()
	s, _ := corsAfterTheRoute(t)
	entry := `{"_resourceType": "fetch", "request": {"method": "GET", "url": "` + s.URL + `/star", "headers": [{"name": "Origin", "value": "http://localhost:3000"}]},
		"response": {"status": 0, "headers": [], "_error": "NS_ERROR_DOM_BAD_URI"}}`
	_, rs := judgeHAR(t, check.HARMode{}, entry)
	r := rs[0]
	if got := firstCause(r); got != "wildcard with credentials" || !r.CredentialsInclude || !strings.Contains(r.CredentialsNote, "judged with include") || r.Fill == nil || r.Fill.Failed != "" {
		t.Errorf("%q, include %v (%q), fill %+v; want wildcard with credentials, include inferred", got, r.CredentialsInclude, r.CredentialsNote, r.Fill)
	}
}

// starletteDefaultMethods is a real server on loopback whose CORS code
// answers as Starlette's CORSMiddleware with allow_headers=["*"],
// allow_credentials=True and the default allow_methods (GET alone) for
// http://localhost:3000: a preflight for another method gets 400
// "Disallowed CORS method", with the CORS headers all the same (the
// requested headers echoed); a GET is allowed with credentials.
func starletteDefaultMethods(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin == "http://localhost:3000"
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok": true}`)
			return
		}
		w.Header().Set("Access-Control-Allow-Methods", "GET")
		w.Header().Set("Access-Control-Max-Age", "600")
		if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
			w.Header().Set("Access-Control-Allow-Headers", h)
		}
		var failures []string
		if !allowed {
			failures = append(failures, "origin")
		}
		if r.Header.Get("Access-Control-Request-Method") != "GET" {
			failures = append(failures, "method")
		}
		if len(failures) > 0 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "Disallowed CORS "+strings.Join(failures, ", "))
			return
		}
		fmt.Fprint(w, "OK")
	}))
	t.Cleanup(s.Close)
	return s
}

// TestHARFillFixNeverNarrowsEitherCredentialsMode: a credentialed JSON PUT
// whose preflight Starlette refused with 400 (its default allow_methods,
// GET alone), as Chromium's DevTools and Firefox's own export record it:
// the refused preflight's answer and the PUT never sent, no cookie, so
// the credentials mode unknown. The file tells the cause; the fill brings
// the fix, which must keep what the server allows today (any header,
// Authorization by name, credentials) in the report's fix and in its part
// for the other credentials mode alike: the part for include, which the
// page reads, once kept the fix written from the file's refused answer
// alone (Content-Type).
func TestHARFillFixNeverNarrowsEitherCredentialsMode(t *testing.T) {
	t.Parallel()
	s := starletteDefaultMethods(t)
	preflightReq := `{"method": "OPTIONS", "url": "` + s.URL + `/data", "headers": [{"name": "Origin", "value": "http://localhost:3000"}, {"name": "Access-Control-Request-Method", "value": "PUT"}, {"name": "Access-Control-Request-Headers", "value": "content-type"}]}`
	refused := `"headers": [{"name": "Access-Control-Allow-Origin", "value": "http://localhost:3000"}, {"name": "Access-Control-Allow-Credentials", "value": "true"},
		{"name": "Access-Control-Allow-Methods", "value": "GET"}, {"name": "Access-Control-Allow-Headers", "value": "content-type"}, {"name": "Access-Control-Max-Age", "value": "600"},
		{"name": "Content-Type", "value": "text/plain; charset=utf-8"}, {"name": "Content-Length", "value": "22"}]`
	put := `"request": {"method": "PUT", "url": "` + s.URL + `/data", "headers": [{"name": "Origin", "value": "http://localhost:3000"}, {"name": "Content-Type", "value": "application/json"}], "postData": {"mimeType": "application/json", "text": "{\"n\":1}"}}`
	// Chromium writes the PUT first, its headers without Origin (the
	// Referer names the page), and the preflight's answer without its
	// body; Firefox the preflight last, its body as empty text.
	chromiumPut := `"request": {"method": "PUT", "url": "` + s.URL + `/data", "headers": [{"name": "Content-Type", "value": "application/json"}, {"name": "Referer", "value": "http://localhost:3000/"}], "postData": {"mimeType": "application/json", "text": "{\"n\":1}"}}`
	for _, c := range []struct{ form, put, preflight string }{
		{"Chromium DevTools", `{"_resourceType": "fetch", ` + chromiumPut + `, "response": {"status": 0, "headers": [], "_error": "net::ERR_FAILED"}}`,
			`{"_resourceType": "preflight", "request": ` + preflightReq + `, "response": {"status": 400, ` + refused + `, "content": {"size": 0, "mimeType": "x-unknown"}}}`},
		{"Firefox DevTools", `{` + put + `, "response": {"status": 0, "headers": []}}`,
			`{"request": ` + preflightReq + `, "response": {"status": 400, ` + refused + `, "content": {"text": ""}}}`},
	} {
		t.Run(c.form, func(t *testing.T) {
			t.Parallel()
			_, rs := judgeHAR(t, check.HARMode{}, c.put, c.preflight)
			if len(rs) != 1 || rs[0].Full == nil || rs[0].Fill == nil || rs[0].Fill.Failed != "" {
				t.Fatalf("results %+v", rs)
			}
			r := rs[0].Full
			if r.Allowed() || r.Fix.Learned == nil || !r.Fix.Learned.AnyHeader {
				t.Fatalf("allowed %v, learned %+v; want blocked, the probe's any header", r.Allowed(), r.Fix.Learned)
			}
			fixes := map[string]check.Fix{string(r.Options.Credentials): r.Fix}
			if a := r.OtherCredentials; a != nil && !a.Allowed {
				fixes[string(a.Credentials)] = a.Fix
			}
			if _, ok := fixes["include"]; !ok {
				fixes["include"] = r.Fix // the part for include is the report's
			}
			for mode, f := range fixes {
				p := f.Policy
				if !slices.Contains(p.AllowHeaders, "*") || !slices.Contains(p.AllowHeaders, "Authorization") || !slices.Contains(p.AllowMethods, "PUT") || !p.AllowCredentials {
					t.Errorf("credentials %q: the fix allows headers %q, methods %q, credentials %v; want *, Authorization (the server allows any header today), PUT, credentials", mode, p.AllowHeaders, p.AllowMethods, p.AllowCredentials)
				}
			}
		})
	}
}

// starletteStarWithCredentials is a real server on loopback whose CORS
// code answers as Starlette's CORSMiddleware with allow_origins=["*"],
// allow_credentials=True and every method and header allowed: * and
// Access-Control-Allow-Credentials on a request without a cookie, the
// origin echoed on a preflight, with every method and the requested
// headers.
func starletteStarWithCredentials(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok": true}`)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
		w.Header().Set("Access-Control-Max-Age", "600")
		if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
			w.Header().Set("Access-Control-Allow-Headers", h)
		}
		fmt.Fprint(w, "OK")
	}))
	t.Cleanup(s.Close)
	return s
}

// TestHARFillFixOfTheCredentialedPart: Firefox records a GET it blocked
// for credentials: 'include' (the server's * with credentials) as a
// completed 200, without a cookie: the file judges it allowed, and its
// part for include blocked, with a fix the page reads. The live fill
// brings that part's fix what the server allows today (any header,
// Authorization, every method), as it does for a blocked request's: it
// once kept the fix written from the file's answer alone. The file's
// verdicts and cause stay.
func TestHARFillFixOfTheCredentialedPart(t *testing.T) {
	t.Parallel()
	s := starletteStarWithCredentials(t)
	get := `{"request": {"method": "GET", "url": "` + s.URL + `/data", "headers": [{"name": "Origin", "value": "http://localhost:3000"}, {"name": "Accept", "value": "*/*"}], "cookies": []},
		"response": {"status": 200, "headers": [{"name": "Access-Control-Allow-Origin", "value": "*"}, {"name": "Access-Control-Allow-Credentials", "value": "true"}, ` + jsonType + `], "content": {"text": "{\"ok\": true}"}}}`
	j, rs := judgeHAR(t, check.HARMode{}, get)
	if len(rs) != 1 || rs[0].Full == nil {
		t.Fatalf("results %+v", rs)
	}
	r := rs[0]
	a := r.Full.OtherCredentials
	if !r.Full.Allowed() || a == nil || a.Credentials != "include" || a.Allowed || len(a.Problems) == 0 || a.Problems[0].Name != "wildcard with credentials" {
		t.Fatalf("allowed %v, the part for include %+v; want the file's verdicts: allowed, and blocked with include for the wildcard with credentials", r.Full.Allowed(), a)
	}
	if f := r.Fill; f == nil || f.Failed != "" || f.Sent == 0 || j.Filled != 1 || !strings.Contains(f.Sends, "the part for credentials 'include'") {
		t.Fatalf("fill %+v (%d filled); want the part's fix filled", f, j.Filled)
	}
	p := a.Fix.Policy
	if a.Fix.Learned == nil || !slices.Contains(p.AllowHeaders, "*") || !slices.Contains(p.AllowHeaders, "Authorization") || !slices.Contains(p.AllowMethods, "PUT") || !slices.Contains(p.AllowMethods, "DELETE") || !p.AllowCredentials {
		t.Errorf("the part's fix: learned %v, headers %q, methods %q, credentials %v; want *, Authorization, PUT, DELETE, credentials (what the server allows today)", a.Fix.Learned != nil, p.AllowHeaders, p.AllowMethods, p.AllowCredentials)
	}
	if r.Report.OtherCredentials == nil || r.Report.OtherCredentials.Fix == nil || r.Report.OtherCredentials.Fix.Learned == nil {
		t.Errorf("the JSON report's part for include has no learned fix: %+v", r.Report.OtherCredentials)
	}
}
