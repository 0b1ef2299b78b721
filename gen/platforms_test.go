package gen_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// The platform targets checked against their documented schemas (none
// runs here), with their forms.
var platformForms = map[string][]string{
	"vercel":           {""},
	"firebase-hosting": {""},
	"netlify":          {"toml", "headers"},
	"api-gateway":      {"yaml", "json"},
	"lambda-url":       {"yaml", "json"},
}

// platformRule is one header rule as the platform reads it: the headers
// it sends, when the request's Origin matches cond (nil: always).
type platformRule struct {
	cond    *regexp.Regexp
	headers http.Header
}

// httpToken is an HTTP field name, as every platform requires of a key.
var httpToken = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// strictJSON decodes out into v, refusing fields the schema does not have.
func strictJSON(t *testing.T, out string, v any) {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(out))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// headersOf is kvs as a header, each key an HTTP token and each value one
// line.
func headersOf(t *testing.T, kvs []keyValue) http.Header {
	t.Helper()
	h := http.Header{}
	for _, kv := range kvs {
		if !httpToken.MatchString(kv.Key) || strings.ContainsAny(kv.Value, "\r\n\x00") {
			t.Errorf("header %q: %q is not a field a platform sends", kv.Key, kv.Value)
		}
		h.Set(kv.Key, kv.Value)
	}
	return h
}

// vercelSource is the path-to-regexp source every rule uses: a leading /
// and one unnamed group, which path-to-regexp reads as a regexp.
var vercelSource = regexp.MustCompile(`^/\((.*)\)$`)

