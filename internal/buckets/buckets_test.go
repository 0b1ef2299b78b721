package buckets

import (
	"strings"
	"testing"
)

// TestMatching holds each service's matching to its documentation: S3's one
// * against any characters, Azure's and Cloud Storage's * alone, Azure's
// header prefixes, case-insensitive headers, and the first rule that
// matches everything answering.
func TestMatching(t *testing.T) {
	for _, c := range []struct {
		s              Service
		pattern, value string
		want           bool
	}{
		{S3, "https://*.example.com", "https://a.b.example.com", true},
		{S3, "https://*.example.com", "https://example.com", false},
		{S3, "https://*.example.com", "https://evil.com", false},
		{S3, "http://localhost:*", "http://localhost:3000", true},
		{S3, "*example.com", "https://evilexample.com", true},
		{Azure, "https://*.example.com", "https://a.example.com", false},
		{GCS, "https://*.example.com", "https://a.example.com", false},
		{Azure, "*", "https://anything.test", true},
		{GCS, "https://App.example.com", "https://app.example.com", true},
	} {
		if got := OriginMatches(c.s, c.pattern, c.value); got != c.want {
			t.Errorf("%s: origin %q against %q: %v, want %v", c.s, c.value, c.pattern, got, c.want)
		}
	}
	for _, c := range []struct {
		s              Service
		pattern, value string
		want           bool
	}{
		{S3, "x-amz-*", "X-Amz-Meta-A", true},
		{S3, "*-id", "x-request-id", true},
		{Azure, "x-ms-meta-*", "x-ms-meta-owner", true},
		{Azure, "*-id", "x-request-id", false},
		{GCS, "Content-*", "content-type", false},
		{GCS, "Content-Type", "content-type", true},
	} {
		if got := HeaderMatches(c.s, c.pattern, c.value); got != c.want {
			t.Errorf("%s: header %q against %q: %v, want %v", c.s, c.value, c.pattern, got, c.want)
		}
	}
	c := Config{Service: S3, Rules: []Rule{
		{Origins: []string{"https://app.example.com"}, Methods: []string{"GET"}},
		{Origins: []string{"https://app.example.com"}, Methods: []string{"PUT"}, Headers: []string{"Content-Type"}},
		{Origins: []string{"*"}, Methods: []string{"PUT"}, Headers: []string{"*"}},
	}}
	for _, q := range []struct {
		origin, method string
		headers        []string
		rule           int
		ok             bool
	}{
		{"https://app.example.com", "GET", nil, 0, true},
		{"https://app.example.com", "PUT", []string{"content-type"}, 1, true},
		{"https://app.example.com", "PUT", []string{"content-type", "x-other"}, 2, true},
		{"https://app.example.com", "DELETE", nil, 0, false},
	} {
		if i, ok := c.Match(q.origin, q.method, q.headers); i != q.rule || ok != q.ok {
			t.Errorf("%s %s %v: rule %d %v, want %d %v", q.origin, q.method, q.headers, i, ok, q.rule, q.ok)
		}
	}
}

