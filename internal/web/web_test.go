package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/web"
)

// startServe runs corskit serve's handler on a loopback port.
func startServe(t *testing.T) (*web.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(ln.Addr())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s, "http://" + ln.Addr().String()
}

// counted is a target server that counts the requests it gets: the checks
// a hostile page must not make corskit send.
func counted(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	t.Cleanup(s.Close)
	return s.URL, &n
}

func post(t *testing.T, url string, header map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestOnlyItsOwnPageCanUseIt: without the token, from another Origin or
// site, under another Host name (DNS rebinding), or without JSON, no check
// runs and the target gets nothing; no answer carries a CORS header.
func TestOnlyItsOwnPageCanUseIt(t *testing.T) {
	t.Parallel()
	s, base := startServe(t)
	target, hits := counted(t)
	check := fmt.Sprintf(`{"request": {"url": %q, "origin": "http://localhost:3000", "method": "GET"}}`, target+"/data")
	host := strings.TrimPrefix(base, "http://")
	ok := map[string]string{"X-Corskit-Token": s.Token(), "Content-Type": "application/json"}
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for a, b := range ok {
			h[a] = b
		}
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"no token", with("X-Corskit-Token", ""), 403},
		{"a wrong token", with("X-Corskit-Token", s.Token()+"x"), 403},
		{"another origin", with("Origin", "http://evil.test"), 403},
		{"an origin without its scheme", with("Origin", host), 403},
		{"the https origin of its address", with("Origin", "https://"+host), 403},
		{"a cross-site fetch", with("Sec-Fetch-Site", "cross-site"), 403},
		{"a rebinding Host", with("Host", "evil.test:"+strings.Split(host, ":")[1]), 421},
		{"a form's content type", with("Content-Type", "text/plain"), 415},
	} {
		resp, body := post(t, base+"/api/check", tc.header, check)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %.200s; want %d", tc.name, resp.StatusCode, body, tc.status)
		}
		for k := range resp.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s: the answer has %s", tc.name, k)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("refused calls made corskit send %d requests", n)
	}
	resp, body := post(t, base+"/api/check", ok, check)
	if resp.StatusCode != 200 || hits.Load() == 0 {
		t.Errorf("the page's own call: %d %s, %d requests sent", resp.StatusCode, body, hits.Load())
	}
	if r, _ := http.Get(base + "/"); r.StatusCode != 403 {
		t.Errorf("the page without its token: %d, want 403", r.StatusCode)
	}
	if r, _ := http.Get(s.URL()); r.StatusCode != 200 || r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the page with its token: %d, headers %v", r.StatusCode, r.Header)
	}
	big := bytes.Repeat([]byte("x"), 65<<20)
	if resp, _ := post(t, base+"/api/har", ok, `{"har": "`+string(big)+`"}`); resp.StatusCode != 413 {
		t.Errorf("a 65 MiB body: %d, want 413", resp.StatusCode)
	}
}

// TestAPageOnAnotherOriginCannotDriveIt: a page on another origin, in real
// Chromium, that knows the token still cannot run a check: its fetch needs
// a preflight, which gets no CORS answer, and a no-cors form-like POST is
// refused. The target never hears of it.
func TestAPageOnAnotherOriginCannotDriveIt(t *testing.T) {
	s, base := startServe(t)
	target, hits := counted(t)
	b := browsertest.Start(t)
	body := fmt.Sprintf(`{"request": {"url": %q, "origin": "http://localhost:3000"}}`, target+"/data")
	res := b.Fetch(t, browsertest.Request{URL: base + "/api/check", Method: "POST", Body: body,
		Headers: map[string]string{"Content-Type": "application/json", "X-Corskit-Token": s.Token()}})
	if res.OK {
		t.Errorf("a page on %s read corskit serve's answer: %+v", b.Origin(), res)
	}
	// A simple request (no preflight) is sent, but refused: no token header.
	b.Fetch(t, browsertest.Request{URL: base + "/api/check", Method: "POST", Body: body, Headers: map[string]string{"Content-Type": "text/plain"}})
	if n := hits.Load(); n != 0 {
		t.Fatalf("a page on another origin made corskit send %d requests", n)
	}
}

// checkJSON asks the API for a check, as the page does.
func checkJSON(t *testing.T, s *web.Server, base, in string) web.CheckOut {
	t.Helper()
	resp, body := post(t, base+"/api/check", map[string]string{"X-Corskit-Token": s.Token(), "Content-Type": "application/json"}, in)
	if resp.StatusCode != 200 {
		t.Fatalf("check: %d %s", resp.StatusCode, body)
	}
	var out web.CheckOut
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCommandIsTheLibrarys: /api/command answers check.Options.Command of
// the form, with URL and ORIGIN for what is not filled in yet.
func TestCommandIsTheLibrarys(t *testing.T) {
	s, base := startServe(t)
	for in, want := range map[string]string{
		`{"request": {"url": "http://127.0.0.1:9/x", "origin": "http://localhost:3000", "method": "PUT", "headers": {"X-B": "2", "X-A": "it's"}, "credentials": "include"}, "also_origins": ["http://b.test"], "stack": "nginx", "page_address_space": "public"}`: check.Options{
			URL: "http://127.0.0.1:9/x", Origin: "http://localhost:3000", Method: "PUT", Headers: []browser.Header{{Name: "X-A", Value: "it's"}, {Name: "X-B", Value: "2"}},
			Credentials: browser.Include, AlsoOrigins: []string{"http://b.test"}, Stack: "nginx", PageAddressSpace: "public", Timeout: s.Timeout}.Command(),
		`{"request": {}, "stack": "auto"}`: "corskit check URL --origin ORIGIN",
	} {
		resp, body := post(t, base+"/api/command", map[string]string{"X-Corskit-Token": s.Token(), "Content-Type": "application/json"}, in)
		var out web.CommandOut
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil || out.Command != want {
			t.Errorf("%s: %d %s; want %q", in, resp.StatusCode, body, want)
		}
	}
}

// TestErrorsNameFormFields: the library's errors reach the page in the
// words of the form's labels, neither the API's Options fields nor flags.
func TestErrorsNameFormFields(t *testing.T) {
	s, base := startServe(t)
	resp, body := post(t, base+"/api/check", map[string]string{"X-Corskit-Token": s.Token(), "Content-Type": "application/json"},
		`{"request": {"url": "http://127.0.0.1:9/x", "origin": "localhost:3000/app"}, "also_origins": ["http://b.test/path"]}`)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `Page's origin`) ||
		!strings.Contains(body, `The app's other origins`) || strings.Contains(body, "Options.") || strings.Contains(body, "--") {
		t.Errorf("%d %s; want the form's labels", resp.StatusCode, body)
	}
}
