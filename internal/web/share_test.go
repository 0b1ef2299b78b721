package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/web"
)

// checkShare (run by TestPageAccessibilityAndThemes, in its browser) shares
// a check as a link: the link holds the request but not the page's token,
// not the body, and not the values that look secret; opening it fills the
// form without running the check, and Check runs it again. Hostile
// fragments are refused with a message naming the bad value, run no
// script, add no element and leave the form as it was.
func checkShare(t *testing.T, b *browsertest.Browser, s *web.Server, api string) {
	t.Helper()
	ctx := b.Context()
	b.Navigate(t, s.URL())
	// A check that could not be opened is not shared.
	do(t, ctx, chromedp.SetValue("#url", "localhost:5000/data"), chromedp.SetValue("#origin", "http://localhost:3000"), chromedp.Click("#share"))
	if got := eval[string](t, ctx, `document.getElementById("error").textContent + "|" + document.getElementById("sharelink").hidden`); got != `This check's url "localhost:5000/data" is not an http(s) URL of at most 2048 characters. Correct it above first.|true` {
		t.Errorf("sharing a check with a URL without scheme: %q", got)
	}
	do(t, ctx, chromedp.SetValue("#url", api+"/data?access_token=SECRET1&page=2"), chromedp.SetValue("#also", "http://a.test, http://b.test"), chromedp.SetValue("#origin", "http://localhost:3000"),
		chromedp.SetValue("#method", "PUT"), chromedp.SetValue("#headers", "Content-Type: application/json\nAuthorization: Bearer SECRET2"),
		chromedp.SetValue("#body", `{"password": "SECRET3"}`), chromedp.SetValue("#credentials", "include"), chromedp.SetValue("#stack", "php"),
		chromedp.Click("#share"))
	link := eval[string](t, ctx, `document.getElementById("sharelink").value`)
	if strings.Contains(link, s.Token()) || strings.Contains(link, "SECRET") || strings.Contains(link, "token=") && !strings.Contains(link, "token%3Dredacted") ||
		!strings.HasPrefix(link, strings.Split(s.URL(), "?")[0]+"#corskit1=&") {
		t.Fatalf("the shared link: %s", link)
	}
	// Opened on a fresh page: the form holds the check, redacted, and
	// nothing ran.
	b.Navigate(t, "about:blank")
	b.Navigate(t, s.URL()+link[strings.Index(link, "#"):])
	poll(t, ctx, `document.getElementById("sharestate").textContent.startsWith("Opened a shared check: PUT ")`)
	got := eval[[]string](t, ctx, `["url", "origin", "method", "headers", "body", "credentials", "stack", "also"].map(id => document.getElementById(id).value).concat(String(document.getElementById("result").hidden))`)
	want := []string{api + "/data?access_token=redacted&page=2", "http://localhost:3000", "PUT", "Content-Type: application/json\nAuthorization: redacted", "", "include", "php", "http://a.test http://b.test", "true"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the shared check opened as\n%q\nwant\n%q", got, want)
	}
	do(t, ctx, chromedp.Click("#check"))
	poll(t, ctx, `!document.getElementById("result").hidden`)
	if v := eval[string](t, ctx, `document.getElementById("verdict").textContent`); !strings.HasPrefix(strings.Join(strings.Fields(v), " "), "BLOCKED PUT "+api+"/data") {
		t.Errorf("the shared check, run: %q", v)
	}
	hostile(t, ctx, want[0])
}

// hostile sets fragments no Share button makes and checks each refusal:
// the message names the bad part, no script ran (window.pwned), no element
// was added, and the form still holds formURL.
func hostile(t *testing.T, ctx context.Context, formURL string) {
	t.Helper()
	const ok = "corskit1&url=http://a.test/&origin=http://o.test"
	cases := []struct{ frag, want string }{
		{"corskit1&url=" + strings.Repeat("a", 200000), "is 200013 characters long; corskit reads at most 4096"},
		{"<img src=x onerror=window.pwned=1>", `does not start with corskit1, so it is not a check corskit shared (it starts "<img src=x onerror=window.pwned=1>")`},
		{"corskit1&url=javascript:window.pwned=1&origin=http://o.test", `url "javascript:window.pwned=1" is not an http(s) URL`},
		{"corskit1&url=http://a.test/&origin=%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D1%3E", `origin "<img src=x onerror=window.pwned=1>" is not an origin`},
		{ok + "&token=abc", `has the field "token", which corskit does not know`},
		{ok + "&url=http://b.test/", "gives url twice"},
		{ok + "&headers=X-A:%201%0D%0AX-B:%202", `headers "X-A: 1\r\nX-B: 2" holds control characters`},
		{ok + "&method=GET%20HTTP/1.1", `method "GET HTTP/1.1" is not an HTTP method`},
		{ok + "&stack=%3C/select%3E%3Cscript%3Ewindow.pwned=1%3C/script%3E", `stack "</select><script>window.pwned=1</script>" is not a server stack`},
		{"corskit1&origin=http://o.test", "gives no url"},
	}
	elements := eval[int](t, ctx, `document.getElementsByTagName("*").length`)
	for _, c := range cases {
		eval[any](t, ctx, `document.getElementById("error").textContent = ""; location.hash = `+jsString(c.frag)+`; 0`)
		poll(t, ctx, `document.getElementById("error").textContent !== ""`)
		got := eval[[]string](t, ctx, `[document.getElementById("error").textContent, String(window.pwned), String(document.getElementsByTagName("*").length), document.getElementById("url").value]`)
		if !strings.Contains(got[0], c.want) || !strings.Contains(got[0], "Ask for a new link") {
			t.Errorf("fragment %.60q: the message is %q; want it to hold %q", c.frag, got[0], c.want)
		}
		if got[1] != "undefined" || got[2] != fmt.Sprint(elements) || got[3] != formURL {
			t.Errorf("fragment %.60q: window.pwned %s, %s elements (was %d), the form's URL %q", c.frag, got[1], got[2], elements, got[3])
		}
	}
}

// jsString quotes s for a script.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
