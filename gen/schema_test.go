package gen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/gen"
)

// kubePolicies are the policies the Kubernetes targets are checked with:
// the shared ones and the edges of what the Gateway API and ingress-nginx
// accept.
var kubePolicies = append(slices.Clone(policies), []policyCase{
	{"ipv6-and-null", cors.Config{AllowOrigins: []string{"http://[::1]:3000", "https://app.example.com"}, AllowMethods: []string{"PUT"}}},
	{"no-cache", cors.Config{AllowOrigins: []string{"https://app.example.com"}, MaxAge: -1}},
	{"any-method", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"X-Custom"}}},
	{"odd-header", cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowHeaders: []string{"X-Custom.Name"}}},
	{"subdomains-credentialed", cors.Config{AllowOrigins: []string{"https://*.example.com"}, AllowMethods: []string{"DELETE"}, AllowHeaders: []string{"Authorization"}, AllowCredentials: true, MaxAge: 7200}},
}...)

// decodeStrict reads JSON into v, refusing fields v's type does not have.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// TestGatewayAPIAgainstItsTypesAndSchema reads every gateway-api output
// into the Gateway API's own Go type (sigs.k8s.io/gateway-api/apis/v1,
// unknown fields refused) and validates it against the HTTPRoute CRD's
// OpenAPI schema from the same module (types, enums, patterns, lengths,
// counts, required fields); the CEL rules on the CORS filter are checked
// one by one, and the test fails if the CRD gains one it does not know. It
// then holds the filter's documented matching to the policy on the request
// matrix, for every policy the target writes without omission.
func TestGatewayAPIAgainstItsTypesAndSchema(t *testing.T) {
	schema := httpRouteSchema(t)
	knownCEL := map[string]func(v any) bool{
		// * alone in allowOrigins, allowMethods, allowHeaders.
		"!('*' in self && self.size() > 1)": func(v any) bool { l := v.([]any); return !slices.Contains(l, any("*")) || len(l) == 1 },
	}
	n := 0
	for _, pc := range kubePolicies {
		out, omitted, err := gen.Generate("gateway-api", gen.Options{Policy: pc.cfg, BestEffort: true})
		if err != nil {
			t.Errorf("%s: %v", pc.name, err)
			continue
		}
		data, err := yaml.YAMLToJSON([]byte(out))
		if err != nil {
			t.Fatalf("%s: the output is not YAML: %v\n%s", pc.name, err, out)
		}
		var route gatewayv1.HTTPRoute
		if err := decodeStrict(data, &route); err != nil {
			t.Errorf("%s: the output does not read as a gatewayv1.HTTPRoute: %v\n%s", pc.name, err, out)
			continue
		}
		var doc any
		json.Unmarshal(data, &doc)
		for _, e := range validate(schema, doc, "", knownCEL) {
			t.Errorf("%s: the HTTPRoute CRD refuses the output: %s\n%s", pc.name, e, out)
		}
		f := route.Spec.Rules[0].Filters[0]
		if f.Type != gatewayv1.HTTPRouteFilterCORS || f.CORS == nil {
			t.Fatalf("%s: the rule's filter is %q, want CORS", pc.name, f.Type)
		}
		if len(omitted) > 0 {
			continue
		}
		for _, req := range requestMatrix() {
			n++
			if got, want := gatewayAllows(f.CORS, req), allows(pc.cfg, req); got != want {
				t.Errorf("%s: %s %s %v %s: the filter, as the Gateway API documents it, allows=%v; the policy %v", pc.name, req.Origin, req.Method, req.Headers, req.Credentials, got, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no policy was written without omission: nothing was compared")
	}
	t.Logf("%d requests: the filter's documented matching equals the policy's", n)
}

// requestMatrix is every request of the shared matrix, without a URL.
func requestMatrix() []browser.Request {
	var out []browser.Request
	for _, o := range reqOrigins {
		for _, m := range reqMethods {
			for _, hs := range reqHeaders {
				for _, c := range reqCreds {
					out = append(out, browser.Request{Origin: o, Method: m, Headers: hs, Credentials: c, Body: m != "GET"})
				}
			}
		}
	}
	return out
}

// gatewayAllows is what HTTPCORSFilter's documentation promises: an origin
// listed, * or matching a "*." greedy to the left; the safelisted methods
// always; * for methods and headers (echoed with credentials); credentials
// when allowCredentials is true, never with a * answer.
func gatewayAllows(f *gatewayv1.HTTPCORSFilter, r browser.Request) bool {
	okOrigin := slices.ContainsFunc(f.AllowOrigins, func(o gatewayv1.CORSOrigin) bool {
		s := string(o)
		if s == "*" {
			return true
		}
		if scheme, host, ok := strings.Cut(s, "://*."); ok {
			rest, found := strings.CutPrefix(r.Origin, scheme+"://")
			return found && strings.HasSuffix(rest, "."+host) && len(rest) > len(host)+1
		}
		return s == r.Origin
	})
	creds := f.AllowCredentials != nil && *f.AllowCredentials
	if !okOrigin || r.Credentials == browser.Include && !creds {
		return false
	}
	m := headers.NormalizeMethod(r.Method)
	if !headers.IsSafelistedMethod(m) && !slices.ContainsFunc(f.AllowMethods, func(x gatewayv1.HTTPMethodWithWildcard) bool { return string(x) == m || x == "*" }) {
		return false
	}
	for _, h := range browser.UnsafeHeaderNames(r.Headers) {
		if !slices.ContainsFunc(f.AllowHeaders, func(x gatewayv1.HTTPHeaderName) bool { return strings.EqualFold(string(x), h) || x == "*" }) {
			return false
		}
	}
	return true
}

// httpRouteSchema is the v1 OpenAPI schema of the HTTPRoute CRD shipped in
// the Gateway API module go.mod names (standard channel).
func httpRouteSchema(t *testing.T) map[string]any {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/gateway-api").Output()
	if err != nil {
		t.Fatalf("go list -m sigs.k8s.io/gateway-api: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(dir)), "config", "crd", "standard", "gateway.networking.k8s.io_httproutes.yaml")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string
				Schema struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		t.Fatal(err)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name == "v1" {
			return v.Schema.OpenAPIV3Schema
		}
	}
	t.Fatalf("%s has no v1", file)
	return nil
}

// validate checks v against an OpenAPI v3 structural schema as the
// Kubernetes API server does for the keywords the CRD uses; CEL rules are
// checked by cel's functions, and an unknown rule is an error.
func validate(s map[string]any, v any, path string, cel map[string]func(any) bool) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	num := func(k string) (float64, bool) { f, ok := s[k].(float64); return f, ok }
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("want an object")
			return errs
		}
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := m[r.(string)]; !ok {
				bad("%s is required", r)
			}
		}
		for k, val := range m {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if path == "" || path == ".metadata" {
					continue // metadata is ObjectMeta, not in the CRD's schema
				}
				bad("unknown field %s", k)
				continue
			}
			errs = append(errs, validate(ps, val, path+"."+k, cel)...)
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			bad("want a list")
			return errs
		}
		if n, ok := num("maxItems"); ok && float64(len(l)) > n {
			bad("%d items, at most %v", len(l), n)
		}
		if n, ok := num("minItems"); ok && float64(len(l)) < n {
			bad("%d items, at least %v", len(l), n)
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range l {
				errs = append(errs, validate(items, it, fmt.Sprintf("%s[%d]", path, i), cel)...)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("want a string")
			return errs
		}
		if n, ok := num("maxLength"); ok && float64(len(str)) > n {
			bad("%q is longer than %v", str, n)
		}
		if n, ok := num("minLength"); ok && float64(len(str)) < n {
			bad("%q is shorter than %v", str, n)
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			bad("%q does not match %s", str, p)
		}
		if e := asList(s["enum"]); len(e) > 0 && !slices.Contains(e, any(str)) {
			bad("%q is not one of %v", str, e)
		}
	case "integer", "number":
		f, ok := v.(float64)
		if !ok || s["type"] == "integer" && f != float64(int64(f)) {
			bad("want an integer")
			return errs
		}
		if n, ok := num("minimum"); ok && f < n {
			bad("%v is below %v", f, n)
		}
		if n, ok := num("maximum"); ok && f > n {
			bad("%v is above %v", f, n)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean")
		}
	}
	for _, r := range asList(s["x-kubernetes-validations"]) {
		rule := r.(map[string]any)["rule"].(string)
		check, known := cel[rule]
		// A filter's field and its type agree: "filter.X must be nil if the
		// filter.type is not T" and "must be specified for T".
		if m := filterCountRule.FindStringSubmatch(rule); m != nil {
			known, check = true, func(v any) bool { return countFilters(v, m[1]) <= 1 }
		}
		if rule == "!(self.exists(f, f.type == 'RequestRedirect') && self.exists(f, f.type == 'URLRewrite'))" {
			known, check = true, func(v any) bool { return countFilters(v, "RequestRedirect") == 0 || countFilters(v, "URLRewrite") == 0 }
		}
		if m := filterTypeRule.FindStringSubmatch(rule); m != nil {
			known, check = true, func(v any) bool {
				obj, _ := v.(map[string]any)
				has, isType := obj[m[2]] != nil, obj["type"] == m[4]
				if m[1] == "" {
					return !(has && !isType)
				}
				return !(!has && isType)
			}
		}
		switch {
		case !known && strings.Contains(path, "filters"):
			bad("the CRD has a rule this test does not check: %s", rule)
		case known && !check(v):
			bad("fails %s", rule)
		}
	}
	return errs
}

