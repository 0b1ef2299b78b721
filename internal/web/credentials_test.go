package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/internal/browsertest"
)

// TestThePageJudgesBothCredentialsOfACopy: a "Copy as fetch" says
// "omit" for any request without a cookie, so it does not tell the page's
// credentials mode. Read in the page and checked as read, against a
// server without CORS, the result is for no credentials and says what
// happens with credentials: 'include' (blocked) and the headers that mode
// needs; its button checks that mode, whose result is then for include
// and says nothing more. The API's JSON is corskit check's.
func TestThePageJudgesBothCredentialsOfACopy(t *testing.T) {
	t.Parallel()
	s, base := startServe(t)
	api, _ := counted(t)
	b := browsertest.Start(t)
	ctx := b.Context()
	b.Navigate(t, s.URL())
	const page = "http://localhost:3000"
	copied := fmt.Sprintf(`fetch("%s/data", {"headers": {"accept": "*/*"}, "referrer": "%s/", "method": "GET", "mode": "cors", "credentials": "omit"});`, api, page)
	do(t, ctx, chromedp.SetValue("#evidence", copied), chromedp.Click("#read"))
	poll(t, ctx, `document.getElementById("url").value !== ""`)
	do(t, ctx, chromedp.Click("#check"))
	poll(t, ctx, `!document.getElementById("result").hidden`)
	box := eval[string](t, ctx, `(() => { const b = document.getElementById("othercreds"); return b.hidden ? "" : b.textContent })()`)
	for _, want := range []string{"The result above is for a request without credentials", "If the page sends its request with credentials", "blocked (no CORS on the server)", "Access-Control-Allow-Credentials: true"} {
		if !strings.Contains(box, want) {
			t.Errorf("the page's credentials box lacks %q: %q", want, box)
		}
	}
	out := checkJSON(t, s, base, fmt.Sprintf(`{"request": {"url": %q, "origin": %q, "method": "GET", "headers": {"accept": "*/*"}, "credentials": "same-origin"}, "open": ["credentials"]}`, api+"/data", page))
	if a := out.Report.OtherCredentials; !out.Report.CredentialsUnknown || a == nil || a.Credentials != "include" || a.Fix == nil || !a.Fix.Policy.AllowCredentials {
		t.Errorf("the API's report: credentials unknown %v, other %+v", out.Report.CredentialsUnknown, a)
	}

	do(t, ctx, chromedp.Click("#othercreds .again"))
	poll(t, ctx, `document.getElementById("othercreds").hidden && document.getElementById("command").textContent.includes("--credentials include")`)
	if got := eval[string](t, ctx, `document.getElementById("credentials").value`); got != "include" {
		t.Errorf("after the button, the form's credentials are %q", got)
	}
	fix := eval[string](t, ctx, `document.getElementById("fixheaders").textContent`)
	if !strings.Contains(fix, "Access-Control-Allow-Credentials: true") {
		t.Errorf("the fix for credentials 'include' is %q", fix)
	}
}
