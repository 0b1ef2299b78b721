package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/pastetest"
	"github.com/corskit/corskit/internal/quote"
	"github.com/corskit/corskit/internal/servertest"
)

// list writes xs as a Ruby or Python list literal, each item quoted by q.
func list(xs []string, q func(string) string) string {
	var out []string
	for _, x := range xs {
		out = append(out, q(x))
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// rackFrom is a rack-cors app with a resource /data: methods, headers and
// origins as given (headers ["*"] is :any).
func rackFrom(origins, methods, hs []string, maxAge int) string {
	// A policy lists only the methods besides the safelisted GET, HEAD and
	// POST, which rack-cors needs listed too.
	var syms []string
	for _, m := range append([]string{"get", "head", "post", "options"}, methods...) {
		if s := ":" + strings.ToLower(m); !slices.Contains(syms, s) {
			syms = append(syms, s)
		}
	}
	ms := "[" + strings.Join(syms, ", ") + "]"
	hv := list(hs, quote.Ruby)
	for _, h := range hs {
		if h == "*" {
			hv = ":any"
		}
	}
	return fmt.Sprintf(`require 'rack/cors'
use Rack::Cors do
  allow do
    origins %s
    resource '/data', headers: %s, methods: %s, credentials: true, max_age: %d
  end
end
run ->(env) { [200, {'Content-Type' => 'application/json'}, ['{"ok":true}']] }
`, strings.Trim(list(origins, quote.Ruby), "[]"), hv, ms, maxAge)
}

// starletteFrom is the Starlette app with CORSMiddleware written from c.
func starletteFrom(c cors.Config) string {
	methods := append([]string{"GET", "POST"}, c.AllowMethods...)
	return starletteApp(fmt.Sprintf("allow_origins=%s, allow_methods=%s, allow_headers=%s, allow_credentials=%s, expose_headers=%s, max_age=%d",
		list(c.AllowOrigins, quote.Python), list(methods, quote.Python), list(c.AllowHeaders, quote.Python),
		map[bool]string{true: "True", false: "False"}[c.AllowCredentials], list(c.ExposeHeaders, quote.Python), c.MaxAge))
}

// TestProbeFixKeepsWhatWorked is issue 21's measured narrowing, on real
// servers and in real engines (Chromium and Firefox, which can open the
// app's other origin): before, requests from the app's other origin work
// and the page's PUT fails; corskit check's fix, written into the
// framework's own settings, lets the PUT through and keeps every request
// that worked. Before the probe, rack-cors' fix allowed PUT alone (DELETE
// and POST with X-Request-Id broke) and Starlette's allow_headers=["*"]
// became Content-Type (an Authorization request broke). Firefox runs with
// CORSKIT_SLOW=1.
func TestProbeFixKeepsWhatWorked(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("real servers and browsers")
	}
	for _, name := range []string{"chromium", "firefox"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if name == "firefox" && os.Getenv("CORSKIT_SLOW") != "1" {
				// The broken-server suite (internal/cli) holds Firefox to
				// the same rule on rack-cors, Starlette and Express in
				// every run; this one's six servers in turn hold a
				// Firefox for a minute: CI's larger run has it.
				t.Skip("Firefox: with CORSKIT_SLOW=1 (.ci/run's larger check run)")
			}
			e := browsertest.StartEngine(t, name)
			page := e.Origin()
			other := strings.Replace(page, "127.0.0.1", "localhost", 1)
			put := browsertest.Request{Method: "PUT", Headers: map[string]string{"Content-Type": "application/json"}, Credentials: "include", Body: `{"n":1}`}
			cases := []struct {
				name   string
				broken func() string // starts the broken server, returns its base URL
				fixed  func(c cors.Config) string
				worked []browsertest.Request
			}{
				{"rack-cors refusing PUT",
					func() string {
						return servertest.ServeRack(t, rackFrom([]string{page, other}, []string{"get", "post", "delete"}, []string{"Content-Type", "X-Request-Id"}, 600))
					},
					func(c cors.Config) string {
						return servertest.ServeRack(t, rackFrom(c.AllowOrigins, c.AllowMethods, c.AllowHeaders, c.MaxAge))
					},
					[]browsertest.Request{{Method: "DELETE", Credentials: "include"},
						{Method: "POST", Headers: map[string]string{"Content-Type": "application/json", "X-Request-Id": "7"}, Credentials: "include", Body: "{}"}}},
				{`starlette allow_headers=["*"] without PUT`,
					func() string {
						return servertest.ServeASGI(t, starletteApp(fmt.Sprintf(`allow_origins=["%s", "%s"], allow_methods=["GET", "POST", "DELETE"], allow_headers=["*"], allow_credentials=True`, page, other)))
					},
					func(c cors.Config) string { return servertest.ServeASGI(t, starletteFrom(c)) },
					[]browsertest.Request{{Method: "GET", Headers: map[string]string{"Authorization": "Bearer x"}, Credentials: "include"},
						{Method: "DELETE", Headers: map[string]string{"X-Anything": "1"}, Credentials: "include"}}},
			}
			// Express with cors from the npm cache, listing its methods
			// and headers: the fix is the product's own Express snippet,
			// pasted as its text says.
			expressSrc := func(port int) string {
				return fmt.Sprintf(`const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors({origin: [%s, %s], credentials: true, methods: ['GET', 'POST', 'DELETE'], allowedHeaders: ['Content-Type', 'X-Request-Id'], maxAge: 600}));
app.use(express.json());
app.all('/data', (req, res) => res.json({ok: true}));
app.listen(%d, '127.0.0.1');
`, quote.JS(page), quote.JS(other), port)
			}
			var expressPort int
			cases = append(cases, struct {
				name   string
				broken func() string
				fixed  func(c cors.Config) string
				worked []browsertest.Request
			}{"express cors listing methods and headers",
				func() string {
					expressPort = servertest.FreePort(t)
					return startExpress(t, expressSrc(expressPort), expressPort)
				},
				func(c cors.Config) string {
					parts, err := pieces("express", c)
					if err != nil {
						t.Fatal(err)
					}
					port := servertest.FreePort(t)
					fixed, err := pastetest.Apply(expressSrc(port), parts)
					if err != nil {
						t.Fatalf("pasting the Express fix: %v", err)
					}
					return startExpress(t, fixed, port)
				},
				[]browsertest.Request{{Method: "DELETE", Credentials: "include"},
					{Method: "POST", Headers: map[string]string{"Content-Type": "application/json", "X-Request-Id": "7"}, Credentials: "include", Body: "{}"}}})
			for _, c := range cases {
				base := c.broken()
				run := func(when string, base string) {
					e.Navigate(t, other+"/")
					for _, r := range c.worked {
						r.URL = base + "/data"
						if res := e.Fetch(t, r); !res.OK {
							t.Errorf("%s, %s: %s from %s blocked: %q", c.name, when, r.Method, other, res.Console)
						}
					}
					e.Navigate(t, page+"/")
				}
				run("before the fix", base)
				r, err := Run(context.Background(), Options{URL: base + "/data", Origin: page, AlsoOrigins: []string{other}, Method: "PUT",
					Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}, Body: `{"n":1}`, Credentials: browser.Include, Timeout: 5 * time.Second})
				if err != nil || r.Fix.Learned == nil {
					t.Fatalf("%s: %v %+v", c.name, err, r.Fix)
				}
				t.Logf("%s: %d probe requests; keeps %s; adds %s", c.name, r.Fix.Learned.Requests, r.Fix.Keeps, r.Fix.Adds)
				fixed := c.fixed(r.Fix.Policy)
				put.URL = fixed + "/data"
				if res := e.Fetch(t, put); !res.OK {
					t.Errorf("%s: after the fix %+v, the PUT is still blocked: %q", c.name, r.Fix.Policy, res.Console)
				}
				run("after the fix", fixed)
			}
		})
	}
}

// startExpress runs an Express app (express and cors from the npm cache)
// until the test ends and returns its base URL.
func startExpress(t *testing.T, src string, port int) string {
	t.Helper()
	dir := t.TempDir()
	node := servertest.NPMInstall(t, dir, "express@4", "cors@2")
	os.WriteFile(filepath.Join(dir, "app.js"), []byte(src), 0o600)
	servertest.Start(t, dir, port, nil, node, "app.js")
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
