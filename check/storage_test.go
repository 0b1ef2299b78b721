package check

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/servertest"
)

// uploadOptions is a browser's presigned-style upload to a bucket: a PUT of
// JSON from a dev server, reading ETag.
func uploadOptions(url string) Options {
	return Options{URL: url, Origin: "http://localhost:3000", Method: "PUT", Body: "{}", Timeout: 5 * time.Second,
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}, Read: []string{"ETag"}}
}

// TestDoctorKnowsTheStorageServices runs the doctor against s3rver and
// Azurite: a bucket without CORS and one whose rules allow only another
// origin. It must recognise the service from its answers, name the cause
// as the service words it, and print the fix as the service's rules, which
// keep the bucket's own (--rules) and, loaded into a fresh emulator, make
// the same request allowed.
func TestDoctorKnowsTheStorageServices(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "node")
	existingS3 := `<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`
	s3 := servertest.S3rver(t, map[string]string{"bare": "", "other": existingS3})

	r, err := Run(context.Background(), uploadOptions(s3+"/bare/k"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict.Allowed || r.Fix.Stack != "s3" || len(r.Problems) == 0 || r.Problems[0].Name != "bucket without CORS" {
		t.Fatalf("bucket without CORS: allowed=%v stack=%q (%s) problems %+v; want blocked, s3, \"bucket without CORS\"", r.Verdict.Allowed, r.Fix.Stack, r.Fix.StackFrom, r.Problems)
	}

	o := uploadOptions(s3 + "/other/k")
	o.Rules = []byte(existingS3)
	r, err = Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict.Allowed || r.Fix.Stack != "s3" || len(r.Problems) == 0 || r.Problems[0].Name != "no bucket rule matches" {
		t.Fatalf("bucket with another origin's rule: allowed=%v stack=%q problems %+v", r.Verdict.Allowed, r.Fix.Stack, r.Problems)
	}
	snippet := r.Fix.Snippet
	if !strings.Contains(snippet, "aws s3api put-bucket-cors") {
		t.Fatalf("the s3 fix is not put-bucket-cors:\n%s", snippet)
	}
	_, rest, _ := strings.Cut(snippet, "<<'EOF'\n")
	rulesJSON, _, _ := strings.Cut(rest, "\nEOF\n")
	merged, err := buckets.Parse(buckets.S3, []byte(rulesJSON))
	if err != nil || len(merged.Rules) != 2 || merged.Rules[0].Origins[0] != "https://app.example.com" {
		t.Fatalf("the fix does not keep the bucket's rule first: %v %+v\n%s", err, merged.Rules, snippet)
	}
	fixed := servertest.S3rver(t, map[string]string{"other": `<CORSConfiguration>` + merged.ToS3().XMLRules("") + `</CORSConfiguration>`})
	if r, _ := Run(context.Background(), uploadOptions(fixed+"/other/k")); !r.Verdict.Allowed {
		t.Errorf("s3rver with the fix's rules: still blocked: %s", r.Verdict.Message)
	}
	if r, _ := Run(context.Background(), Options{URL: fixed + "/other/k", Origin: "https://app.example.com", Timeout: 5 * time.Second}); !r.Verdict.Allowed {
		t.Errorf("s3rver with the fix's rules: the bucket's own origin lost its GET: %s", r.Verdict.Message)
	}

	// Azure: the rules are the account's Blob service's.
	existingAzure := `<StorageServiceProperties><Cors><CorsRule><AllowedOrigins>https://app.example.com</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>60</MaxAgeInSeconds><ExposedHeaders></ExposedHeaders><AllowedHeaders></AllowedHeaders></CorsRule></Cors></StorageServiceProperties>`
	box := servertest.Azurite(t, existingAzure)
	o = uploadOptions(box + "/k")
	o.Headers = append(o.Headers, browser.Header{Name: "x-ms-blob-type", Value: "BlockBlob"})
	o.Rules = []byte(existingAzure)
	r, err = Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict.Allowed || r.Fix.Stack != "azure-blob" || len(r.Problems) == 0 || r.Problems[0].Name != "no Blob service rule matches" {
		t.Fatalf("Azurite: allowed=%v stack=%q (%s) problems %+v", r.Verdict.Allowed, r.Fix.Stack, r.Fix.StackFrom, r.Problems)
	}
	xmlStart := strings.Index(r.Fix.Snippet, "<StorageServiceProperties>")
	if xmlStart < 0 {
		t.Fatalf("the azure-blob fix with --rules is not the service properties XML:\n%s", r.Fix.Snippet)
	}
	fixedBox := servertest.Azurite(t, r.Fix.Snippet[xmlStart:])
	o.URL, o.Rules = fixedBox+"/k", nil
	if r, _ := Run(context.Background(), o); !r.Verdict.Allowed {
		t.Errorf("Azurite with the fix's rules: still blocked: %s", r.Verdict.Message)
	}
	// The risks of an allowed upload whose answer hides ETag, to a signed
	// URL answered with *.
	open := servertest.S3rver(t, map[string]string{"pub": `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule></CORSConfiguration>`})
	up := uploadOptions(open + "/pub/k?X-Amz-Signature=abc")
	up.Read = nil
	up.Stack = "s3" // s3rver's 200 has no Server: AmazonS3, unlike S3's
	r, _ = Run(context.Background(), up)
	var codes []string
	for _, w := range r.Verdict.Warnings {
		codes = append(codes, w.Code)
	}
	if !r.Verdict.Allowed || !slices.Contains(codes, WarnStorageUploadETag) || !slices.Contains(codes, WarnStorageAnyOrigin) {
		t.Errorf("an upload to a signed URL of a bucket answering *: allowed=%v warnings %v; want both storage risks", r.Verdict.Allowed, codes)
	}

	// Without --rules, the fix is the az command line.
	o.URL = box + "/k"
	if r, _ := Run(context.Background(), o); !strings.Contains(r.Fix.Snippet, "az storage cors add") {
		t.Errorf("the azure-blob fix without --rules is not az storage cors add:\n%s", r.Fix.Snippet)
	}
}

// TestStorageRecognition: the answers of the services themselves, as their
// documentation shows them (only the emulators run here), are told apart,
// and their refusals explained in the service's terms.
func TestStorageRecognition(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	for _, c := range []struct {
		header http.Header
		body   string
		want   string
	}{
		{h("Server", "AmazonS3", "x-amz-request-id", "4442587FB7D0A2F9"), "", "s3"},
		{h("x-amz-request-id", "4442587FB7D0A2F9"), "", "s3"},
		{h(), "<Error><Code>AccessForbidden</Code><Message>CORSResponse: CORS is not enabled for this bucket.</Message></Error>", "s3"},
		{h("Server", "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0", "x-ms-request-id", "abc"), "", "azure-blob"},
		{h("x-ms-error-code", "CorsPreflightFailure"), "", "azure-blob"},
		{h("Server", "UploadServer"), "", "gcs"},
		{h("x-guploader-uploadid", "ABPtcPp"), "", "gcs"},
		{h("Server", "nginx/1.22.1"), "", ""},
	} {
		if got, from := storageFrom(c.header, []byte(c.body)); got != c.want {
			t.Errorf("%v %q: %q (%s), want %q", c.header, c.body, got, from, c.want)
		}
	}
	notEnabled := &browser.Exchange{
		Request:  browser.Outgoing{Method: "OPTIONS", Preflight: true, Header: h("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT")},
		Response: browser.Incoming{Status: 403, Header: h("Server", "AmazonS3"), Body: []byte("<Error><Code>AccessForbidden</Code><Message>CORSResponse: CORS is not enabled for this bucket.</Message></Error>")},
	}
	if m, ok := storageRefusal(notEnabled); !ok || m.Name != "bucket without CORS" {
		t.Errorf("S3's \"CORS is not enabled\": %+v %v", m, ok)
	}
	gcs := &browser.Exchange{
		Request:  browser.Outgoing{Method: "GET", Header: h("Origin", "https://app.example.com")},
		Response: browser.Incoming{Status: 200, Header: h("Server", "UploadServer")},
	}
	if m, ok := storageRefusal(gcs); !ok || !strings.Contains(m.Detail, "storage.cloud.google.com") {
		t.Errorf("Cloud Storage without CORS headers: %+v %v", m, ok)
	}
}

// TestKubernetesStacks: --stack gateway-api and ingress-nginx print the fix
// as a CORS filter and as annotations, holding the request's origin, method
// and header.
func TestKubernetesStacks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	for stack, want := range map[string][]string{
		"gateway-api":   {"type: CORS", `- "http://localhost:3000"`, `- "PUT"`, `- "Content-Type"`},
		"ingress-nginx": {`enable-cors: "true"`, `cors-allow-origin: "http://localhost:3000"`, "PUT", `cors-allow-credentials: "false"`},
	} {
		o := uploadOptions(srv.URL + "/k")
		o.Stack = stack
		r, err := Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(r.Fix.Snippet, w) {
				t.Errorf("--stack %s: the fix lacks %q:\n%s", stack, w, r.Fix.Snippet)
			}
		}
	}
}
