package check

import (
	"context"
	"os"
	"os/exec"
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
