package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// TestCredentialsUnknownGivesBothFixes: evidence that does not tell the
// page's credentials mode (a copy: DevTools' "Copy as fetch" writes "omit"
// for any request without a cookie) is judged in both modes, each HTTP
// request sent once, and the report holds the other mode's verdict, cause
// and fix where they differ, in text and JSON. A fix for no credentials
// alone would leave a credentialed page blocked: the fix for include must
// allow credentials, and the one for none must not.
func TestCredentialsUnknownGivesBothFixes(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/star":
			w.Header().Set("Access-Control-Allow-Origin", "*")
		case "/credentialed":
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		path string
		// report and other are the modes of the report and of its
		// alternative ("" for none); otherAllowed the alternative's verdict.
		report, other browser.Credentials
		otherAllowed  bool
		cause         string
	}{
		{path: "/none", report: browser.SameOrigin, other: browser.Include, cause: "no CORS on the server"},
		{path: "/star", report: browser.Include, other: browser.SameOrigin, otherAllowed: true, cause: "wildcard with credentials"},
		{path: "/credentialed", report: browser.SameOrigin},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			o := check.Options{URL: srv.URL + tc.path, Origin: "http://localhost:3000", Method: "GET", Stack: "express"}
			r, err := check.RunCredentialsUnknown(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			single, err := check.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if !r.CredentialsUnknown || r.Options.Credentials != tc.report {
				t.Fatalf("credentials unknown %v, report for %q; want true, %q", r.CredentialsUnknown, r.Options.Credentials, tc.report)
			}
			a := r.OtherCredentials
			if tc.other == "" {
				if a != nil {
					t.Fatalf("an alternative for %q though both modes get the same", a.Credentials)
				}
				if !single.Allowed() || !r.Allowed() {
					t.Fatal("the credentialed answer is not allowed in both modes")
				}
				return
			}
			if a == nil || a.Credentials != tc.other || a.Allowed != tc.otherAllowed {
				t.Fatalf("alternative %+v; want %q allowed %v", a, tc.other, tc.otherAllowed)
			}
			blocked := r
			var include *check.Fix
			if tc.report == browser.Include {
				include = &r.Fix
			} else {
				include = &a.Fix
				if a.Problems[0].Name != tc.cause {
					t.Errorf("the alternative's cause %q, want %q", a.Problems[0].Name, tc.cause)
				}
			}
			if len(blocked.Problems) == 0 || (tc.report == browser.Include && blocked.Problems[0].Name != tc.cause) {
				t.Errorf("the report's problems %+v, want first %q", blocked.Problems, tc.cause)
			}
			if !include.Policy.AllowCredentials {
				t.Errorf("the fix for credentials 'include' does not allow credentials: %+v", include.Response)
			}
			if tc.report == browser.SameOrigin && r.Fix.Policy.AllowCredentials {
				t.Errorf("the fix for no credentials allows credentials: %+v", r.Fix.Response)
			}

			var text bytes.Buffer
			if err := r.WriteText(&text, false); err != nil {
				t.Fatal(err)
			}
			want := "If the page sends its request with credentials"
			if tc.other == browser.SameOrigin {
				want = "If the page sends its request without credentials (no credentials: 'include', no withCredentials), it is allowed"
			} else if !strings.Contains(text.String(), "The fix if the page sends its request with credentials") ||
				!strings.Contains(text.String()[strings.Index(text.String(), "The fix if the page"):], "Access-Control-Allow-Credentials: true") {
				t.Errorf("the text has no fix with credentials:\n%s", text.String())
			}
			if !strings.Contains(text.String(), want) {
				t.Errorf("the text does not say %q:\n%s", want, text.String())
			}
			var j map[string]any
			b, _ := json.Marshal(r.ToJSON())
			if err := json.Unmarshal(b, &j); err != nil {
				t.Fatal(err)
			}
			oc, _ := j["other_credentials"].(map[string]any)
			if j["credentials_unknown"] != true || oc == nil || oc["credentials"] != string(tc.other) || oc["allowed"] != tc.otherAllowed {
				t.Errorf("JSON credentials_unknown %v, other_credentials %v", j["credentials_unknown"], oc)
			}
		})
	}
}

// TestCredentialsUnknownSendsEachRequestOnce: judging both modes sends no
// more than one check in one mode does: corskit sends no cookies, so each
// HTTP request serves both.
func TestCredentialsUnknownSendsEachRequestOnce(t *testing.T) {
	t.Parallel()
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	o := check.Options{URL: srv.URL + "/none", Origin: "http://localhost:3000", Method: "GET"}
	if _, err := check.Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	one := sent.Swap(0)
	if _, err := check.RunCredentialsUnknown(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := sent.Load(); got > one || one == 0 {
		t.Errorf("both modes sent %d requests, one mode %d", got, one)
	}
}

// TestHAREntryWithoutCookieGetsBothFixes: a HAR entry blocked either way
// (its answer allows another origin), without a cookie, does not tell the
// page's credentials mode: its report, for none, carries the part for
// credentials 'include', whose fix alone sends
// Access-Control-Allow-Credentials. Judged from the file alone.
func TestHAREntryWithoutCookieGetsBothFixes(t *testing.T) {
	t.Parallel()
	other := `{"name": "Access-Control-Allow-Origin", "value": "https://elsewhere.example"}`
	_, rs := judgeHAR(t, check.HARMode{Offline: true}, fetchEntry("http://127.0.0.1:5000/data", "GET", "", "200", other))
	if len(rs) != 1 || rs[0].Full == nil {
		t.Fatalf("results %+v", rs)
	}
	r := rs[0].Full
	a := r.OtherCredentials
	if r.Allowed() || !r.CredentialsUnknown || r.Options.Credentials == browser.Include || a == nil || a.Credentials != browser.Include || !a.Fix.Policy.AllowCredentials || r.Fix.Policy.AllowCredentials {
		t.Errorf("credentials unknown %v, report for %q (fix allows credentials %v), other %+v; want the part for include, with credentials in its fix", r.CredentialsUnknown, r.Options.Credentials, r.Fix.Policy.AllowCredentials, a)
	}
	if rs[0].Report.OtherCredentials == nil {
		t.Error("the JSON report has no other_credentials")
	}
}

// TestHARFillGivesBothFixes: a HAR entry whose answer has no CORS header
// at all, without a cookie, is filled live (the probe learns what the
// server allows); its report, for no credentials, carries the part for
// credentials 'include', whose fix alone sends
// Access-Control-Allow-Credentials, judged on the same answers; the fill
// says how many requests the server got.
func TestHARFillGivesBothFixes(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	j, rs := judgeHAR(t, check.HARMode{}, fetchEntry(srv.URL+"/data", "GET", "", "200", `{"name": "Content-Type", "value": "application/json"}`))
	if len(rs) != 1 || rs[0].Full == nil || rs[0].Fill == nil || rs[0].Fill.Failed != "" {
		t.Fatalf("results %+v", rs)
	}
	r := rs[0].Full
	a := r.OtherCredentials
	if !r.CredentialsUnknown || a == nil || a.Credentials != browser.Include || a.Allowed || !a.Fix.Policy.AllowCredentials || r.Fix.Policy.AllowCredentials || r.Fix.Learned == nil {
		t.Errorf("credentials unknown %v, fix allows credentials %v (learned %v), other %+v; want the part for include, with credentials in its fix", r.CredentialsUnknown, r.Fix.Policy.AllowCredentials, r.Fix.Learned != nil, a)
	}
	if int64(j.FillSent) != n.Load() {
		t.Errorf("the fill says it sent %d requests; the server got %d", j.FillSent, n.Load())
	}
}