// readVercel reads vercel.json as Vercel documents it: headers rules of
// source, has (type header, key, value as a regular expression) and
// headers (key, value).
func readVercel(t *testing.T, out string) []platformRule {
	var c struct {
		Headers []struct {
			Source string `json:"source"`
			Has    []struct {
				Type  string `json:"type"`
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"has"`
			Headers []keyValue `json:"headers"`
		} `json:"headers"`
	}
	strictJSON(t, out, &c)
	var rules []platformRule
	for _, r := range c.Headers {
		m := vercelSource.FindStringSubmatch(r.Source)
		if m == nil || len(r.Headers) == 0 {
			t.Fatalf("rule source %q (or no headers): not the documented form", r.Source)
		}
		if _, err := regexp.Compile(m[1]); err != nil {
			t.Errorf("source %q: %v", r.Source, err)
		}
		rule := platformRule{headers: headersOf(t, r.Headers)}
		for _, h := range r.Has {
			if h.Type != "header" || !strings.EqualFold(h.Key, "origin") {
				t.Fatalf("has %+v: not a header condition on Origin", h)
			}
			rule.cond = regexp.MustCompile(h.Value)
		}
		rules = append(rules, rule)
	}
	return rules
}

// readFirebase reads firebase.json's hosting.headers.
func readFirebase(t *testing.T, out string) []platformRule {
	var c struct {
		Hosting struct {
			Public  string `json:"public"`
			Headers []struct {
				Source  string     `json:"source"`
				Headers []keyValue `json:"headers"`
			} `json:"headers"`
		} `json:"hosting"`
	}
	strictJSON(t, out, &c)
	var rules []platformRule
	for _, r := range c.Hosting.Headers {
		if r.Source == "" || len(r.Headers) == 0 {
			t.Fatalf("rule %+v: no source glob or no headers", r)
		}
		rules = append(rules, platformRule{headers: headersOf(t, r.Headers)})
	}
	return rules
}

// readNetlifyTOML reads netlify.toml with Python's tomllib (TOML 1.0):
// [[headers]] tables of for (a path) and values (strings).
func readNetlifyTOML(t *testing.T, out string) []platformRule {
	py := servertest.Need(t, "/usr/bin/python3")
	file := filepath.Join(t.TempDir(), "netlify.toml")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	js := runOut(t, py, "-c", "import json,sys,tomllib; sys.stdout.write(json.dumps(tomllib.load(open(sys.argv[1],'rb'))))", file)
	var c struct {
		Headers []struct {
			For    string            `json:"for"`
			Values map[string]string `json:"values"`
		} `json:"headers"`
	}
	strictJSON(t, js, &c)
	var rules []platformRule
	for _, r := range c.Headers {
		if !strings.HasPrefix(r.For, "/") || len(r.Values) == 0 {
			t.Fatalf("[[headers]] %+v: for is not a path, or no values", r)
		}
		var kvs []keyValue
		for k, v := range r.Values {
			kvs = append(kvs, keyValue{k, v})
		}
		rules = append(rules, platformRule{headers: headersOf(t, kvs)})
	}
	return rules
}

// readNetlifyHeaders reads a _headers file by its documented syntax: a
// path line at the start of a line, then indented "Name: value" lines;
// lines starting with # are comments.
func readNetlifyHeaders(t *testing.T, out string) []platformRule {
	var rules []platformRule
	for n, line := range strings.Split(out, "\n") {
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#"):
		case strings.HasPrefix(line, "/"):
			rules = append(rules, platformRule{headers: http.Header{}})
		case len(rules) > 0 && (line[0] == ' ' || line[0] == '\t'):
			k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
			if !ok {
				t.Fatalf("line %d %q: not Name: value", n+1, line)
			}
			rules[len(rules)-1].headers = http.Header(headersOf(t, append(kvsOf(rules[len(rules)-1].headers), keyValue{k, strings.TrimSpace(v)})))
		default:
			t.Fatalf("line %d %q: neither a path nor an indented header", n+1, line)
		}
	}
	return rules
}

func kvsOf(h http.Header) []keyValue {
	var out []keyValue
	for k, vs := range h {
		out = append(out, keyValue{k, vs[0]})
	}
	return out
}

// readAWS reads an api-gateway or lambda-url output and checks the Cors
// object against the documented rules: types (by the decoder), no * with
// AllowCredentials, origins as scheme://host[:port] or *; for function
// URLs the documented limits (methods from GET, PUT, HEAD, POST, PATCH,
// DELETE, at most 6; 100 origins of at most 253 characters; MaxAge 0 to
// 86400). It returns the object as the rule the service applies.
func readAWS(t *testing.T, target, format, out string) []platformRule {
	c, err := gen.ReadAWSCors(out, format)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	creds := c.AllowCredentials != nil && *c.AllowCredentials
	if slices.Contains(c.AllowOrigins, "*") && creds {
		t.Errorf("AllowOrigins * with AllowCredentials: refused by AWS")
	}
	for _, o := range c.AllowOrigins {
		if o != "*" && !regexp.MustCompile(`^https?://[^/?#*\s]+$`).MatchString(o) {
			t.Errorf("AllowOrigins %q: not an origin", o)
		}
	}
	if target == "lambda-url" {
		for _, m := range c.AllowMethods {
			if !slices.Contains([]string{"GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*"}, m) {
				t.Errorf("AllowMethods %q: not one Lambda takes", m)
			}
		}
		if len(c.AllowMethods) > 6 || len(c.AllowOrigins) > 100 || len(c.AllowHeaders) > 100 || (c.MaxAge != nil && (*c.MaxAge < 0 || *c.MaxAge > 86400)) {
			t.Errorf("%+v: beyond the documented limits", c)
		}
		for _, o := range c.AllowOrigins {
			if len(o) > 253 {
				t.Errorf("origin %q: over 253 characters", o)
			}
		}
	}
	h := http.Header{}
	if len(c.AllowMethods) > 0 {
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ", "))
	}
	if len(c.AllowHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ", "))
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ", "))
	}
	if c.MaxAge != nil {
		h.Set("Access-Control-Max-Age", fmt.Sprint(*c.MaxAge))
	}
	if creds {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	var rules []platformRule
	for _, o := range c.AllowOrigins {
		r := platformRule{headers: h.Clone()}
		r.headers.Set("Access-Control-Allow-Origin", "*")
		if o != "*" {
			r.cond = regexp.MustCompile("^" + regexp.QuoteMeta(o) + "$")
			r.headers.Set("Access-Control-Allow-Origin", o)
		}
		rules = append(rules, r)
	}
	return rules
}

// readPlatform reads target's output in format by the platform's rules.
func readPlatform(t *testing.T, target, format, out string) []platformRule {
	t.Helper()
	switch target {
	case "vercel":
		return readVercel(t, out)
	case "firebase-hosting":
		return readFirebase(t, out)
	case "netlify":
		if format == "headers" {
			return readNetlifyHeaders(t, out)
		}
		return readNetlifyTOML(t, out)
	default:
		return readAWS(t, target, format, out)
	}
}

// platformAnswer is what the platform sends to a request from origin: every rule
// whose condition matches, a later one's header replacing an earlier's.
func platformAnswer(rules []platformRule, origin string) http.Header {
	out := http.Header{}
	for _, r := range rules {
		if r.cond != nil && !r.cond.MatchString(origin) {
			continue
		}
		for k, v := range r.headers {
			out[k] = v
		}
	}
	return out
}

