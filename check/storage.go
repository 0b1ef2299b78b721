package check

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/buckets"
)

// This file is what the doctor knows of the storage services: how to tell
// their answers (Server and request-id headers, error bodies), what their
// refusals mean, and how its fix merges with the rules a bucket already has.

// storageFrom names the storage service an answer comes from, and the
// header or body text that tells, or "".
func storageFrom(h http.Header, body []byte) (stack, from string) {
	server := h.Get("Server")
	switch {
	case strings.Contains(server, "AmazonS3"):
		return "s3", "Server: " + server
	case strings.Contains(server, "Windows-Azure-Blob") || strings.Contains(server, "Azurite-Blob"):
		return "azure-blob", "Server: " + server
	case strings.Contains(server, "UploadServer"):
		return "gcs", "Server: " + server
	case h.Get("x-amz-request-id") != "":
		return "s3", "x-amz-request-id"
	case h.Get("x-ms-error-code") == "CorsPreflightFailure":
		return "azure-blob", "x-ms-error-code: CorsPreflightFailure"
	case h.Get("x-guploader-uploadid") != "":
		return "gcs", "x-guploader-uploadid"
	case bytes.Contains(body, []byte("<Code>CORSResponse</Code>")) || bytes.Contains(body, []byte("CORSResponse: ")):
		return "s3", "the error body's CORSResponse"
	}
	return "", ""
}

// storageRefusal explains a storage service's refusal of a preflight or
// request: a bucket without CORS, or no rule that matches.
func storageRefusal(x *browser.Exchange) (Mistake, bool) {
	if x == nil {
		return Mistake{}, false
	}
	stack, _ := storageFrom(x.Response.Header, x.Response.Body)
	body := string(x.Response.Body)
	origin := x.Request.Header.Get("Origin")
	method := x.Request.Method
	if m := x.Request.Header.Get("Access-Control-Request-Method"); m != "" {
		method = m
	}
	asked := x.Request.Header.Get("Access-Control-Request-Headers")
	what := fmt.Sprintf("the origin %s and the method %s", origin, method)
	if asked != "" {
		what = fmt.Sprintf("the origin %s, the method %s and every requested header (%s)", origin, method, asked)
	}
	switch {
	case stack == "s3" && strings.Contains(body, "CORS is not enabled"):
		return Mistake{"bucket without CORS", "S3 answered 403 \"CORS is not enabled for this bucket\": the bucket has no CORS configuration, so every preflight is refused and no answer carries CORS headers; give it one (the fix below, with aws s3api put-bucket-cors)"}, true
	case stack == "s3" && x.Response.Status == 403 && strings.Contains(body, "CORS request is not allowed"):
		return Mistake{"no bucket rule matches", "S3 answered 403 \"This CORS request is not allowed\": no rule of the bucket's CORS configuration matches " + what + " (S3 takes the first rule that matches all of them); add them to a rule, keeping the bucket's other rules (get them with aws s3api get-bucket-cors and give them as Options.Rules)"}, true
	case stack == "azure-blob" && x.Response.Status == 403 && (strings.Contains(body, "CORS not enabled") || x.Response.Header.Get("x-ms-error-code") == "CorsPreflightFailure"):
		return Mistake{"no Blob service rule matches", "Azure Storage answered 403 CorsPreflightFailure: no CORS rule of the account's Blob service matches " + what + " (the first rule that matches all of them answers; the rules are the account's, not the container's); add them to a rule, keeping the others (at most 5)"}, true
	case stack == "gcs" && !x.Request.Preflight && x.Response.Header.Get("Access-Control-Allow-Origin") == "":
		return Mistake{"no bucket cors entry matches", "Cloud Storage answered without CORS headers: no entry of the bucket's cors configuration matches " + what + ", or the URL is storage.cloud.google.com (the authenticated browser download endpoint, which has no CORS; use storage.googleapis.com)"}, true
	case stack == "gcs" && x.Request.Preflight && x.Response.Header.Get("Access-Control-Allow-Origin") == "":
		return Mistake{"no bucket cors entry matches", "Cloud Storage answered the preflight without CORS headers: no entry of the bucket's cors configuration matches " + what + " (responseHeader lists the request headers allowed too)"}, true
	}
	return Mistake{}, false
}

// isStorage reports whether stack is a storage service's.
func isStorage(stack string) bool {
	return stack == string(buckets.S3) || stack == string(buckets.Azure) || stack == string(buckets.GCS)
}

