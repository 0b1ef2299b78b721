package gen_test

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// frameworkCase is one policy a framework target is checked with.
type frameworkCase struct {
	name string
	cfg  cors.Config
	// hostile: the values are the hostile policy's, written with
	// --best-effort; its origins are checked only for app.example.com.
	hostile bool
}

// frameworkCases are the policies the framework targets (which do not run
// here) are checked with: every branch of their writers, and the hostile
// policy.
func frameworkCases(target string) []frameworkCase {
	var out []frameworkCase
	for _, p := range policies {
		if anyHeader(p.cfg) || (target == "spring" && p.name == "regexp") {
			continue // refused: allow_headers: *, and regular expressions for Spring
		}
		out = append(out, frameworkCase{name: p.name, cfg: p.cfg})
	}
	return append(out, frameworkCase{name: "percent", cfg: percentPolicy}, frameworkCase{name: "hostile", cfg: hostilePolicy, hostile: true})
}

// percentPolicy holds names that a Symfony container would read as its
// parameters (%kernel.project_dir%) were their % not doubled; % is an
// HTTP token character, so cors.New accepts them.
var percentPolicy = cors.Config{AllowOrigins: []string{"https://app.example.com", "https://*.example.com"}, AllowMethods: []string{"M%kernel.debug%"},
	AllowHeaders: []string{"X-%kernel.project_dir%", "X-%%", "X-%"}, ExposeHeaders: []string{"X-%PATH%"}, MaxAge: 60}

// symfonyParameter matches what Symfony's ParameterBag::resolveString
// reads in a configuration string: %% (one %) or a %name% reference.
var symfonyParameter = regexp.MustCompile(`%%|%([^%\s]+)%`)

// symfonyResolve reads s as the Symfony container reads a configuration
// string; a parameter reference is an error (the value would be replaced).
func symfonyResolve(t *testing.T, xs []string) []string {
	t.Helper()
	out := []string{}
	for _, s := range xs {
		out = append(out, symfonyParameter.ReplaceAllStringFunc(s, func(m string) string {
			if m != "%%" {
				t.Errorf("%q holds the Symfony parameter reference %s", s, m)
			}
			return "%"
		}))
	}
	return out
}

// generateCase generates target for c, with --best-effort for the hostile
// policy only.
func generateCase(t *testing.T, target string, c frameworkCase) string {
	t.Helper()
	if c.hostile {
		return hostileGenerate(t, target, gen.Options{})
	}
	return generate(t, target, gen.Options{Policy: c.cfg})
}

