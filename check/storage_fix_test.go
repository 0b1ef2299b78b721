package check

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/servertest"
)

// plainUpload is the upload: a JSON PUT from a Vite dev server that
// reads no response header (so nothing asks for ETag but the doctor's own
// storage_upload_etag_hidden).
func plainUpload(url, stack string) Options {
	return Options{URL: url, Origin: "http://localhost:5173", Method: "PUT", Body: `{"name":"report"}`, Timeout: 5 * time.Second, Stack: stack,
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}}
}

// storageWarningsOf are the storage risks a report names, in every engine.
func storageWarningsOf(r Report) []string {
	var out []string
	for _, e := range r.Engines {
		for _, w := range e.Verdict.Warnings {
			if w.Code == WarnStorageUploadETag || w.Code == WarnStorageAnyOrigin {
				out = append(out, e.Engine.Name+": "+w.Code)
			}
		}
	}
	return out
}

// exposesETag reports whether a fix's policy and the response lines it
// prints (corskit check --json's fix.policy and fix.response) expose ETag.
func exposesETag(f Fix) bool {
	line := false
	for _, h := range f.Response {
		line = line || h.Name == "Access-Control-Expose-Headers" && strings.Contains(h.Value, "ETag")
	}
	return line && slices.Contains(f.Policy.ExposeHeaders, "ETag")
}

// azCommandRules runs an az storage cors add script with sh and a stand-in
// az that records its arguments, and reads the rules it was given.
func azCommandRules(t *testing.T, script string) buckets.Config {
	t.Helper()
	sh := servertest.Need(t, "sh")
	dir := t.TempDir()
	stub := "#!/bin/sh\nprintf '%s\\n' \"$@\" >>" + dir + "/args\necho --end >>" + dir + "/args\n"
	if err := os.WriteFile(dir+"/az", []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, "-c", "set -eu\n"+script)
	cmd.Env = []string{"PATH=" + dir + ":/usr/bin:/bin", "ACCOUNT=acme"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the az script fails: %v\n%s\n%s", err, out, script)
	}
	data, _ := os.ReadFile(dir + "/args")
	c := buckets.Config{Service: buckets.Azure}
	var r *buckets.Rule
	var list *[]string
	for a := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
		switch a {
		case "add":
			c.Rules = append(c.Rules, buckets.Rule{})
			r, list = &c.Rules[len(c.Rules)-1], nil
		case "--origins":
			list = &r.Origins
		case "--methods":
			list = &r.Methods
		case "--allowed-headers":
			list = &r.Headers
		case "--exposed-headers":
			list = &r.Expose
		case "--end", "--max-age", "--services", "--account-name":
			list = nil
		default:
			if list != nil {
				*list = append(*list, a)
			}
		}
	}
	if len(c.Rules) == 0 {
		t.Fatalf("the script adds no rule:\n%s", script)
	}
	return c
}

