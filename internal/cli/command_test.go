package cli

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// TestCommandRoundTrip builds check.Options with every field set, turns them
// into Command(), parses that back with corskit check's parser, and wants
// the same Options: a field added to Options that Command does not write
// fails here, through the reflection over the struct's fields.
func TestCommandRoundTrip(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "it's rules.json")
	if err := os.WriteFile(rules, []byte(`{"CORSRules": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	full := check.Options{
		URL: "http://127.0.0.1:5000/data?a=1&b=two words", Origin: "http://localhost:3000",
		AlsoOrigins: []string{"https://app.example", "http://localhost:5173"},
		Method:      "PATCH", Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Note", Value: "it's"}},
		Credentials: browser.Include, Body: `{"a": "b'c"}`, Read: []string{"X-Total", "ETag"},
		Stack: "express", Rules: []byte(`{"CORSRules": []}`), RulesFile: rules, Timeout: 3 * time.Second,
		Insecure: true, PageAddressSpace: browser.AddressSpace("public"), SendActual: true, Browser: "firefox",
	}
	noBody := full
	noBody.Body, noBody.NoBody = "", true
	cases := []check.Options{full, noBody}
	for i := 0; i < reflect.TypeOf(full).NumField(); i++ {
		f := reflect.TypeOf(full).Field(i)
		if !f.IsExported() {
			continue // the library's own state (the probe's header name), not an option a user gives
		}
		set := false
		for _, c := range cases {
			set = set || !reflect.ValueOf(c).Field(i).IsZero()
		}
		if !set {
			t.Errorf("check.Options.%s is set in no case of this test: add it, and make Command() write it", f.Name)
		}
	}
	for _, want := range cases {
		cmd := want.Command()
		args, err := check.SplitCommand(cmd)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if len(args) < 2 || args[0] != "corskit" || args[1] != "check" {
			t.Fatalf("Command() = %q: not corskit check", cmd)
		}
		o, err := parseCheck(args[2:], io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		got := o.checkOptions(first(o.origins), first(o.methods))
		for i := 0; i < reflect.TypeOf(want).NumField(); i++ {
			if !reflect.TypeOf(want).Field(i).IsExported() {
				continue
			}
			g, w := reflect.ValueOf(got).Field(i).Interface(), reflect.ValueOf(want).Field(i).Interface()
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s\nOptions.%s: got %#v back, want %#v", cmd, reflect.TypeOf(want).Field(i).Name, g, w)
			}
		}
	}
}

// TestValidateErrorsSpeakFlags: check.Options.Validate names Options
// fields; the CLI's stderr names the flags that set them.
func TestValidateErrorsSpeakFlags(t *testing.T) {
	var out, errOut strings.Builder
	Run([]string{"check", "http://127.0.0.1:9/x", "--origin", "localhost:3000/app", "--also-origin", "http://b.test/p", "-d", "x"}, &out, &errOut)
	got := errOut.String()
	for _, want := range []string{`--origin "localhost:3000/app" is not an origin`, `--also-origin "http://b.test/p" is not an origin`, "-d with -X GET", "use -X POST"} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Options.") {
		t.Errorf("stderr names the library's fields:\n%s", got)
	}
}
