package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// TestHostileServerAnswersStayOutOfTheFix: a diagnosed server is untrusted.
// One answering Access-Control-Expose-Headers: X-'.`id`.' with X-Powered-By:
// PHP once made the doctor print a header() call in which X-'.`id`.' runs id
// in a shell when pasted. Names from an answer are kept only when they are
// letters, digits and -; the others are named in the report (text and
// JSON) and are in no snippet; every snippet still parses.
func TestHostileServerAnswersStayOutOfTheFix(t *testing.T) {
	t.Parallel()
	hostile := map[string][]string{
		"Access-Control-Allow-Methods":  {"M'.`id`.'", "M$HOST"},
		"Access-Control-Allow-Headers":  {"X-'.`id`.'", "X-%t", "X-`"},
		"Access-Control-Expose-Headers": {"X-'.`id`.'", "X-$uri", "X_Under"},
	}
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Powered-By", "PHP/8.2.0")
		w.Header().Set("Access-Control-Allow-Origin", pageOrigin)
		w.Header().Set("Access-Control-Allow-Methods", "GET, "+strings.Join(hostile["Access-Control-Allow-Methods"], ", ")+", PATCH")
		w.Header().Set("Access-Control-Allow-Headers", "X-Ok, "+strings.Join(hostile["Access-Control-Allow-Headers"], ", "))
		w.Header().Set("Access-Control-Expose-Headers", "X-Fine, "+strings.Join(hostile["Access-Control-Expose-Headers"], ", "))
	})
	// PUT is not allowed: blocked, so there is a fix.
	r, err := check.Run(context.Background(), check.Options{URL: url + "/data", Origin: pageOrigin, Method: "PUT",
		Headers: []browser.Header{{Name: "X-Ok", Value: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Fix.Stack != "php" {
		t.Fatalf("stack %q, want php (from X-Powered-By)", r.Fix.Stack)
	}
	var all []string
	for _, names := range hostile {
		all = append(all, names...)
	}
	for stack, snippet := range r.Fix.Snippets {
		for _, n := range all {
			if strings.Contains(snippet, n) {
				t.Errorf("%s snippet holds %q:\n%s", stack, n, snippet)
			}
		}
	}
	for _, kept := range []string{"X-Ok", "X-Fine", "PATCH"} {
		if !strings.Contains(r.Fix.Snippet, kept) {
			t.Errorf("the fix lost %s, a plausible name the server allowed:\n%s", kept, r.Fix.Snippet)
		}
	}

	// The report names each one left out, in JSON and in text.
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Fix struct {
			Dropped []struct{ Header, Name, Why string } `json:"dropped"`
		} `json:"fix"`
	}
	if err := json.Unmarshal(buf.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	r.WriteText(&text, false)
	for header, names := range hostile {
		for _, n := range names {
			if !slices.ContainsFunc(j.Fix.Dropped, func(d struct{ Header, Name, Why string }) bool {
				return d.Header == header && d.Name == n && d.Why != ""
			}) {
				t.Errorf("--json fix.dropped lacks %s from %s: %+v", n, header, j.Fix.Dropped)
			}
			if !strings.Contains(text.String(), `"`+strings.ReplaceAll(n, `"`, `\"`)+`" from the server's `+header) {
				t.Errorf("the text report does not name %s from %s:\n%s", n, header, text.String())
			}
		}
	}

	// Each snippet is code: its own parser takes it.
	dir := t.TempDir()
	for _, tc := range []struct {
		stack, bin, file, prefix string
		args                     []string
	}{
		{"php", "php", "fix.php", "<?php\n", []string{"-l"}},
		{"express", "node", "fix.js", "", []string{"--check"}},
		{"flask", "/usr/bin/python3", "fix.py", "", []string{"-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')"}},
	} {
		bin, err := exec.LookPath(tc.bin)
		if err != nil {
			t.Logf("*** %s not found: the %s snippet is NOT PROVED to parse ***", tc.bin, tc.stack)
			continue
		}
		file := filepath.Join(dir, tc.file)
		os.WriteFile(file, []byte(tc.prefix+r.Fix.Snippets[tc.stack]), 0o600)
		if out, err := exec.Command(bin, append(tc.args, file)...).CombinedOutput(); err != nil {
			t.Errorf("%s snippet does not parse: %v\n%s\n%s", tc.stack, err, out, r.Fix.Snippets[tc.stack])
		}
	}
}
