package gen_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// emulatorAllows is what the browser model (Chromium's) makes of a request
// to url, answered by the emulator behind it.
func emulatorAllows(t *testing.T, url, origin, method string, hs ...browser.Header) (bool, string) {
	t.Helper()
	chromium, _ := browser.EngineNamed("chromium")
	req := browser.Request{Origin: origin, URL: url, Method: method, Headers: hs, Body: method != "GET" && method != "HEAD",
		PageAddressSpace: browser.Loopback, Credentials: browser.Omit}
	v := chromium.Fetch(req, emulatorTransport)
	return v.Allowed, v.Message
}

// emulatorTransport sends the model's requests to the emulators, keeping
// its connections.
var emulatorTransport = check.Transport(context.Background(), check.Options{Body: "x", Timeout: 5 * time.Second})

// TestStorageStarInAHeaderName: the policy reads * inside a header name as
// a character (the middleware does, and so do the other targets); S3 reads
// it as a wildcard and Azure a trailing one as a prefix. gen refuses such a
// name for both, saying so, and --best-effort leaves it out: loaded into
// s3rver and Azurite, the rules refuse a preflight for a header the policy
// refuses, x-amz-meta-color or x-ms-meta-color, and still allow the
// policy's other header.
func TestStorageStarInAHeaderName(t *testing.T) {
	t.Parallel()
	for target, h := range map[string]string{"s3": "x-amz-meta-*", "azure-blob": "x-ms-meta-*"} {
		cfg := cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{h}}
		_, _, err := gen.Generate(target, gen.Options{Policy: cfg, Format: map[string]string{"s3": "json", "azure-blob": "xml"}[target]})
		if err == nil || !strings.Contains(err.Error(), h) || !strings.Contains(err.Error(), "wildcard") {
			t.Errorf("gen %s --allow-header %s: %v; want a refusal naming the header and the service's wildcard", target, h, err)
		}
	}
	if _, _, err := gen.Generate("azure-blob", gen.Options{Policy: cors.Config{AllowOrigins: []string{"https://app.example.com"}, ExposeHeaders: []string{"x-ms-meta-*"}}}); err == nil || !strings.Contains(err.Error(), "x-ms-meta-*") {
		t.Errorf("gen azure-blob --expose-header x-ms-meta-*: %v; want a refusal (Azure exposes every x-ms-meta- header)", err)
	}

	servertest.Need(t, "node")
	servertest.NPMModules(t, servertest.S3rverPackage, servertest.AzuritePackage)
	origin := "https://app.example.com"
	bestEffort := func(target, star string) string {
		cfg := cors.Config{AllowOrigins: []string{origin}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{star, "Content-Type"}}
		out, _, err := gen.Generate(target, gen.Options{Policy: cfg, Format: "xml", BestEffort: true})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	s3 := servertest.S3rver(t, map[string]string{"b": bestEffort("s3", "x-amz-meta-*")}) + "/b/k"
	box := servertest.Azurite(t, bestEffort("azure-blob", "x-ms-meta-*")) + "/k"
	for url, h := range map[string]string{s3: "x-amz-meta-color", box: "x-ms-meta-color"} {
		if ok, msg := emulatorAllows(t, url, origin, "PUT", browser.Header{Name: h, Value: "red"}); ok {
			t.Errorf("%s: a PUT with %s is allowed; the policy refuses it (%s)", url, h, msg)
		}
		if ok, msg := emulatorAllows(t, url, origin, "PUT", browser.Header{Name: "Content-Type", Value: "application/json"}); !ok {
			t.Errorf("%s: a PUT with Content-Type is refused: %s; the policy allows it", url, msg)
		}
	}
}
