package gen_test

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/servertest"
)

// storageOutput generates target in format and reads its rules back.
func storageOutput(t *testing.T, s buckets.Service, format string, cfg cors.Config) (buckets.Config, []gen.Omission, error) {
	t.Helper()
	out, omitted, err := gen.Generate(string(s), gen.Options{Policy: cfg, Format: format, BestEffort: true})
	if err != nil {
		return buckets.Config{}, omitted, err
	}
	data := out
	if format == "sh" {
		_, rest, _ := strings.Cut(out, "<<'EOF'\n")
		data, _, _ = strings.Cut(rest, "\nEOF\n")
	}
	c, err := buckets.Parse(s, []byte(data))
	if err != nil {
		t.Fatalf("%s %s: the output does not read back: %v\n%s", s, format, err, out)
	}
	return c, omitted, nil
}

// serviceAllows is what the service does with a request, as its
// documentation says: the first rule matching the origin, the method and
// (S3, Azure) every requested header answers; the actual request's method
// must be in it too; credentials pass where the rule names the origin (S3,
// Azure send Access-Control-Allow-Credentials: true) and never on Cloud
// Storage.
func serviceAllows(c buckets.Config, r browser.Request) bool {
	hs := browser.UnsafeHeaderNames(r.Headers)
	i, ok := c.Match(r.Origin, r.Method, hs)
	if !ok {
		return false
	}
	star := len(c.Rules[i].Origins) == 1 && c.Rules[i].Origins[0] == "*"
	if r.Credentials == browser.Include && (c.Service == buckets.GCS || star) {
		return false
	}
	return true
}

// TestStorageRulesMatchThePolicy reads every storage target's output back
// in every format and holds the service's documented matching to the policy
// on the request matrix, for each policy the target writes without
// omission. The one difference the services impose, credentials sent to
// every named origin by S3 and Azure, is the only one allowed, and only
// where the output's note says so.
func TestStorageRulesMatchThePolicy(t *testing.T) {
	formats := map[buckets.Service][]string{buckets.S3: {"sh", "json", "xml"}, buckets.Azure: {"xml"}, buckets.GCS: {"sh", "json"}}
	compared := 0
	for s, fs := range formats {
		for _, f := range fs {
			for _, pc := range kubePolicies {
				c, omitted, err := storageOutput(t, s, f, pc.cfg)
				if err != nil || len(omitted) > 0 {
					continue
				}
				for _, req := range requestMatrix() {
					compared++
					got, want := serviceAllows(c, req), allows(pc.cfg, req)
					credsOnly := !pc.cfg.AllowCredentials && req.Credentials == browser.Include && s != buckets.GCS && !slices.Contains(pc.cfg.AllowOrigins, "*")
					if credsOnly {
						noCreds := req
						noCreds.Credentials = browser.Omit
						want = allows(pc.cfg, noCreds)
					}
					if got != want {
						t.Errorf("%s (%s) %s: %s %s %v %s: the service allows=%v, the policy %v", s, f, pc.name, req.Origin, req.Method, req.Headers, req.Credentials, got, want)
					}
				}
			}
		}
	}
	if compared == 0 {
		t.Fatal("nothing compared")
	}
	t.Logf("%d requests: each service's matching equals the policy's", compared)
}

