package check_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/servertest"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		o    check.Options
		want string
	}{
		{"relative URL", check.Options{URL: "/data", Origin: "http://localhost:3000"}, `URL "/data" is not an absolute http or https URL`},
		{"no origin", check.Options{URL: "http://127.0.0.1/data"}, "Options.Origin is missing"},
		{"origin with path", check.Options{URL: "http://127.0.0.1/data", Origin: "http://localhost:3000/"}, `use "http://localhost:3000"`},
		{"origin pattern", check.Options{URL: "http://127.0.0.1/data", Origin: "https://*.example.com"}, "is not an origin"},
		{"credentials", check.Options{URL: "http://127.0.0.1/data", Origin: "http://localhost:3000", Credentials: "yes"}, `Options.Credentials "yes"`},
		{"stack", check.Options{URL: "http://127.0.0.1/data", Origin: "http://localhost:3000", Stack: "rails"}, `Options.Stack "rails" is not known: use auto or one of ` + strings.Join(check.Stacks(), ", ")},
		{"body on GET", check.Options{URL: "http://127.0.0.1/data", Origin: "http://localhost:3000", Body: "x"}, "Options.Body with Options.Method GET"},
	} {
		err := tc.o.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v; want an error containing %q", tc.desc, err, tc.want)
		}
	}
}

// serve starts a loopback server for the test.
func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

const pageOrigin = "http://localhost:3000"

func problems(r check.Report) string {
	var names []string
	for _, m := range r.Problems {
		names = append(names, m.Name)
	}
	return strings.Join(names, ",")
}