func runOut(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := execOutput(name, args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return out
}

// TestPlatformsAgainstTheirSchemas: for every policy, each platform's
// output (best effort: what it cannot hold is left out) is read by the
// platform's documented rules, and the answers it makes the platform send
// allow exactly the origins the output kept, with the policy's methods,
// headers, exposed headers, max-age and credentials; the left-out parts
// are named.
func TestPlatformsAgainstTheirSchemas(t *testing.T) {
	t.Parallel()
	for target, forms := range platformForms {
		for _, format := range forms {
			for _, p := range policies {
				t.Run(target+"/"+format+"/"+p.name, func(t *testing.T) {
					t.Parallel()
					out, omitted, err := gen.Generate(target, gen.Options{Policy: p.cfg, Format: format, BestEffort: true})
					if err != nil {
						if strings.Contains(err.Error(), "cannot express any of the policy's origins") {
							return // a policy of patterns alone: refused, as it should be
						}
						t.Fatal(err)
					}
					checkPlatformAnswers(t, target, p.cfg, omitted, readPlatform(t, target, format, out))
				})
			}
		}
	}
}

// checkPlatformAnswers sends, through rules, a request from each origin
// of the policy and from lookalikes, and compares what a browser reads of
// the answers with the policy as the output kept it.
func checkPlatformAnswers(t *testing.T, target string, c cors.Config, omitted []gen.Omission, rules []platformRule) {
	t.Helper()
	left := map[string]bool{}
	for _, om := range omitted {
		left[strings.TrimPrefix(strings.TrimPrefix(om.Part, "origin pattern "), "origin ")] = true
	}
	for _, o := range append(slices.Clone(c.AllowOrigins), "https://evil.example.com", "https://appXexample.com", "https://app.example.com.evil.example") {
		if strings.Contains(o, "*") && o != "*" || strings.HasPrefix(o, "re:") {
			continue
		}
		from := o
		if o == "*" {
			from = "https://any.example.net"
		}
		h := platformAnswer(rules, from)
		want := ""
		switch {
		case slices.Contains(c.AllowOrigins, "*"):
			want = "*"
		case slices.Contains(c.AllowOrigins, o) && !left[o]:
			want = o
		}
		// A static rule sends its one origin to every caller: the browser
		// reads the answer when Access-Control-Allow-Origin is * or the
		// caller's own origin.
		got := h.Get("Access-Control-Allow-Origin")
		if (got == "*" || got == from) != (want != "") || (want != "" && got != want) {
			t.Errorf("%s: from %s, Access-Control-Allow-Origin %q, want %q (left out: %v)", target, from, got, want, omitted)
		}
		if want == "" {
			continue
		}
		if got := h.Get("Access-Control-Allow-Credentials"); (got == "true") != c.AllowCredentials {
			t.Errorf("%s: Access-Control-Allow-Credentials %q with the policy's %v", target, got, c.AllowCredentials)
		}
		for _, m := range c.AllowMethods {
			if !slices.Contains(items(h.Get("Access-Control-Allow-Methods")), m) && !left["method "+m] {
				t.Errorf("%s: method %s not allowed: %q", target, m, h.Get("Access-Control-Allow-Methods"))
			}
		}
		if !anyHeader(c) && !sameItems(h.Get("Access-Control-Allow-Headers"), c.AllowHeaders, true) {
			t.Errorf("%s: Access-Control-Allow-Headers %q, want %q", target, h.Get("Access-Control-Allow-Headers"), c.AllowHeaders)
		}
		if !sameItems(h.Get("Access-Control-Expose-Headers"), c.ExposeHeaders, false) {
			t.Errorf("%s: Access-Control-Expose-Headers %q, want %q", target, h.Get("Access-Control-Expose-Headers"), c.ExposeHeaders)
		}
		if c.MaxAge > 0 && h.Get("Access-Control-Max-Age") != fmt.Sprint(c.MaxAge) {
			t.Errorf("%s: Access-Control-Max-Age %q, want %d", target, h.Get("Access-Control-Max-Age"), c.MaxAge)
		}
	}
}

// execOutput runs name and returns its standard output (with its standard
// error when it fails).
func execOutput(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out) + stderr.String(), err
	}
	return string(out), nil
}

