package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
)

// devtoolsFetchIgnored are the request headers Chromium's DevTools leaves
// out of "Copy as fetch": those the browser sets itself (its list, in
// front_end/panels/network/NetworkLogView.ts, generateFetchCall).
var devtoolsFetchIgnored = map[string]bool{
	"method": true, "path": true, "scheme": true, "version": true,
	"accept-charset": true, "accept-encoding": true, "access-control-request-headers": true,
	"access-control-request-method": true, "connection": true, "content-length": true,
	"cookie": true, "cookie2": true, "date": true, "dnt": true, "expect": true, "host": true,
	"keep-alive": true, "origin": true, "referer": true, "te": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "via": true, "user-agent": true,
}

// harRequest is the request of a HAR entry, as a test reads it back.
type harRequest struct {
	Method  string `json:"method"`
	URL     string `json:"url"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Cookies  []json.RawMessage `json:"cookies"`
	PostData *struct {
		Text string `json:"text"`
	} `json:"postData"`
}

// fetchRequests are the requests of a HAR's fetch() entries (preflights
// left out), in the file's order.
func fetchRequests(t *testing.T, har []byte) []harRequest {
	var h struct {
		Log struct {
			Entries []struct {
				ResourceType string     `json:"_resourceType"`
				Request      harRequest `json:"request"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(har, &h); err != nil {
		t.Fatalf("the recorded HAR: %v", err)
	}
	var out []harRequest
	for _, e := range h.Log.Entries {
		if e.ResourceType == "fetch" {
			out = append(out, e.Request)
		}
	}
	return out
}

// orderedJSON is a JavaScript object's keys in insertion order, written
// as JSON.stringify writes it; a nil value is left out (undefined).
type orderedJSON []jsKV