// TestStorageFixLeavesNoWarning: the doctor's fix for an upload to a bucket
// with no rule for the origin, loaded into a fresh emulator, makes the same
// check allowed without a storage warning of the doctor's own (the fix
// exposes ETag though the page reads nothing), on s3rver and Azurite, with
// and without the bucket's rules (--rules). The Azure fix without --rules is
// az storage cors add, which appends: its heading must say so.
func TestStorageFixLeavesNoWarning(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "node")
	otherS3 := `<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`
	s3 := servertest.S3rver(t, map[string]string{"other": otherS3})
	for _, withRules := range []bool{false, true} {
		o := plainUpload(s3+"/other/k", "s3")
		if withRules {
			o.Rules = []byte(otherS3)
		}
		r, err := Run(context.Background(), o)
		if err != nil || r.Verdict.Allowed {
			t.Fatalf("s3 (--rules %v): %v allowed=%v; want blocked", withRules, err, r.Verdict.Allowed)
		}
		if !exposesETag(r.Fix) {
			t.Errorf("s3 (--rules %v): the fix's policy exposes %v and its response lines are %v; want ETag in both", withRules, r.Fix.Policy.ExposeHeaders, r.Fix.Response)
		}
		_, rest, _ := strings.Cut(r.Fix.Snippet, "<<'EOF'\n")
		rulesJSON, _, _ := strings.Cut(rest, "\nEOF\n")
		fixedRules, err := buckets.Parse(buckets.S3, []byte(rulesJSON))
		if err != nil {
			t.Fatalf("s3 (--rules %v): the fix's rules do not read: %v\n%s", withRules, err, r.Fix.Snippet)
		}
		fixed := servertest.S3rver(t, map[string]string{"other": "<CORSConfiguration>" + fixedRules.ToS3().XMLRules("") + "</CORSConfiguration>"})
		again, _ := Run(context.Background(), plainUpload(fixed+"/other/k", "s3"))
		if !again.Verdict.Allowed || len(storageWarningsOf(again)) > 0 {
			t.Errorf("s3 (--rules %v): with the fix loaded: allowed=%v (%s), warnings %v; want allowed without a storage warning\n%s", withRules, again.Verdict.Allowed, again.Verdict.Message, storageWarningsOf(again), r.Fix.Snippet)
		}
	}

	otherAzure := `<StorageServiceProperties><Cors><CorsRule><AllowedOrigins>https://app.example.com</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>60</MaxAgeInSeconds><ExposedHeaders></ExposedHeaders><AllowedHeaders></AllowedHeaders></CorsRule></Cors></StorageServiceProperties>`
	box := servertest.Azurite(t, otherAzure)
	for _, withRules := range []bool{false, true} {
		o := plainUpload(box+"/k", "azure-blob")
		o.Headers = append(o.Headers, browser.Header{Name: "x-ms-blob-type", Value: "BlockBlob"})
		if withRules {
			o.Rules = []byte(otherAzure)
		}
		r, err := Run(context.Background(), o)
		if err != nil || r.Verdict.Allowed {
			t.Fatalf("azure-blob (--rules %v): %v allowed=%v; want blocked", withRules, err, r.Verdict.Allowed)
		}
		var props string
		if withRules {
			i := strings.Index(r.Fix.Snippet, "<StorageServiceProperties>")
			if i < 0 {
				t.Fatalf("azure-blob --rules: no service properties XML:\n%s", r.Fix.Snippet)
			}
			props = r.Fix.Snippet[i:]
		} else {
			if strings.Contains(r.Fix.Snippet, "replaces them all") {
				t.Errorf("azure-blob without --rules: the fix is az storage cors add, which appends, but says it replaces the rules:\n%s", r.Fix.Snippet)
			}
			rules := azCommandRules(t, r.Fix.Snippet)
			props = "<StorageServiceProperties><Cors>" + buckets.Config{Service: buckets.Azure, Rules: append([]buckets.Rule{{Origins: []string{"https://app.example.com"}, Methods: []string{"GET"}}}, rules.Rules...)}.AzureXMLRules("") + "</Cors></StorageServiceProperties>"
		}
		fixedBox := servertest.Azurite(t, props)
		o.URL, o.Rules = fixedBox+"/k", nil
		again, _ := Run(context.Background(), o)
		if !again.Verdict.Allowed || len(storageWarningsOf(again)) > 0 {
			t.Errorf("azure-blob (--rules %v): with the fix loaded: allowed=%v (%s), warnings %v; want allowed without a storage warning\n%s", withRules, again.Verdict.Allowed, again.Verdict.Message, storageWarningsOf(again), r.Fix.Snippet)
		}
	}
}