// TestStorageLimits holds each storage target to its service's documented
// limits and forms: refused without --best-effort, and the closest safe
// subset with it.
func TestStorageLimits(t *testing.T) {
	many := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("https://app%d.example.com", i))
		}
		return out
	}
	cases := []struct {
		target  string
		cfg     cors.Config
		refused string // in the error; "" for none
	}{
		// S3: one * per origin; GET, PUT, POST, DELETE, HEAD only; its *
		// header lets Authorization through.
		{"s3", cors.Config{AllowOrigins: []string{"https://*.example.com", "http://localhost:*"}}, ""},
		{"s3", cors.Config{AllowOrigins: []string{"https://*.example.com:*"}}, "one * per origin"},
		{"s3", cors.Config{AllowOrigins: []string{`re:https://(a|b)\.example\.com`, "https://c.example.com"}}, "without regular expressions"},
		{"s3", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PATCH"}}, "method PATCH"},
		{"s3", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowHeaders: []string{"*"}}, "lets Authorization through"},
		{"s3", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowHeaders: []string{"*", "Authorization"}}, ""},
		{"s3", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowPrivateNetwork: true}, "allow_private_network"},
		// Azure: exact origins or *; 64 origins a rule, 5 rules; 2 KiB.
		{"azure-blob", cors.Config{AllowOrigins: []string{"https://*.example.com"}}, "only exact origins and *"},
		{"azure-blob", cors.Config{AllowOrigins: many(100)}, "at most 2048 characters"},
		{"azure-blob", cors.Config{AllowOrigins: many(321)}, "at most 5 rules"},
		{"azure-blob", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PATCH"}}, "method PATCH"},
		{"azure-blob", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"MERGE"}}, ""},
		// Cloud Storage: exact origins or *, no credentials.
		{"gcs", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowCredentials: true}, "allow_credentials"},
		{"gcs", cors.Config{AllowOrigins: []string{"http://localhost:*"}}, "no port wildcard"},
		{"gcs", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"*"}}, ""},
	}
	for _, c := range cases {
		_, _, err := gen.Generate(c.target, gen.Options{Policy: c.cfg})
		switch {
		case c.refused == "" && err != nil:
			t.Errorf("%s %v: refused (%v); the service expresses it", c.target, c.cfg.AllowOrigins, err)
		case c.refused != "" && (err == nil || !strings.Contains(err.Error(), c.refused)):
			t.Errorf("%s %v: error %v; want a refusal naming %q", c.target, c.cfg.AllowOrigins, err, c.refused)
		}
	}
	// --best-effort: what is left is what the service takes.
	c, omitted, err := storageOutput(t, buckets.S3, "json", cors.Config{AllowOrigins: []string{"https://*.example.com:*", "https://app.example.com"}, AllowMethods: []string{"PATCH", "PUT"}})
	if err != nil || len(omitted) != 2 {
		t.Fatalf("s3 --best-effort: %v, omitted %v", err, omitted)
	}
	if r := c.Rules[0]; strings.Join(r.Origins, " ") != "https://app.example.com" || strings.Join(r.Methods, " ") != "GET HEAD POST PUT" {
		t.Errorf("s3 --best-effort: rule %+v; want the exact origin and GET HEAD POST PUT", r)
	}
	// Azure splits 64 origins a rule.
	short := make([]string, 70)
	for i := range short {
		short[i] = fmt.Sprintf("http://h%d", i)
	}
	c, omitted, err = storageOutput(t, buckets.Azure, "xml", cors.Config{AllowOrigins: short})
	if err != nil || len(omitted) > 0 || len(c.Rules) != 2 || len(c.Rules[0].Origins) != 64 {
		t.Errorf("azure-blob with 70 short origins: %v %v; want 2 rules, the first of 64", err, omitted)
	}
	// An empty rule is never written, not even with --best-effort.
	if _, _, err := gen.Generate("azure-blob", gen.Options{Policy: cors.Config{AllowOrigins: []string{"https://*.example.com"}}, BestEffort: true}); err == nil || !strings.Contains(err.Error(), "allows nothing") {
		t.Errorf("azure-blob --best-effort with no origin it can express: %v; want a refusal", err)
	}
}