// wantMethods are the methods a target lists for cfg: the safelisted ones,
// then the policy's.
func wantMethods(cfg cors.Config) []string {
	out := []string{"GET", "HEAD", "POST"}
	for _, m := range cfg.AllowMethods {
		if m = headers.NormalizeMethod(m); m != "*" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// checkAdmitted compares, origin by origin, what a framework's
// configuration admits with what the policy allows.
func checkAdmitted(t *testing.T, target string, c frameworkCase, origins []string, admitted []bool) {
	t.Helper()
	if len(admitted) != len(origins) {
		t.Fatalf("%s %s: %d answers for %d origins", target, c.name, len(admitted), len(origins))
	}
	for i, o := range origins {
		if c.hostile && o != "https://app.example.com" {
			continue
		}
		if want := allows(c.cfg, browser.Request{Origin: o, Method: "GET"}); admitted[i] != want {
			t.Errorf("%s %s: origin %s admitted=%v; the policy says %v", target, c.name, o, admitted[i], want)
		}
	}
}

// frameworkOrigins are the origins asked about: the matrix's, and one
// that holds an allowed origin as its prefix (an unanchored pattern's
// mistake).
var frameworkOrigins = append(slices.Clone(reqOrigins), "https://app.example.com.evil.test", "http://localhost:3000.evil.test")

// runJSON runs bin with args and stdin, and decodes its standard output.
func runJSON(t *testing.T, stdin []byte, out any, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(string(stdin))
	b, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("%s %v: %v\n%s%s", bin, args, err, msg, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %v printed %q: %v", bin, args, b, err)
	}
}

// laravelReader prints config/cors.php's array (argv[1]) and, for each
// origin on stdin, whether HandleCors's php-cors would admit it: listed in
// allowed_origins (or '*'), or matched by a pattern with preg_match.
const laravelReader = `<?php
$c = require $argv[1];
$admitted = [];
foreach (json_decode(file_get_contents('php://stdin')) as $o) {
    $ok = in_array('*', $c['allowed_origins'], true) || in_array($o, $c['allowed_origins'], true);
    foreach ($c['allowed_origins_patterns'] as $re) { $ok = $ok || preg_match($re, $o) === 1; }
    $admitted[] = $ok;
}
echo json_encode(['config' => $c, 'admitted' => $admitted], JSON_INVALID_UTF8_SUBSTITUTE);
`

// TestFrameworkLaravel: Laravel 9+ is not packaged here, so config/cors.php
// is checked as Laravel reads it: php -l accepts it, php returns an array
// with exactly the documented keys, each value is the policy's byte for
// byte, and its origins and patterns (preg_match, as php-cors matches
// them) admit exactly the policy's origins.
func TestFrameworkLaravel(t *testing.T) {
	t.Parallel()
	php := servertest.Need(t, "php")
	dir := t.TempDir()
	reader := filepath.Join(dir, "reader.php")
	os.WriteFile(reader, []byte(laravelReader), 0o600)
	in, _ := json.Marshal(frameworkOrigins)
	keys := []string{"allowed_headers", "allowed_methods", "allowed_origins", "allowed_origins_patterns", "exposed_headers", "max_age", "paths", "supports_credentials"}
	for _, c := range frameworkCases("laravel") {
		file := filepath.Join(dir, c.name+"-cors.php")
		src := generateCase(t, "laravel", c)
		os.WriteFile(file, []byte(src), 0o600)
		if out, err := exec.Command(php, "-l", file).CombinedOutput(); err != nil {
			t.Fatalf("%s: php -l: %v\n%s\n%s", c.name, err, out, src)
		}
		var got struct {
			Config   map[string]any `json:"config"`
			Admitted []bool         `json:"admitted"`
		}
		runJSON(t, in, &got, php, reader, file)
		if k := slices.Sorted(maps.Keys(got.Config)); !slices.Equal(k, keys) {
			t.Errorf("%s: keys %q, want Laravel's %q", c.name, k, keys)
		}
		str := func(key string) []string { return anyStrings(got.Config[key]) }
		if !slices.Equal(str("allowed_methods"), wantMethods(c.cfg)) || !slices.Equal(str("allowed_headers"), c.cfg.AllowHeaders) || !slices.Equal(str("exposed_headers"), orEmpty(c.cfg.ExposeHeaders)) {
			t.Errorf("%s: methods %q headers %q exposed %q, want %q %q %q", c.name, str("allowed_methods"), str("allowed_headers"), str("exposed_headers"), wantMethods(c.cfg), c.cfg.AllowHeaders, c.cfg.ExposeHeaders)
		}
		if got.Config["supports_credentials"] != c.cfg.AllowCredentials || got.Config["max_age"] != float64(max(c.cfg.MaxAge, 0)) {
			t.Errorf("%s: supports_credentials %v max_age %v", c.name, got.Config["supports_credentials"], got.Config["max_age"])
		}
		checkAdmitted(t, "laravel", c, frameworkOrigins, got.Admitted)
		if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
			t.Fatalf("%s: a value ran as code", c.name)
		}
	}
}

// nelmioReader prints, for each origin on stdin, whether NelmioCorsBundle
// would admit it with the allow_origin list and origin_regex given as JSON
// in argv[1]: '*', the list (strict), or preg_match('{'.$re.'}i') for each
// regex, as the bundle's CorsListener::checkOrigin does.
const nelmioReader = `<?php
$c = json_decode($argv[1], true);
$admitted = [];
foreach (json_decode(file_get_contents('php://stdin')) as $o) {
    $ok = in_array('*', $c['allow_origin'], true);
    if ($c['origin_regex']) { foreach ($c['allow_origin'] as $re) { $ok = $ok || preg_match('{'.$re.'}i', $o) === 1; } }
    else { $ok = $ok || in_array($o, $c['allow_origin'], true); }
    $admitted[] = $ok;
}
echo json_encode($admitted);
`

// nelmioKeys are NelmioCorsBundle's documented keys of defaults: and of a
// paths: entry.
var nelmioKeys = []string{"allow_credentials", "allow_origin", "allow_headers", "allow_methods", "allow_private_network", "expose_headers", "max_age", "hosts", "origin_regex", "forced_allow_origin_value", "skip_same_as_origin"}

// TestFrameworkSymfony: NelmioCorsBundle is not packaged here, so
// nelmio_cors.yaml is read with yaml.v3: only the bundle's documented keys,
// the policy's values byte for byte, a '^/' path so the defaults apply, and
// origins that PHP's preg_match (as the bundle calls it) admits exactly as
// the policy does.
func TestFrameworkSymfony(t *testing.T) {
	t.Parallel()
	php := servertest.Need(t, "php")
	reader := filepath.Join(t.TempDir(), "reader.php")
	os.WriteFile(reader, []byte(nelmioReader), 0o600)
	in, _ := json.Marshal(frameworkOrigins)
	for _, c := range frameworkCases("symfony") {
		src := generateCase(t, "symfony", c)
		var doc map[string]map[string]map[string]any
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatalf("%s: not the bundle's shape: %v\n%s", c.name, err, src)
		}
		n := doc["nelmio_cors"]
		if len(doc) != 1 || len(n) != 2 || n["paths"] == nil || n["defaults"] == nil {
			t.Fatalf("%s: want nelmio_cors: with defaults: and paths: only\n%s", c.name, src)
		}
		if v, ok := n["paths"]["^/"]; !ok || v != nil || len(n["paths"]) != 1 {
			t.Errorf("%s: paths %v, want '^/': ~", c.name, n["paths"])
		}
		d := n["defaults"]
		for k := range d {
			if !slices.Contains(nelmioKeys, k) {
				t.Errorf("%s: defaults.%s is not one of the bundle's keys", c.name, k)
			}
		}
		lower := make([]string, len(c.cfg.AllowHeaders))
		for i, h := range c.cfg.AllowHeaders {
			lower[i] = strings.ToLower(h)
		}
		if got := symfonyResolve(t, anyStrings(d["allow_methods"])); !slices.Equal(got, wantMethods(c.cfg)) {
			t.Errorf("%s: allow_methods %q", c.name, got)
		}
		if got := symfonyResolve(t, anyStrings(d["allow_headers"])); !slices.Equal(got, lower) {
			t.Errorf("%s: allow_headers %q, want %q", c.name, got, lower)
		}
		if got := symfonyResolve(t, anyStrings(d["expose_headers"])); !slices.Equal(got, orEmpty(c.cfg.ExposeHeaders)) {
			t.Errorf("%s: expose_headers %q", c.name, got)
		}
		if d["allow_credentials"] != c.cfg.AllowCredentials || d["max_age"] != max(c.cfg.MaxAge, 0) {
			t.Errorf("%s: allow_credentials %v max_age %v", c.name, d["allow_credentials"], d["max_age"])
		}
		arg, _ := json.Marshal(map[string]any{"allow_origin": symfonyResolve(t, anyStrings(d["allow_origin"])), "origin_regex": d["origin_regex"]})
		var admitted []bool
		runJSON(t, in, &admitted, php, reader, string(arg))
		checkAdmitted(t, "symfony", c, frameworkOrigins, admitted)
	}
}

// anyStrings is a decoded list of strings.
func anyStrings(v any) []string {
	out := []string{}
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// orEmpty is xs, or an empty list for nil.
func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// execOut runs bin with args and returns its combined output.
func execOut(bin string, args ...string) ([]byte, error) {
	return exec.Command(bin, args...).CombinedOutput()
}