// filterTypeRule is the CEL shape of the HTTPRoute filter's rules tying a
// field to its type.
var filterTypeRule = regexp.MustCompile(`^!\((!?)has\(self\.(\w+)\) && self\.type (!=|==) '(\w+)'\)$`)

// filterCountRule allows one filter of a type per rule.
var filterCountRule = regexp.MustCompile(`^self\.filter\(f, f\.type == '(\w+)'\)\.size\(\) <= 1$`)

// countFilters counts the filters of type typ in a list of filters.
func countFilters(v any, typ string) int {
	n := 0
	for _, f := range asList(v) {
		if m, _ := f.(map[string]any); m["type"] == typ {
			n++
		}
	}
	return n
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestIngressNginxAgainstItsTypesAndParser reads every ingress-nginx output
// into Kubernetes' networking/v1 Ingress (unknown fields refused), checks
// each CORS annotation against what ingress-nginx's annotation parser
// accepts (a value it refuses falls back to its defaults: every origin,
// credentials, a 20-day cache, Authorization allowed), and holds the
// controller's matching (origins as a case-insensitive regular expression
// with * as one label, the lists sent as written) to the policy on the
// request matrix.
func TestIngressNginxAgainstItsTypesAndParser(t *testing.T) {
	accepts := map[string]*regexp.Regexp{
		"enable-cors":            regexp.MustCompile(`^(true|false)$`),
		"cors-allow-origin":      regexp.MustCompile(`^((((([a-z]+://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)|null)+)|\*)?$`),
		"cors-allow-methods":     regexp.MustCompile(`^([A-Za-z]+,?\s?)+$`),
		"cors-allow-headers":     regexp.MustCompile(`^[A-Za-z0-9-_, ]+$`),
		"cors-expose-headers":    regexp.MustCompile(`^(([A-Za-z0-9\-\_]+|\*),?\s?)+$`),
		"cors-allow-credentials": regexp.MustCompile(`^(true|false)$`),
		"cors-max-age":           regexp.MustCompile(`^[0-9]+$`),
	}
	n := 0
	for _, pc := range kubePolicies {
		out, omitted, err := gen.Generate("ingress-nginx", gen.Options{Policy: pc.cfg, BestEffort: true})
		if err != nil {
			t.Errorf("%s: %v", pc.name, err)
			continue
		}
		data, err := yaml.YAMLToJSON([]byte(out))
		if err != nil {
			t.Fatalf("%s: not YAML: %v", pc.name, err)
		}
		var ing networkingv1.Ingress
		if err := decodeStrict(data, &ing); err != nil {
			t.Errorf("%s: the output does not read as a networking/v1 Ingress: %v\n%s", pc.name, err, out)
			continue
		}
		a := map[string]string{}
		for k, v := range ing.Annotations {
			name, ok := strings.CutPrefix(k, "nginx.ingress.kubernetes.io/")
			re := accepts[name]
			if !ok || re == nil {
				t.Errorf("%s: annotation %s is not one of ingress-nginx's CORS annotations", pc.name, k)
				continue
			}
			if !re.MatchString(strings.ReplaceAll(v, " ", "")) { // the parser removes spaces first
				t.Errorf("%s: ingress-nginx refuses %s: %q (and falls back to its default)", pc.name, name, v)
			}
			a[name] = v
		}
		for _, must := range []string{"enable-cors", "cors-allow-origin", "cors-allow-credentials", "cors-max-age", "cors-allow-headers"} {
			if _, ok := a[must]; !ok {
				t.Errorf("%s: %s is missing; ingress-nginx's default would apply", pc.name, must)
			}
		}
		if len(omitted) > 0 {
			continue
		}
		for _, req := range requestMatrix() {
			n++
			if got, want := ingressAllows(a, req), allows(pc.cfg, req); got != want {
				t.Errorf("%s: %s %s %v %s: ingress-nginx with %v allows=%v; the policy %v", pc.name, req.Origin, req.Method, req.Headers, req.Credentials, a, got, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("nothing was compared")
	}
	t.Logf("%d requests: ingress-nginx's matching equals the policy's", n)
}

// ingressAllows is what ingress-nginx's template does with the annotations:
// every origin listed becomes an alternative of a case-insensitive
// expression anchored at the end, with its * as one label; a * alone sends
// Access-Control-Allow-Origin: *; the lists are sent as written.
func ingressAllows(a map[string]string, r browser.Request) bool {
	var alts []string
	star := false
	for o := range strings.SplitSeq(a["cors-allow-origin"], ",") {
		o = strings.TrimSpace(o)
		if o == "*" {
			star = true
		}
		alts = append(alts, "("+strings.Replace(regexp.QuoteMeta(o), `\*`, `[A-Za-z0-9\-]+`, 1)+")")
	}
	if !star && !regexp.MustCompile("(?i)("+strings.Join(alts, "|")+")$").MatchString(r.Origin) {
		return false
	}
	if r.Credentials == browser.Include && (star || a["cors-allow-credentials"] != "true") {
		return false
	}
	list := func(k string) []string {
		var out []string
		for v := range strings.SplitSeq(a[k], ",") {
			out = append(out, strings.ToLower(strings.TrimSpace(v)))
		}
		return out
	}
	m := headers.NormalizeMethod(r.Method)
	if !headers.IsSafelistedMethod(m) && !slices.Contains(list("cors-allow-methods"), strings.ToLower(m)) {
		return false
	}
	for _, h := range browser.UnsafeHeaderNames(r.Headers) {
		if !slices.Contains(list("cors-allow-headers"), h) {
			return false
		}
	}
	return true
}