// mergedStorageSnippet writes the fix for a storage stack as the bucket's
// whole rule set: the rules it has (rules, read as the service prints
// them) and, after them, the fix's rule. The service takes the first rule
// that matches, so the new rule comes last: the old ones keep answering
// what they answered.
func mergedStorageSnippet(stack string, rules []byte, o gen.Options) (string, error) {
	s := buckets.Service(stack)
	current, err := buckets.Parse(s, rules)
	if err != nil {
		return "", fmt.Errorf("Options.Rules: %v", err)
	}
	o.BestEffort = true
	o.Format = map[string]string{"s3": "json", "gcs": "json", "azure-blob": "xml"}[stack]
	out, _, err := gen.Generate(stack, o)
	if err != nil {
		return "", err
	}
	added, err := buckets.Parse(s, []byte(out))
	if err != nil {
		return "", err
	}
	merged := buckets.Config{Service: s, Rules: append(current.Rules, added.Rules...)}
	note := fmt.Sprintf("# The bucket's %d rules, kept in their order, then the rule the fix adds (the service takes the first rule that matches).\n", len(current.Rules))
	switch s {
	case buckets.S3:
		if len(merged.Rules) > buckets.S3MaxRules {
			return "", fmt.Errorf("Options.Rules: the bucket has %d rules; with the fix's that is over S3's %d: merge some first", len(current.Rules), buckets.S3MaxRules)
		}
		return note + merged.Commands(), nil
	case buckets.GCS:
		return note + merged.Commands(), nil
	}
	if len(merged.Rules) > buckets.AzureMaxRules {
		return "", fmt.Errorf("Options.Rules: the Blob service has %d rules; with the fix's that is over Azure's %d: merge some first", len(current.Rules), buckets.AzureMaxRules)
	}
	return note + "# The body of Set Blob Service Properties (it replaces the Blob service's CORS rules):\n<StorageServiceProperties>\n  <Cors>\n" + merged.AzureXMLRules("    ") + "  </Cors>\n</StorageServiceProperties>\n", nil
}

// stackPolicy is the policy the fix for stack is written from: c, and for a
// storage stack, ETag exposed when the request uploads (PUT or POST), since
// the doctor warns of an upload whose answer hides it
// (storage_upload_etag_hidden): a fix must not leave a warning of its own.
func stackPolicy(o Options, stack string, c cors.Config) cors.Config {
	if !isStorage(stack) || !isUpload(o.Method) || slices.ContainsFunc(c.ExposeHeaders, func(h string) bool { return h == "*" || strings.EqualFold(h, "ETag") }) {
		return c
	}
	c.ExposeHeaders = append(slices.Clone(c.ExposeHeaders), "ETag")
	return c
}

// exposeETag makes a storage stack's fix say what its snippet writes (see
// stackPolicy): ETag exposed for an upload, in the fix's policy and in its
// response lines.
func exposeETag(o Options, f *Fix) {
	p := stackPolicy(o, f.Stack, f.Policy)
	if len(p.ExposeHeaders) == len(f.Policy.ExposeHeaders) || len(f.Response) == 0 {
		return
	}
	f.Policy = p
	value := strings.Join(p.ExposeHeaders, ", ")
	for i, h := range f.Response {
		if h.Name == "Access-Control-Expose-Headers" {
			f.Response[i].Value = value
			return
		}
	}
	// Before the last line, Vary.
	f.Response = slices.Insert(f.Response, len(f.Response)-1, HeaderLine{"Access-Control-Expose-Headers", value})
}

// isUpload reports whether method uploads to a bucket.
func isUpload(method string) bool {
	m := strings.ToUpper(method)
	return m == "PUT" || m == "POST"
}

// storageRulesNote is the heading of a storage stack's fix without the
// bucket's rules, in the comment syntax cm: S3's put-bucket-cors and
// Cloud Storage's --cors-file replace the rules, Azure's az storage cors add
// appends one.
func storageRulesNote(stack, cm string) string {
	if stack == string(buckets.Azure) {
		return fmt.Sprintf("%s Rules: az storage cors add appends this rule after the Blob service's own rules, and\n%s the first rule that matches answers: give corskit the current rules for the whole set, in order.\n", cm, cm)
	}
	return fmt.Sprintf("%s Rules: corskit sees only the answers to its requests, not the bucket's rules, and\n%s this replaces them all: give corskit the bucket's rules and the fix keeps them.\n", cm, cm)
}

// The storage services' risks the doctor names.
const (
	WarnStorageUploadETag  = "storage_upload_etag_hidden"
	WarnStorageAnyOrigin   = "storage_any_origin_signed_url"
	signedURLQueryPatterns = "x-amz-signature x-goog-signature sig="
)

// storageWarnings are the risks of a storage service's answers: an upload
// whose answer hides ETag (a multipart upload reads it), and * on a signed
// URL (any site holding the URL reads the object).
func storageWarnings(o Options, v browser.Verdict) []browser.Warning {
	stack := o.Stack
	if !isStorage(stack) {
		stack, _ = detectStack(v)
	}
	if !isStorage(stack) || len(v.Exchanges) == 0 {
		return nil
	}
	last := v.Exchanges[len(v.Exchanges)-1]
	var out []browser.Warning
	m := strings.ToUpper(o.Method)
	expose := strings.ToLower(strings.Join(last.Response.Header.Values("Access-Control-Expose-Headers"), ","))
	if v.Allowed && isUpload(m) && !strings.Contains(expose, "etag") && !strings.Contains(expose, "*") {
		out = append(out, browser.Warning{Code: WarnStorageUploadETag, Message: "the upload's answer does not expose ETag: a browser upload in parts (the AWS SDK's multipart upload, Uppy) reads each part's ETag and fails; add ETag to the rule's exposed headers"})
	}
	query := strings.ToLower(o.URL)
	signed := false
	for p := range strings.FieldsSeq(signedURLQueryPatterns) {
		signed = signed || strings.Contains(query, p)
	}
	if signed && last.Response.Header.Get("Access-Control-Allow-Origin") == "*" {
		out = append(out, browser.Warning{Code: WarnStorageAnyOrigin, Message: "the bucket answers Access-Control-Allow-Origin: * to a signed URL: any site that gets hold of the URL can read the object from its visitors' browsers; list your pages' origins in the rule"})
	}
	return out
}