// TestHostileValuesOnPlatforms: the hostile policy's values (quotes,
// backslashes, $, #, backticks, comment ends, a source name holding line
// breaks) written by each platform target come back byte for byte from
// the platform's own reader (encoding/json, tomllib, YAML, the _headers
// syntax), and nothing of them leaves its string or comment.
func TestHostileValuesOnPlatforms(t *testing.T) {
	t.Parallel()
	for target, forms := range platformForms {
		for _, format := range forms {
			t.Run(target+"/"+format, func(t *testing.T) {
				t.Parallel()
				out := hostileGenerate(t, target, gen.Options{Format: format})
				h := platformAnswer(readPlatform(t, target, format, out), "https://app.example.com")
				if got := h.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
					t.Errorf("Access-Control-Allow-Origin %q", got)
				}
				methods := append(slices.Clone(safelisted), hostileMethods...)
				if target == "lambda-url" {
					methods = append(slices.Clone(safelisted), "PUT") // the others are not methods Lambda takes
				}
				if got := h.Get("Access-Control-Allow-Methods"); !sameItems(got, methods, false) {
					t.Errorf("Access-Control-Allow-Methods %q, want %q", got, methods)
				}
				if got := h.Get("Access-Control-Allow-Headers"); !sameItems(got, hostileHeaders, false) {
					t.Errorf("Access-Control-Allow-Headers %q, want %q", got, hostileHeaders)
				}
				if got := h.Get("Access-Control-Expose-Headers"); !sameItems(got, hostileExpose, false) {
					t.Errorf("Access-Control-Expose-Headers %q, want %q", got, hostileExpose)
				}
				if strings.Contains(out, "\n<?php") || strings.Contains(out, "\u2028") {
					t.Errorf("the hostile source left its comment:\n%s", out)
				}
			})
		}
	}
}

// TestPlatformsRecognized: the platforms' marks, as their documentation
// names them, name the stack; Cloudflare's (its network, not proof of a
// Worker) and a function URL's (x-amzn-requestid, shared with other AWS
// services) only by rank ByServer, so an app's own marks win.
func TestPlatformsRecognized(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		a      gen.Answer
		want   string
		rankBy gen.Rank
	}{
		{"x-vercel-id", gen.Answer{Header: http.Header{"Server": {"Vercel"}, "X-Vercel-Id": {"fra1::iad1::abcde-1700000000000-0123456789ab"}}}, "vercel", gen.ByApp},
		{"Server: Vercel", gen.Answer{Header: http.Header{"Server": {"Vercel"}}}, "vercel", gen.ByServer},
		{"x-nf-request-id", gen.Answer{Header: http.Header{"Server": {"Netlify"}, "X-Nf-Request-Id": {"01HABCDEF"}}}, "netlify", gen.ByApp},
		{"Server: Netlify", gen.Answer{Header: http.Header{"Server": {"Netlify"}}}, "netlify", gen.ByServer},
		{"cf-ray", gen.Answer{Header: http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"8a1b2c3d4e5f6789-FRA"}}}, "cloudflare-workers", gen.ByServer},
		{"Express behind Cloudflare", gen.Answer{Header: http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"8a1b-FRA"}, "X-Powered-By": {"Express"}}}, "express", gen.ByApp},
		{"apigw-requestid", gen.Answer{Header: http.Header{"Apigw-Requestid": {"Zx1abcDEFgHIJ="}}}, "api-gateway", gen.ByApp},
		{"a REST API (v1) is not a function URL", gen.Answer{Header: http.Header{"X-Amzn-Requestid": {"0f1e"}, "X-Amzn-Trace-Id": {"root=1-abc"}, "X-Amz-Apigw-Id": {"Abc="}}}, "", gen.NoEvidence},
		{"function URL", gen.Answer{Header: http.Header{"X-Amzn-Requestid": {"0f1e2d3c-aaaa"}, "X-Amzn-Trace-Id": {"root=1-abc"}}}, "lambda-url", gen.ByServer},
		{"Firebase Hosting's 404", gen.Answer{Status: 404, Body: []byte("<!DOCTYPE html>\n<html><head><title>Page Not Found</title></head><body><h1>Page Not Found</h1><p>This file does not exist and there was no index.html found in the current directory or 404.html in the root directory.</p></body></html>")}, "firebase-hosting", gen.ByApp},
	} {
		got, ev := gen.Recognize(c.a)
		if got != c.want || ev.Rank != c.rankBy || (got != "" && ev.From == "") {
			t.Errorf("%s: got %q %+v, want %q by rank %d", c.name, got, ev, c.want, c.rankBy)
		}
	}
	// The causes the answers themselves show.
	dup := gen.Answer{Header: http.Header{"Access-Control-Allow-Origin": {"https://a.example", "https://a.example"}, "X-Amzn-Requestid": {"x"}}}
	s, _ := gen.LookupStack("lambda-url")
	if i := slices.IndexFunc(s.Causes, func(c gen.Cause) bool { return c.Seen != nil && c.Seen(dup) }); i < 0 || s.Causes[i].ID != "lambda-url-duplicate-headers" {
		t.Errorf("a function URL's doubled Access-Control-Allow-Origin is not named lambda-url-duplicate-headers")
	}
}
