package gen_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

// TestStorageInRealEngines runs the generated s3 and azure-blob rules on the
// emulators that apply per-bucket CORS (s3rver, Azurite) and holds what
// Chromium, Firefox and WebKit do to the policy: two policies, one listing
// the page's origin and one not, each with a GET, a PUT whose Content-Type
// needs a preflight, a PUT with a header the policy does not allow, and a
// DELETE it does not allow. Where the policy allows a request and it
// succeeds, the page must read ETag (exposed). One known difference of the services is asserted as
// such: they send Access-Control-Allow-Credentials: true to every origin a
// rule names, so a credentialed GET passes though the policy has no
// credentials (the generated output says so).
//
// Where the emulators differ from the services, requests stay away: s3rver
// answers preflights with * instead of the origin (so no credentialed
// preflighted request is sent to it) and picks rules on origin and method
// only (one rule here).
func TestStorageInRealEngines(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "node")
	servertest.NPMModules(t, servertest.S3rverPackage, servertest.AzuritePackage)
	// The engines first, then one s3rver and one Azurite per policy for
	// the three: the listed policy lists every engine's page.
	engines := map[string]browsertest.Engine{}
	var pages []string
	for _, name := range browsertest.Names {
		engines[name] = browsertest.StartEngine(t, name)
		pages = append(pages, engines[name].Origin())
	}
	policyFor := func(origins []string, extraHeader string) cors.Config {
		hs := []string{"Content-Type"}
		if extraHeader != "" {
			hs = append(hs, extraHeader)
		}
		return cors.Config{AllowOrigins: origins, AllowMethods: []string{"PUT"}, AllowHeaders: hs, ExposeHeaders: []string{"ETag"}, MaxAge: 60}
	}
	listed := append(slices.Clone(pages), "https://app.example.com")
	unlisted := []string{"https://app.example.com"}

	type target struct {
		name, url string
		policy    cors.Config
	}
	var targets []target
	s3xml := map[string]string{}
	for name, origins := range map[string][]string{"listed": listed, "unlisted": unlisted} {
		s3xml[name] = generate(t, "s3", gen.Options{Policy: policyFor(origins, ""), Format: "xml"})
	}
	s3 := servertest.S3rver(t, s3xml)
	targets = append(targets, target{"s3 listed", s3 + "/listed/k", policyFor(listed, "")}, target{"s3 unlisted", s3 + "/unlisted/k", policyFor(unlisted, "")})
	for name, origins := range map[string][]string{"listed": listed, "unlisted": unlisted} {
		// A browser upload to Blob storage sends x-ms-blob-type.
		p := policyFor(origins, "x-ms-blob-type")
		box := servertest.Azurite(t, generate(t, "azure-blob", gen.Options{Policy: p}))
		targets = append(targets, target{"azure-blob " + name, box + "/k", p})
	}

	for _, name := range browsertest.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := engines[name]
			page := e.Origin()
			cases := []browsertest.Request{
				{Method: "GET"},
				{Method: "PUT", Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}"},
				{Method: "PUT", Headers: map[string]string{"X-Other": "1"}, Body: "{}"},
				{Method: "DELETE"},
			}
			var reqs []browsertest.Request
			var policies []cors.Config
			for _, tg := range targets {
				for _, c := range cases {
					// A key per engine: s3rver dropped the connection of
					// one engine's GET while another's PUT wrote the
					// same object (a network error, seen once in three
					// runs).
					c.URL = tg.url + "-" + name
					reqs = append(reqs, c)
					policies = append(policies, tg.policy)
				}
			}
			results := e.FetchAll(t, reqs)
			model, _ := browser.EngineNamed(e.Name())
			for i, r := range reqs {
				req := browsertest.ModelRequest(page, r)
				want := allows(policies[i], req)
				if results[i].OK != want {
					t.Errorf("%s: %s %s %v: %s ok=%v (status %d) %q; the policy says allowed=%v", e.Name(), r.Method, r.URL, r.Headers, e.Name(), results[i].OK, results[i].Status, results[i].Console, want)
				}
				if v := model.Fetch(req, check.Transport(context.Background(), check.Options{Body: r.Body, Timeout: 5 * time.Second})); v.Allowed != results[i].OK {
					t.Errorf("%s: %s %s %v: corskit's model says allowed=%v (%s), the engine %v", e.Name(), r.Method, r.URL, r.Headers, v.Allowed, v.Message, results[i].OK)
				}
				// Azurite refuses an unsigned PUT (an error has no ETag, but
				// carries the CORS headers, as Azure's errors do).
				if want && results[i].Status < 300 && !slices.Contains(results[i].Headers, "etag") {
					t.Errorf("%s: %s %s: the page reads %v; ETag is exposed", e.Name(), r.Method, r.URL, results[i].Headers)
				}
			}
			// The services' credentials: a credentialed GET from a named origin.
			for _, tg := range targets[:1] {
				creds := browsertest.Request{URL: tg.url, Credentials: "include"}
				if got := e.FetchAll(t, []browsertest.Request{creds})[0]; !got.OK {
					t.Errorf("%s: credentialed GET %s: blocked (%q); the services (and the emulators) send Access-Control-Allow-Credentials: true to named origins, as the output's note says", e.Name(), tg.url, got.Console)
				}
			}
			t.Logf("%s: %d requests to s3rver and Azurite, each as the policy says", e.Name(), len(reqs))
		})
	}
}