// TestStorageFixRandom draws fresh requests (CORSKIT_SEED replays a seed,
// CORSKIT_FIXES sets how many per service) to a bucket whose one rule is
// another origin's, runs the doctor with and without the bucket's rules
// (--rules), loads each fix into a fresh emulator and counts the checks it
// passes: the same request allowed, without a storage warning of the
// doctor's own, and (with --rules) the bucket's own origin still served.
func TestStorageFixRandom(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "node")
	servertest.NPMModules(t, servertest.S3rverPackage, servertest.AzuritePackage)
	seed, err := strconv.ParseUint(os.Getenv("CORSKIT_SEED"), 10, 64)
	if err != nil {
		seed = uint64(time.Now().UnixNano())
	}
	n, _ := strconv.Atoi(os.Getenv("CORSKIT_FIXES"))
	if n <= 0 {
		n = 1
	}
	t.Logf("seed %d, %d requests per service (replay: CORSKIT_SEED=%d go test ./check -run TestStorageFixRandom -v)", seed, n, seed)
	rnd := rand.New(rand.NewPCG(seed, 0))
	const other = "https://other.example.com"
	existing := buckets.Rule{Origins: []string{other}, Methods: []string{"GET", "PUT"}, Headers: []string{"Content-Type"}}
	s3Rules := "<CORSConfiguration>" + buckets.Config{Service: buckets.S3, Rules: []buckets.Rule{existing}}.ToS3().XMLRules("") + "</CORSConfiguration>"
	age := 60
	azExisting := existing
	azExisting.MaxAge = &age
	azRules := "<StorageServiceProperties><Cors>" + buckets.Config{Service: buckets.Azure, Rules: []buckets.Rule{azExisting}}.AzureXMLRules("") + "</Cors></StorageServiceProperties>"
	s3 := servertest.S3rver(t, map[string]string{"b": s3Rules})
	box := servertest.Azurite(t, azRules)
	for _, s := range []buckets.Service{buckets.S3, buckets.Azure} {
		passed, checks := 0, 0
		count := func(ok bool, what string, o Options, r Report, snippet string) {
			checks++
			if ok {
				passed++
				return
			}
			t.Errorf("%s: %s %s %v from %s: %s: allowed=%v (%s) warnings %v\n%s", s, o.Method, o.URL, o.Headers, o.Origin, what, r.Verdict.Allowed, r.Verdict.Message, storageWarningsOf(r), snippet)
		}
		for range n {
			o := Options{Origin: []string{"http://localhost:5173", "https://app.example.com", "https://admin.example.com"}[rnd.IntN(3)],
				Method: []string{"PUT", "POST", "DELETE"}[rnd.IntN(3)], Timeout: 5 * time.Second, Stack: string(s)}
			if o.Method != "DELETE" {
				o.Body = `{"name":"report"}`
			}
			if rnd.IntN(3) > 0 {
				o.Headers = append(o.Headers, browser.Header{Name: "Content-Type", Value: "application/json"})
			}
			if rnd.IntN(3) == 0 {
				o.Headers = append(o.Headers, browser.Header{Name: "X-Custom", Value: "1"})
			}
			if rnd.IntN(3) == 0 {
				o.Headers = append(o.Headers, browser.Header{Name: map[buckets.Service]string{buckets.S3: "x-amz-meta-color", buckets.Azure: "x-ms-meta-color"}[s], Value: "red"})
			}
			if s == buckets.Azure && o.Method == "PUT" {
				o.Headers = append(o.Headers, browser.Header{Name: "x-ms-blob-type", Value: "BlockBlob"})
			}
			if rnd.IntN(3) == 0 {
				o.Read = []string{"ETag"}
			}
			o.URL = s3 + "/b/k"
			if s == buckets.Azure {
				o.URL = box + "/k"
			}
			for _, withRules := range []bool{true, false} {
				o.Rules = nil
				if withRules {
					o.Rules = []byte(map[buckets.Service]string{buckets.S3: s3Rules, buckets.Azure: azRules}[s])
				}
				r, err := Run(context.Background(), o)
				if err != nil || r.Verdict.Allowed {
					t.Fatalf("%s: %+v: %v allowed=%v; the bucket has no rule for the origin", s, o, err, r.Verdict.Allowed)
				}
				var fixedURL string
				switch {
				case s == buckets.S3:
					_, rest, _ := strings.Cut(r.Fix.Snippet, "<<'EOF'\n")
					body, _, _ := strings.Cut(rest, "\nEOF\n")
					c, err := buckets.Parse(buckets.S3, []byte(body))
					if err != nil {
						t.Fatalf("s3: the fix's rules do not read: %v\n%s", err, r.Fix.Snippet)
					}
					fixedURL = servertest.S3rver(t, map[string]string{"b": "<CORSConfiguration>" + c.ToS3().XMLRules("") + "</CORSConfiguration>"}) + "/b/k"
				case withRules:
					i := strings.Index(r.Fix.Snippet, "<StorageServiceProperties>")
					if i < 0 {
						t.Fatalf("azure-blob --rules: no service properties XML:\n%s", r.Fix.Snippet)
					}
					fixedURL = servertest.Azurite(t, r.Fix.Snippet[i:]) + "/k"
				default:
					added := azCommandRules(t, r.Fix.Snippet)
					for i := range added.Rules {
						added.Rules[i].MaxAge = &age
					}
					all := buckets.Config{Service: buckets.Azure, Rules: append([]buckets.Rule{azExisting}, added.Rules...)}
					fixedURL = servertest.Azurite(t, "<StorageServiceProperties><Cors>"+all.AzureXMLRules("")+"</Cors></StorageServiceProperties>") + "/k"
				}
				if withRules {
					own := Options{URL: fixedURL, Origin: other, Timeout: 5 * time.Second, Stack: string(s)}
					ownR, _ := Run(context.Background(), own)
					count(ownR.Verdict.Allowed, "the bucket's own origin lost its GET", own, ownR, r.Fix.Snippet)
				}
				again := o
				again.URL, again.Rules = fixedURL, nil
				ar, _ := Run(context.Background(), again)
				count(ar.Verdict.Allowed, fmt.Sprintf("with the fix (--rules %v) loaded, still blocked", withRules), again, ar, r.Fix.Snippet)
				count(len(storageWarningsOf(ar)) == 0, fmt.Sprintf("with the fix (--rules %v) loaded, a storage warning", withRules), again, ar, r.Fix.Snippet)
			}
		}
		t.Logf("%s: the doctor's fixes pass %d of %d checks", s, passed, checks)
	}
}