func TestDiagnoses(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /data", func(http.ResponseWriter, *http.Request) {})
	goMux := serve(t, mux.ServeHTTP)
	slash := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", pageOrigin+"/")
	})
	wildcard := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("X-Powered-By", "Express")
	})
	port := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "http://localhost:5173")
		w.Header().Set("Server", "nginx/1.22.1")
	})
	notFound := serve(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	twice := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Access-Control-Allow-Origin", pageOrigin)
		w.Header().Add("Access-Control-Allow-Origin", pageOrigin)
	})
	policyServer := func() string {
		m, _ := cors.New(cors.Config{AllowOrigins: []string{"https://app.example.com"}})
		return serve(t, m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP)
	}()
	noVary := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", pageOrigin)
	})
	// A port nothing listens on: reserved for this test process below the
	// kernel's ephemeral range, so no server of this run, listening on
	// port 0, can take it before the request (one did, on a loaded run).
	closed := fmt.Sprintf("http://127.0.0.1:%d", servertest.FreePort(t))

	for _, tc := range []struct {
		desc      string
		o         check.Options
		reason    browser.Reason
		problems  string
		stack     string
		inSnippet string
	}{
		{"405 from a Go 1.22 method pattern", check.Options{URL: goMux + "/data", Method: "PUT", Stack: "go"}, browser.MissingAllowOrigin, "preflight not handled", "go", "m.Handler(mux)"},
		{"trailing slash", check.Options{URL: slash + "/data"}, browser.AllowOriginMismatch, "origin typo", "", ""},
		{"wildcard with credentials, Express detected", check.Options{URL: wildcard + "/data", Credentials: browser.Include}, browser.WildcardWithCredentials, "wildcard with credentials,credentials not allowed", "express", "credentials: true"},
		{"wrong port, nginx detected", check.Options{URL: port + "/data"}, browser.AllowOriginMismatch, "origin typo", "nginx", "always"},
		{"wrong server", check.Options{URL: notFound + "/data"}, browser.MissingAllowOrigin, "wrong server or error page", "", ""},
		{"header twice", check.Options{URL: twice + "/data"}, browser.MultipleAllowOrigin, "header added twice", "", ""},
		{"origin refused by a policy", check.Options{URL: policyServer + "/data", Method: "DELETE"}, browser.MissingAllowOrigin, "origin not allowed", "", ""},
		{"allowed, with no problem", check.Options{URL: noVary + "/data"}, browser.Allowed, "", "", ""},
		{"network error", check.Options{URL: closed + "/data", Timeout: 2 * time.Second}, browser.NetworkError, "not a CORS error", "", ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			o := tc.o
			o.Origin = pageOrigin
			r, err := check.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict.Reason != tc.reason || problems(r) != tc.problems {
				t.Errorf("got reason %q, problems %q; want %q, %q (%s)", r.Verdict.Reason, problems(r), tc.reason, tc.problems, r.Verdict.Message)
			}
			if r.Fix.Stack != tc.stack || !strings.Contains(r.Fix.Snippet, tc.inSnippet) {
				t.Errorf("got stack %q (%s) snippet:\n%s\nwant stack %q with %q", r.Fix.Stack, r.Fix.StackFrom, r.Fix.Snippet, tc.stack, tc.inSnippet)
			}
			if tc.reason != browser.Allowed && tc.reason != browser.NetworkError && (r.Fix.Response == nil || r.Fix.Response[0].Value != pageOrigin) {
				t.Errorf("got fix %+v; want Access-Control-Allow-Origin: %s first", r.Fix, pageOrigin)
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "OPTIONS" {
			w.WriteHeader(404)
		}
	})
	r, err := check.Run(context.Background(), check.Options{URL: url + "/data", Origin: pageOrigin, Method: "PUT",
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}, Stack: "flask"})
	if err != nil {
		t.Fatal(err)
	}
	var plain, color bytes.Buffer
	r.WriteText(&plain, false)
	r.WriteText(&color, true)
	out := plain.String()
	for _, want := range []string{
		"BLOCKED  PUT " + url + "/data from " + pageOrigin + " (Chromium 156, Firefox 153, Safari (WebKit 2.50))",
		"Firefox 153 logs:\n  Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + url + "/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.",
		// WebKit checks the preflight's status before its headers.
		"Safari (WebKit 2.50) logs:\n  Preflight response is not successful. Status code: 404\n  Fetch API cannot load " + url + "/data due to access control checks.",
		"The engines stop at different checks:\n  chromium, firefox: the server's answer has no Access-Control-Allow-Origin header",
		"Chromium 156 logs:\n  Access to fetch at '" + url + "/data' from origin '" + pageOrigin + "' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
		"1. preflight: OPTIONS " + url + "/data",
		"> Access-Control-Request-Headers: content-type",
		"< 404 Not Found",
		"Problems, in the order Chromium 156 meets them:\n  1. preflight not handled (preflight, 404): ",
		"on the preflight (OPTIONS), with status 204:\n    Access-Control-Allow-Origin: " + pageOrigin,
		"Access-Control-Allow-Headers: Content-Type",
		"For flask (Options.Stack), to paste into the app as it is:",
		"# B. The app already calls CORS(app, ...): replace that call with this one",
		"from flask_cors import CORS",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("plain output has terminal escapes")
	}
	if !strings.Contains(color.String(), "\x1b[31m") {
		t.Error("colour output has no colour")
	}
}

// TestProblemsSendNoUnsafeRequestTheBrowserWouldNot: after a failed
// preflight, the search for problems sends a PUT only with SendActual; it
// then finds the PUT's own answer's problems too.
func TestProblemsSendNoUnsafeRequestTheBrowserWouldNot(t *testing.T) {
	t.Parallel()
	var puts atomic.Int32
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		switch r.Method {
		case "OPTIONS":
			w.WriteHeader(405)
		case "PUT":
			puts.Add(1)
		}
	})
	o := check.Options{URL: url + "/data", Origin: pageOrigin, Method: "PUT", Credentials: browser.Include,
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}, Body: "{}"}
	r, err := check.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if puts.Load() != 0 || !r.ActualNotSent || problems(r) != "wildcard with credentials,credentials not allowed,preflight not handled,method not allowed,JSON content type" {
		t.Errorf("default: %d PUTs sent, ActualNotSent %v, problems %q", puts.Load(), r.ActualNotSent, problems(r))
	}
	o.SendActual = true
	r, err = check.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if puts.Load() != 1 || r.ActualNotSent || len(r.Problems) == 0 || !slices.Equal(r.Problems[0].Again, []string{"request, 200"}) {
		t.Errorf("SendActual: %d PUTs sent, ActualNotSent %v, problems %+v", puts.Load(), r.ActualNotSent, r.Problems)
	}
}