// jsKV is one key of an orderedJSON.
type jsKV struct {
	key   string
	value any
}

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for _, kv := range o {
		if kv.value == nil {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(kv.key)
		v, err := jsMarshal(kv.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsNull stands for JavaScript's null, which JSON.stringify keeps.
type jsNull struct{}

func (jsNull) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// jsMarshal is json.Marshal without Go's HTML escaping, as JSON.stringify.
func jsMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// devtoolsFetchCopy writes a recorded request as Chromium's DevTools
// "Copy as fetch" (nodeJS false) or "Copy as fetch (Node.js)" writes it,
// following generateFetchCall: the headers the page's request carried,
// less the browser's own, through a Headers object (lowercase names, in
// order); the referrer from the Referer header; the referrer policy
// (Chromium's default, strict-origin-when-cross-origin, which the test's
// page does not change); the body or null; the method; mode "cors";
// credentials "include" when the request carried a cookie or an
// Authorization header, else "omit". The Node.js form drops mode and
// credentials and moves the cookie, the referrer and its policy into the
// headers. JSON.stringify(options, null, 2) lays it out.
func devtoolsFetchCopy(r harRequest, nodeJS bool) string {
	const policy = "strict-origin-when-cross-origin"
	headers := map[string]string{}
	var referrer, cookie string
	credentials := "omit"
	if len(r.Cookies) > 0 {
		credentials = "include"
	}
	for _, h := range r.Headers {
		name := strings.ToLower(h.Name)
		switch name {
		case "referer":
			referrer = h.Value
		case "cookie":
			cookie = h.Value
		}
		if name == "cookie" || name == "authorization" {
			credentials = "include"
		}
		if devtoolsFetchIgnored[name] || strings.Contains(name, ":") {
			continue
		}
		if v, ok := headers[name]; ok {
			headers[name] = v + ", " + h.Value
		} else {
			headers[name] = h.Value
		}
	}
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	sort.Strings(names)
	var hdrs orderedJSON
	for _, n := range names {
		hdrs = append(hdrs, jsKV{n, headers[n]})
	}
	var body any = jsNull{}
	if r.PostData != nil && r.PostData.Text != "" {
		body = r.PostData.Text
	}
	opt := func(k string, v any) jsKV { return jsKV{k, v} }
	var headersValue any
	if len(hdrs) > 0 {
		headersValue = hdrs
	}
	var options orderedJSON
	if nodeJS {
		extra := hdrs
		if cookie != "" {
			extra = append(extra, opt("cookie", cookie))
		}
		if referrer != "" {
			extra = append(extra, opt("Referer", referrer), opt("Referrer-Policy", policy))
		}
		if len(extra) > 0 {
			headersValue = extra
		}
		options = orderedJSON{opt("headers", headersValue), opt("body", body), opt("method", r.Method)}
	} else {
		var ref, pol any
		if referrer != "" {
			ref = referrer
		}
		pol = policy
		options = orderedJSON{opt("headers", headersValue), opt("referrer", ref), opt("referrerPolicy", pol),
			opt("body", body), opt("method", r.Method), opt("mode", "cors"), opt("credentials", credentials)}
	}
	compact, err := jsMarshal(options)
	if err != nil {
		panic(err)
	}
	var indented bytes.Buffer
	json.Indent(&indented, compact, "", "  ")
	u, _ := jsMarshal(r.URL)
	return fmt.Sprintf("fetch(%s, %s);", u, indented.String())
}

// TestDevToolsFetchCopyShape: the copy has the layout and the keys of
// Chromium's DevTools, for a credentialed JSON PUT without cookies.
func TestDevToolsFetchCopyShape(t *testing.T) {
	var r harRequest
	json.Unmarshal([]byte(`{"method": "PUT", "url": "http://127.0.0.1:9/data", "headers": [
		{"name": "Content-Type", "value": "application/json"}, {"name": "Accept", "value": "*/*"},
		{"name": "Origin", "value": "http://127.0.0.1:8"}, {"name": "Referer", "value": "http://127.0.0.1:8/"},
		{"name": "User-Agent", "value": "x"}], "cookies": [], "postData": {"text": "{\"n\":1}"}}`), &r)
	want := `fetch("http://127.0.0.1:9/data", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/json"
  },
  "referrer": "http://127.0.0.1:8/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"n\":1}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "omit"
});`
	if got := devtoolsFetchCopy(r, false); got != want {
		t.Errorf("Copy as fetch:\n%s\nwant\n%s", got, want)
	}
	wantNode := `fetch("http://127.0.0.1:9/data", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/json",
    "Referer": "http://127.0.0.1:8/",
    "Referrer-Policy": "strict-origin-when-cross-origin"
  },
  "body": "{\"n\":1}",
  "method": "PUT"
});`
	if got := devtoolsFetchCopy(r, true); got != wantNode {
		t.Errorf("Copy as fetch (Node.js):\n%s\nwant\n%s", got, wantNode)
	}
}

// fetchCopies is issue 21's "Copy as fetch" proof, in the default run:
// each request Chromium recorded (the credentialed GET and JSON PUT) is
// written as DevTools' "Copy as fetch" and "Copy as fetch (Node.js)" write
// it, from the headers Chromium sent, and given to corskit check --fetch
// alone (with the app's other origins, as the console's fix had). A
// request Chromium blocked must be blocked, for the cause corskit names
// when told the whole request; the fix must be the console's, which the
// suite proves in the three engines, or say what it narrows.
func fetchCopies(t *testing.T, table *pasteTable, bs brokenServer, chromium *browsertest.Browser, har []byte, reqs []browsertest.Request, labels []string, res []browsertest.Result, also []string, fix *check.JSONFix) {
	recorded := fetchRequests(t, har)
	var wg sync.WaitGroup
	for i, req := range reqs {
		k := slices.IndexFunc(recorded, func(r harRequest) bool { return r.Method == req.Method && r.URL == req.URL })
		if k < 0 {
			t.Errorf("%s: no fetch entry in Chromium's HAR", labels[i])
			continue
		}
		want := truth(t, bs, chromium.Origin(), req)
		// The PUT's fix is the console's, which the suite applies and
		// proves; the GET's is compared with the whole request's (one
		// live check, shared with the HAR rows), and its Node.js form is
		// left to CORSKIT_PASTE_TABLE, to keep the default run's time.
		proved, forms := fix, []bool{false, true}
		if req.Method != "PUT" {
			proved, forms = table.wholeFor(bs, req), []bool{false}
			if fullTable() {
				forms = []bool{false, true}
			}
		}
		for _, nodeJS := range forms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				form := "Chromium Copy as fetch"
				if nodeJS {
					form += " (Node.js)"
				}
				text := devtoolsFetchCopy(recorded[k], nodeJS)
				args := []string{"--json", "--stack", bs.stack, "--fetch", "-"}
				for _, a := range also {
					args = append(args, "--also-origin", a)
				}
				var out, errOut bytes.Buffer
				runCheckWithStdin(args, strings.NewReader(text), &out, &errOut)
				var j *check.JSON
				if json.Unmarshal(out.Bytes(), &j) != nil {
					t.Logf("corskit check %q:\n%s%s", args, out.String(), errOut.String())
				}
				row := pasteRow{server: bs.name, request: labels[i], form: form, reproduced: "-", sent: "-"}
				if j == nil {
					t.Errorf("%s, %s: no report\n%s", labels[i], form, text)
					return
				}
				// The copy does not tell the credentials mode (DevTools
				// writes "omit" for any request without a cookie): the
				// report is for one mode and ends with the other's verdict,
				// cause and fix where they differ. The user reads the part
				// for the page's own mode, as the text says: so does the
				// test.
				allowed, problems, chosen, part := j.Allowed, j.Problems, j.Fix, ""
				if a := j.OtherCredentials; j.CredentialsUnknown && a != nil && j.Request.Credentials != req.Credentials && a.Credentials == req.Credentials {
					allowed, problems, chosen = a.Allowed, a.Problems, a.Fix
					part = " (the report's part for credentials '" + a.Credentials + "', the page's: the copy cannot tell it)"
				}
				switch {
				case req.Credentials == "include" && !j.CredentialsUnknown && j.Request.Credentials != "include":
					t.Errorf("%s, %s: the report is for credentials %q and does not say the copy cannot tell them\n%s", labels[i], form, j.Request.Credentials, text)
					row.cause = "wrong: credentials " + j.Request.Credentials + ", not said unknown"
				case allowed && res[i].OK:
					row.cause = "right (allowed)" + part
				case allowed || res[i].OK:
					t.Errorf("%s, %s: Chromium's fetch allowed %v, corskit's verdict allowed %v%s\n%s", labels[i], form, res[i].OK, allowed, part, text)
					row.cause = fmt.Sprintf("wrong verdict: allowed %v%s", allowed, part)
				case firstProblem(problems) != want:
					t.Errorf("%s, %s: the cause %q%s, want %q (the whole request's)\n%s", labels[i], form, firstProblem(problems), part, want, text)
					row.cause = "wrong: " + firstProblem(problems) + ", want " + want + part
				default:
					row.cause = "right" + part
				}
				if j.Fix != nil && j.Fix.Learned != nil {
					row.sent = fmt.Sprint(j.Fix.Learned.Requests)
				}
				row.fix, row.narrowed = fixAgainst(chosen, proved)
				if proved != fix && row.fix == provedPolicy {
					row.fix = wholePolicy
				}
				if part != "" && chosen != nil {
					row.fix += part
				}
				if strings.HasPrefix(row.narrowed, "yes") {
					t.Errorf("%s, %s: the fix%s narrows the console's proved policy: %s\n%s", labels[i], form, part, row.narrowed, text)
				}
				table.add(row)
			}()
		}
	}
	wg.Wait()
}

// wholeFix is the fix corskit gives when told the whole request, with the
// app's other origins, or nil.
func wholeFix(bs brokenServer, origin string, req browsertest.Request, also []string) *check.JSONFix {
	o := check.Options{URL: req.URL, Origin: origin, AlsoOrigins: also, Method: req.Method, Credentials: browser.Credentials(req.Credentials), Body: req.Body, NoBody: req.Body == "", Stack: bs.stack}
	for n, v := range req.Headers {
		o.Headers = append(o.Headers, browser.Header{Name: n, Value: v})
	}
	r, err := check.Run(context.Background(), o)
	if err != nil || r.Allowed() {
		return nil
	}
	return r.ToJSON().Fix
}

// The table's "fix works?" when a form's fix is the one it is compared
// with: the console's, which the suite applies and proves (the PUT's), or
// the whole request's (another request's).
const (
	provedPolicy = "yes: the console's policy, applied and proved"
	wholePolicy  = "the whole request's policy (not applied: the suite applies the PUT's)"
)

// fixAgainst compares a form's fix with the console's, which the suite
// applies and proves: "same" or what differs, and what the form's policy
// leaves out of the console's ("no" when nothing).
func fixAgainst(got, proved *check.JSONFix) (fix, narrowed string) {
	switch {
	case got == nil && proved == nil:
		return "-", "-"
	case got == nil:
		return "no fix", "-"
	case proved == nil:
		return "not compared: nothing to compare with (corskit, told the whole request, allows it)", "-"
	case samePolicy(got, proved):
		return provedPolicy, "no"
	}
	var less []string
	g, p := got.Policy, proved.Policy
	for _, x := range []struct {
		what      string
		got, want []string
	}{{"origins", g.AllowOrigins, p.AllowOrigins}, {"methods", g.AllowMethods, p.AllowMethods}, {"headers", g.AllowHeaders, p.AllowHeaders}} {
		for _, v := range x.want {
			if !slices.Contains(x.got, v) {
				less = append(less, x.what+" "+v)
			}
		}
	}
	if p.AllowCredentials && !g.AllowCredentials {
		less = append(less, "credentials")
	}
	if len(less) == 0 {
		return "a superset of the proved policy", "no"
	}
	return "differs", "yes: " + strings.Join(less, ", ")
}