// TestForms: every form a service's tools print reads to the same rules.
func TestForms(t *testing.T) {
	age := 600
	c := Config{Service: S3, Rules: []Rule{{ID: "web", Origins: []string{"https://app.example.com"}, Methods: []string{"GET", "PUT"}, Headers: []string{"Content-Type"}, Expose: []string{"ETag"}, MaxAge: &age}}}
	xml := "<CORSConfiguration xmlns=\"" + S3Namespace + "\">\n" + c.ToS3().XMLRules("  ") + "</CORSConfiguration>"
	for name, data := range map[string]string{"json": c.ToS3().JSON(), "xml": xml} {
		got, err := Parse(S3, []byte(data))
		if err != nil || len(got.Rules) != 1 || got.Rules[0].ID != "web" || *got.Rules[0].MaxAge != 600 || strings.Join(got.Rules[0].Methods, ",") != "GET,PUT" {
			t.Errorf("s3 %s: %+v %v\n%s", name, got, err, data)
		}
		if s, ok := Detect([]byte(data)); !ok || s != S3 {
			t.Errorf("s3 %s detected as %q", name, s)
		}
	}
	c.Service = Azure
	az := "<StorageServiceProperties><Cors>" + c.AzureXMLRules("") + "</Cors></StorageServiceProperties>"
	if got, err := Parse(Azure, []byte(az)); err != nil || strings.Join(got.Rules[0].Origins, ",") != "https://app.example.com" || strings.Join(got.Rules[0].Headers, ",") != "Content-Type" {
		t.Errorf("azure: %+v %v\n%s", got, err, az)
	}
	g := GCSJSON(Config{Service: GCS, Rules: c.Rules}.ToGCS())
	if got, err := Parse(GCS, []byte(g)); err != nil || strings.Join(got.Rules[0].Headers, ",") != "Content-Type,ETag" {
		t.Errorf("gcs: %+v %v\n%s", got, err, g)
	}
	if got, err := Parse(GCS, []byte(`{"name": "b", "cors": [{"origin": ["*"], "method": ["GET"]}]}`)); err != nil || len(got.Rules) != 1 {
		t.Errorf("gcs bucket JSON: %+v %v", got, err)
	}
	for s, bad := range map[Service]string{S3: `{"CORSRules": [{"AllowedOrigin": ["*"]}]}`, Azure: `<Cors><CorsRule>`, GCS: `[{"origins": ["*"]}]`} {
		if _, err := Parse(s, []byte(bad)); err == nil || !strings.Contains(err.Error(), string(s)) {
			t.Errorf("%s: %q: %v; want an error naming the service", s, bad, err)
		}
	}
}

// FuzzParse: hostile bytes cost no panic in any service's reader.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}`))
	f.Add([]byte(`<Cors><CorsRule><AllowedOrigins>*</AllowedOrigins></CorsRule></Cors>`))
	f.Add([]byte(`[{"origin": ["*"]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range []Service{S3, Azure, GCS} {
			if c, err := Parse(s, data); err == nil {
				c.Match("https://a.example.com", "PUT", []string{"content-type"})
				c.AzureSize()
			}
		}
		Detect(data)
	})
}

// TestCovers: a pattern covers another when it admits every value the other
// admits, as the service reads both.
func TestCovers(t *testing.T) {
	for _, c := range []struct {
		s            Service
		wide, narrow string
		want         bool
	}{
		{Azure, "x-ms-*", "x-ms-meta-*", true},
		{Azure, "x-ms-meta-*", "x-ms-*", false},
		{Azure, "X-MS-*", "x-ms-blob-type", true},
		{Azure, "*", "x-ms-meta-*", true},
		{Azure, "x-ms-*", "*", false},
		{S3, "*-id", "x-request-*-id", true},
		{S3, "x-amz-*", "*-id", false},
		{GCS, "x-goog-*", "x-goog-meta-*", false}, // literal names on Cloud Storage
		{GCS, "x-goog-meta-*", "x-goog-meta-*", true},
	} {
		if got := HeaderCovers(c.s, c.wide, c.narrow); got != c.want {
			t.Errorf("%s: header %q covers %q: %v, want %v", c.s, c.wide, c.narrow, got, c.want)
		}
	}
	for _, c := range []struct {
		s            Service
		wide, narrow string
		want         bool
	}{
		{S3, "https://*.example.com", "https://*.app.example.com", true},
		{S3, "https://*.app.example.com", "https://*.example.com", false},
		{S3, "*", "http://localhost:*", true},
		{S3, "http://localhost:*", "*", false},
		{Azure, "https://*.example.com", "https://*.example.com", true}, // literal on Azure: equal strings only
		{Azure, "https://*.example.com", "https://*.app.example.com", false},
		{Azure, "https://*.example.com", "https://a.example.com", false},
	} {
		if got := OriginCovers(c.s, c.wide, c.narrow); got != c.want {
			t.Errorf("%s: origin %q covers %q: %v, want %v", c.s, c.wide, c.narrow, got, c.want)
		}
	}
}
