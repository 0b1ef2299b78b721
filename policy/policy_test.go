package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/policy"
)

const fullYAML = `# a complete policy
allow_origins:
  - https://app.example.com
  - https://*.example.com
allow_methods: [GET, POST, PUT]
allow_headers: [Content-Type, Authorization]
expose_headers: [X-Request-Id]
allow_credentials: true
max_age: 600
allow_private_network: true
preflight_status: 200
`

const fullJSON = `{
	"allow_origins": ["https://app.example.com", "https://*.example.com"],
	"allow_methods": ["GET", "POST", "PUT"],
	"allow_headers": ["Content-Type", "Authorization"],
	"expose_headers": ["X-Request-Id"],
	"allow_credentials": true,
	"max_age": 600,
	"allow_private_network": true,
	"preflight_status": 200
}`

var fullConfig = cors.Config{
	AllowOrigins:        []string{"https://app.example.com", "https://*.example.com"},
	AllowMethods:        []string{"GET", "POST", "PUT"},
	AllowHeaders:        []string{"Content-Type", "Authorization"},
	ExposeHeaders:       []string{"X-Request-Id"},
	AllowCredentials:    true,
	MaxAge:              600,
	AllowPrivateNetwork: true,
	PreflightStatus:     200,
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content string }{{"cors.yaml", fullYAML}, {"cors.json", fullJSON}} {
		cfg, err := policy.Load(write(t, tc.name, tc.content), nil)
		if err != nil {
			t.Fatalf("Load(%s): %v", tc.name, err)
		}
		if !reflect.DeepEqual(cfg, fullConfig) {
			t.Errorf("Load(%s):\n got  %+v\n want %+v", tc.name, cfg, fullConfig)
		}
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	t.Parallel()
	path := write(t, "cors.yaml", fullYAML)
	cfg, err := policy.Load(path, env(
		"CORS_ALLOW_ORIGINS", " https://a.example.com, https://b.example.com ,",
		"CORS_ALLOW_CREDENTIALS", "false",
		"CORS_MAX_AGE", "30",
		"CORS_EXPOSE_HEADERS", "",
		"UNRELATED", "x",
	))
	if err != nil {
		t.Fatal(err)
	}
	want := fullConfig
	want.AllowOrigins = []string{"https://a.example.com", "https://b.example.com"}
	want.AllowCredentials = false
	want.MaxAge = 30
	want.ExposeHeaders = nil
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestEnvironmentAlone(t *testing.T) {
	t.Parallel()
	cfg, err := policy.Load("", env("CORS_ALLOW_ORIGINS", "*", "CORS_ALLOW_METHODS", "GET,PATCH", "CORS_ALLOW_PRIVATE_NETWORK", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.AllowOrigins, []string{"*"}) || !reflect.DeepEqual(cfg.AllowMethods, []string{"GET", "PATCH"}) || !cfg.AllowPrivateNetwork {
		t.Errorf("got %+v", cfg)
	}
}

var loadErrorTests = []struct {
	desc    string
	file    string // file name; its content is content
	content string
	env     []string
	want    []string // each must appear in the error
}{
	{desc: "unknown key suggests the nearest", file: "cors.yaml", content: "allowed_origins: [https://a.example.com]\n",
		want: []string{`cors.yaml:1:1: unknown key "allowed_origins": did you mean allow_origins?`}},
	{desc: "unknown key in JSON", file: "cors.json", content: "{\n  \"allow_origin\": [\"https://a.example.com\"]\n}",
		want: []string{`cors.json:2:3: unknown key "allow_origin": did you mean allow_origins?`}},
	{desc: "camel case key", file: "cors.yaml", content: "allow_origins: ['*']\nmaxAge: 5\n",
		want: []string{`cors.yaml:2:1: unknown key "maxAge"`}},
	{desc: "unrelated key lists the keys", file: "cors.yaml", content: "allow_origins: ['*']\nzzz: 5\n",
		want: []string{`unknown key "zzz"; the keys are allow_origins, allow_methods`}},
	{desc: "every problem at once", file: "cors.yaml", content: "allowed_origins: [x]\nmax_age: soon\nallow_credentials: yes please\n",
		want: []string{"cors.yaml:1:1", `cors.yaml:2:10: max_age: got "soon"; want a whole number`, `cors.yaml:3:20: allow_credentials: got "yes please"; want true or false`}},
	{desc: "duplicate key", file: "cors.yaml", content: "allow_origins: ['*']\nallow_origins: ['*']\n",
		want: []string{"cors.yaml:2:1: allow_origins: appears twice"}},
	{desc: "list of mappings", file: "cors.yaml", content: "allow_origins:\n  - {a: b}\n",
		want: []string{"cors.yaml:2:5: allow_origins: got a mapping; want a list of strings"}},
	{desc: "not a mapping", file: "cors.yaml", content: "- https://a.example.com\n",
		want: []string{"cors.yaml:1:1: want a mapping of policy keys"}},
	{desc: "syntax error", file: "cors.yaml", content: "allow_origins: [\n",
		want: []string{"cors.yaml: is not valid YAML or JSON"}},
	{desc: "validation error located in the file", file: "cors.yaml", content: "allow_origins:\n  - https://ok.example.com\n  - https://app.example.com/\n",
		want: []string{`cors.yaml:3:5: cors: AllowOrigins: "https://app.example.com/" has a trailing slash`, `use "https://app.example.com"`}},
	{desc: "validation error on a scalar", file: "cors.yaml", content: "allow_origins: ['*']\nmax_age: 100000\n",
		want: []string{`cors.yaml:2:10: cors: MaxAge: "100000" is more than 86400`}},
	{desc: "validation error from the environment", file: "cors.yaml", content: "allow_origins: ['https://a.example.com']\n",
		env:  []string{"CORS_ALLOW_ORIGINS", "https://b.example.com/", "CORS_ALLOW_CREDENTIALS", "true"},
		want: []string{`environment variable CORS_ALLOW_ORIGINS: cors: AllowOrigins: "https://b.example.com/" has a trailing slash`}},
	{desc: "bad environment values", file: "cors.yaml", content: "allow_origins: ['*']\n",
		env:  []string{"CORS_MAX_AGE", "10m", "CORS_ALLOW_CREDENTIALS", "maybe"},
		want: []string{`environment variable CORS_MAX_AGE: got "10m"; want a whole number`, `environment variable CORS_ALLOW_CREDENTIALS: got "maybe"; want true or false`}},
	{desc: "empty policy", file: "cors.yaml", content: "",
		want: []string{"cors: AllowOrigins: \"\" is empty"}},
	{desc: "file too large", file: "cors.yaml", content: strings.Repeat("#", policy.MaxFileSize+1),
		want: []string{"over the 1048576-byte limit"}},
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range loadErrorTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := policy.Load(path, env(tc.env...))
			if err == nil {
				t.Fatalf("Load: got no error; want %q", tc.want)
			}
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Load: got\n%s\nwant it to contain %q", msg, w)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := policy.Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load(missing): got %v; want an error naming the file", err)
	}
}

func TestConfigErrorIsReachable(t *testing.T) {
	t.Parallel()
	_, err := policy.Load(write(t, "cors.yaml", "allow_origins: ['HTTPS://A.example.com']\n"), nil)
	var ce *cors.ConfigError
	var pe *policy.Error
	if !errors.As(err, &ce) || !errors.As(err, &pe) || ce.Value != "HTTPS://A.example.com" || !strings.HasSuffix(pe.Source, "cors.yaml:1:17") {
		t.Fatalf("got %v; want a *policy.Error at 1:17 wrapping a *cors.ConfigError", err)
	}
}

// FuzzParse feeds the parser arbitrary files: it must never panic, and every
// error must be located in the file.
func FuzzParse(f *testing.F) {
	f.Add(fullYAML)
	f.Add(fullJSON)
	for _, tc := range loadErrorTests {
		if len(tc.content) < 1000 {
			f.Add(tc.content)
		}
	}
	f.Fuzz(func(t *testing.T, content string) {
		_, err := policy.Parse("f.yaml", []byte(content))
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}