// TestStorageOutputsCarryTheirNotes: the commented forms say how the
// service chooses rules and where it differs from the policy.
func TestStorageOutputsCarryTheirNotes(t *testing.T) {
	cfg := cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"}}
	for _, c := range []struct{ target, format, want string }{
		{"s3", "sh", "first rule that matches"},
		{"s3", "sh", "Access-Control-Allow-Credentials: true to every origin"},
		{"s3", "xml", "ETag"},
		{"azure-blob", "xml", "first rule that matches"},
		{"azure-blob", "sh", "az storage cors add"},
		{"gcs", "sh", "responseHeader is both"},
	} {
		out, _, err := gen.Generate(c.target, gen.Options{Policy: cfg, Format: c.format})
		if err != nil || !strings.Contains(out, c.want) {
			t.Errorf("%s %s: %v; the output lacks %q:\n%s", c.target, c.format, err, c.want, out)
		}
	}
	if _, _, err := gen.Generate("s3", gen.Options{Policy: cfg, Format: "yaml"}); err == nil || !strings.Contains(err.Error(), "sh, json, xml") {
		t.Errorf("s3 --format yaml: %v; want the formats named", err)
	}
}

// TestStorageScriptsRun runs each storage target's shell form with sh, the
// service's command line tool replaced by a stand-in that records its
// arguments and the file it is given: the script must run as given, hand
// the tool the rules the JSON form holds, and refuse to run without the
// bucket or account name.
func TestStorageScriptsRun(t *testing.T) {
	sh := servertest.Need(t, "sh")
	cfg := cors.Config{AllowOrigins: []string{"https://app.example.com", "http://localhost:3000"}, AllowMethods: []string{"PUT"},
		AllowHeaders: []string{"Content-Type"}, ExposeHeaders: []string{"ETag"}, MaxAge: 600}
	for _, c := range []struct {
		target, tool, env string
		want              []string // in the recorded arguments
	}{
		{"s3", "aws", "BUCKET=photos", []string{"s3api put-bucket-cors --bucket photos --cors-configuration file://"}},
		{"gcs", "gcloud", "BUCKET=photos", []string{"storage buckets update gs://photos --cors-file="}},
		{"azure-blob", "az", "ACCOUNT=acme", []string{"storage cors clear --services b --account-name acme",
			"storage cors add --services b --account-name acme --origins https://app.example.com http://localhost:3000 --methods GET HEAD POST PUT --allowed-headers Content-Type --exposed-headers ETag --max-age 600"}},
	} {
		dir := t.TempDir()
		log := dir + "/calls"
		// The stand-in: one line of arguments per call, and a copy of the
		// file a file:// or --cors-file= argument names.
		stub := "#!/bin/sh\necho \"$*\" >>" + log + "\nfor a; do case $a in file://*) cp \"${a#file://}\" " + dir + "/rules;; --cors-file=*) cp \"${a#--cors-file=}\" " + dir + "/rules;; esac; done\n"
		if err := os.WriteFile(dir+"/"+c.tool, []byte(stub), 0o755); err != nil {
			t.Fatal(err)
		}
		script, _, err := gen.Generate(c.target, gen.Options{Policy: cfg, Format: "sh"})
		if err != nil {
			t.Fatal(err)
		}
		run := func(env ...string) (string, error) {
			cmd := exec.Command(sh, "-c", script)
			cmd.Env = append([]string{"PATH=" + dir + ":/usr/bin:/bin"}, env...)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := run(); err == nil || !strings.Contains(out, "set "+strings.Split(c.env, "=")[0]) {
			t.Errorf("%s without %s: err %v, output %q; want a refusal naming it", c.target, c.env, err, out)
		}
		if out, err := run(c.env); err != nil {
			t.Fatalf("%s: the script fails: %v\n%s\n%s", c.target, err, out, script)
		}
		calls, _ := os.ReadFile(log)
		for _, w := range c.want {
			if !strings.Contains(string(calls), w) {
				t.Errorf("%s: the tool was called with\n%s\nwant %q", c.target, calls, w)
			}
		}
		if c.target == "azure-blob" {
			continue
		}
		got, _ := os.ReadFile(dir + "/rules")
		want, _, _ := gen.Generate(c.target, gen.Options{Policy: cfg, Format: "json"})
		if string(got) != want {
			t.Errorf("%s: the tool got the rules\n%s\nthe json form is\n%s", c.target, got, want)
		}
	}
}
