package policyfile

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/corskit/corskit/cors"
)

// Error is a problem with one value of a policy, located in its source.
type Error struct {
	// Source is where the value came from: "cors.yaml:3:5" or
	// "environment variable CORS_MAX_AGE".
	Source string
	// Key is the policy key, e.g. "allow_origins"; empty for the whole file.
	Key string
	// Err says what is wrong; a *cors.ConfigError for a value the middleware
	// refuses.
	Err error
}

func (e *Error) Error() string {
	if e.Key == "" {
		return e.Source + ": " + e.Err.Error()
	}
	return e.Source + ": " + e.Key + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// field is one policy key and the Config field it fills.
type field struct {
	key   string // allow_origins
	env   string // CORS_ALLOW_ORIGINS
	name  string // AllowOrigins
	index int
	kind  reflect.Kind
}

// fields lists the policy keys, read from cors.Config's yaml tags so that the
// file format can never drift from the Go type.
var fields = func() []field {
	var out []field
	t := reflect.TypeFor[cors.Config]()
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		out = append(out, field{key: key, env: "CORS_" + strings.ToUpper(key), name: f.Name, index: i, kind: f.Type.Kind()})
	}
	return out
}()

// Keys returns the policy keys a file may hold.
func Keys() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// Load reads the policy file at path (none when path is empty), applies the
// environment through lookup (os.LookupEnv, or nil for none), and validates
// the result with [cors.Config.Validate]. It reports every problem at once, each located
// in its source.
func Load(path string, lookup func(string) (string, bool)) (cors.Config, error) {
	var cfg cors.Config
	src := sources{}
	var errs []error
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cors.Config{}, fmt.Errorf("policy: %w; check the file's path", err)
		}
		fileCfg, fileSrc, err := parse(path, data)
		if err != nil {
			errs = append(errs, err)
		}
		cfg, src = fileCfg, fileSrc
	}
	if lookup != nil {
		if err := applyEnv(&cfg, src, lookup); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return cors.Config{}, errors.Join(errs...)
	}
	if err := cfg.Validate(); err != nil {
		return cors.Config{}, src.locate(err)
	}
	return cfg, nil
}

// sources remembers where each value came from, by key and by "key=value"
// for each list item: "cors.yaml:3:5" or "environment variable CORS_MAX_AGE".
type sources map[string]string

func (s sources) add(key, value, loc string) {
	s[key] = loc
	s[key+"="+value] = loc
}

// locate wraps each *cors.ConfigError of err in an *Error that names the
// source of the offending value.
func (s sources) locate(err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var out []error
	for _, e := range joined.Unwrap() {
		var ce *cors.ConfigError
		if !errors.As(e, &ce) {
			out = append(out, e)
			continue
		}
		out = append(out, &Error{Source: s.find(ce), Err: ce})
	}
	return errors.Join(out...)
}

func (s sources) find(ce *cors.ConfigError) string {
	for _, f := range fields {
		if f.name != ce.Field {
			continue
		}
		if loc, ok := s[f.key+"="+ce.Value]; ok {
			return loc
		}
		if loc, ok := s[f.key]; ok {
			return loc
		}
	}
	return "policy"
}
