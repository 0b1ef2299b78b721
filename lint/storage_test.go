package lint

import (
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/buckets"
)

// rulesOf lints one service's rules and returns the rule IDs found.
func rulesOf(t *testing.T, s buckets.Service, data string) []string {
	t.Helper()
	var got []string
	for _, f := range lintStorage("f", []byte(data), s) {
		got = append(got, f.Rule)
	}
	return got
}

// s3JSON writes S3 rules as put-bucket-cors takes them.
func s3JSON(rules ...buckets.Rule) string {
	return buckets.Config{Service: buckets.S3, Rules: rules}.ToS3().JSON()
}

// azureXML writes Azure rules as Set Blob Service Properties takes them.
func azureXML(rules ...buckets.Rule) string {
	for i := range rules {
		if rules[i].MaxAge == nil {
			age := 60
			rules[i].MaxAge = &age
		}
	}
	return "<StorageServiceProperties><Cors>" + buckets.Config{Service: buckets.Azure, Rules: rules}.AzureXMLRules("") + "</Cors></StorageServiceProperties>"
}

// TestStorageOriginWithPath: an origin holding a path never matches a
// browser's Origin (scheme://host[:port]), whatever the path.
func TestStorageOriginWithPath(t *testing.T) {
	for _, c := range []struct {
		s    buckets.Service
		data string
	}{
		{buckets.S3, s3JSON(buckets.Rule{Origins: []string{"https://app.example.com/uploads"}, Methods: []string{"GET"}})},
		{buckets.S3, s3JSON(buckets.Rule{Origins: []string{"https://*.example.com/uploads/"}, Methods: []string{"GET"}})},
		{buckets.S3, s3JSON(buckets.Rule{Origins: []string{"https://app.example.com/*"}, Methods: []string{"GET"}})},
		{buckets.Azure, azureXML(buckets.Rule{Origins: []string{"https://app.example.com/uploads"}, Methods: []string{"GET"}})},
		{buckets.GCS, `[{"origin": ["https://app.example.com:8443/a/b"], "method": ["GET"]}]`},
	} {
		if got := rulesOf(t, c.s, c.data); !slices.Contains(got, "storage-rule-never-matches") {
			t.Errorf("%s: %s\nfindings %v; want storage-rule-never-matches", c.s, c.data, got)
		}
	}
	if got := rulesOf(t, buckets.S3, s3JSON(buckets.Rule{Origins: []string{"https://app.example.com:8443", "http://localhost:*"}, Methods: []string{"GET"}})); len(got) > 0 {
		t.Errorf("origins without a path: findings %v; want none", got)
	}
}

// TestStorageShadowedByAWiderPattern: an earlier rule whose header or origin
// patterns admit everything a later rule's do answers every request the
// later one would; a narrower earlier pattern does not.
func TestStorageShadowedByAWiderPattern(t *testing.T) {
	app := []string{"https://app.example.com"}
	for _, c := range []struct {
		name     string
		s        buckets.Service
		data     string
		shadowed bool
	}{
		{"azure x-ms-* above x-ms-meta-*", buckets.Azure, azureXML(
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"x-ms-*"}},
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"x-ms-blob-type", "x-ms-meta-*"}}), true},
		{"azure x-ms-meta-* above x-ms-*", buckets.Azure, azureXML(
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"x-ms-meta-*"}},
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"x-ms-*"}}), false},
		{"s3 * above x-amz-meta-*", buckets.S3, s3JSON(
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"*"}},
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"x-amz-meta-*"}}), true},
		{"s3 x-amz-* above *-id", buckets.S3, s3JSON(
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"x-amz-*"}},
			buckets.Rule{Origins: app, Methods: []string{"PUT"}, Headers: []string{"*-id"}}), false},
		{"s3 https://*.example.com above https://*.app.example.com", buckets.S3, s3JSON(
			buckets.Rule{Origins: []string{"https://*.example.com"}, Methods: []string{"GET"}},
			buckets.Rule{Origins: []string{"https://*.app.example.com"}, Methods: []string{"GET"}}), true},
		{"s3 https://*.app.example.com above https://*.example.com", buckets.S3, s3JSON(
			buckets.Rule{Origins: []string{"https://*.app.example.com"}, Methods: []string{"GET"}},
			buckets.Rule{Origins: []string{"https://*.example.com"}, Methods: []string{"GET"}}), false},
	} {
		if got := slices.Contains(rulesOf(t, c.s, c.data), "storage-rule-shadowed"); got != c.shadowed {
			t.Errorf("%s: storage-rule-shadowed %v, want %v\n%s", c.name, got, c.shadowed, c.data)
		}
	}
}

// TestStorageUploadFindingsNeedPUT: gen's own S3 rule for a read-only policy
// lists POST (a rule lists the simple requests' methods) but no PUT: it
// uploads nothing in parts and takes no presigned PUT, so lint names
// neither upload risk; a rule with PUT still gets both.
func TestStorageUploadFindingsNeedPUT(t *testing.T) {
	out, _, err := gen.Generate("s3", gen.Options{Policy: cors.Config{AllowOrigins: []string{"https://app.example.com"}}, Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	if got := rulesOf(t, buckets.S3, out); len(got) > 0 {
		t.Errorf("gen s3 for a read-only policy: findings %v; want none\n%s", got, out)
	}
	got := rulesOf(t, buckets.S3, s3JSON(buckets.Rule{Origins: []string{"https://app.example.com"}, Methods: []string{"GET", "PUT"}}))
	if !slices.Contains(got, "s3-upload-etag-hidden") || !slices.Contains(got, "s3-upload-content-type") {
		t.Errorf("a PUT rule without ETag or Content-Type: findings %v; want both upload findings", got)
	}
	for _, f := range lintStorage("f", []byte(s3JSON(buckets.Rule{Origins: []string{"https://app.example.com"}, Methods: []string{"PUT"}})), buckets.S3) {
		if f.Rule == "s3-upload-content-type" && !strings.Contains(f.Message, "PUT") {
			t.Errorf("the Content-Type finding does not name PUT: %s", f.Message)
		}
	}
}
