package policy

import (
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/policyfile"
)

// Error is a problem with one value of a policy, located in its source. Its
// fields are Source (where the value came from: "cors.yaml:3:5" or
// "environment variable CORS_MAX_AGE"), Key (the policy key, e.g.
// "allow_origins"; empty for the whole file) and Err (what is wrong; a
// *cors.ConfigError for a value the middleware refuses). Unwrap returns Err.
type Error = policyfile.Error

// MaxFileSize bounds a policy file; a larger one is refused before parsing.
const MaxFileSize = policyfile.MaxFileSize

// Keys returns the policy keys a file may hold.
func Keys() []string { return policyfile.Keys() }

// Parse reads a policy from data, the YAML or JSON contents of the file name
// (used in messages). Unknown keys are errors that suggest the nearest known
// key; every error gives file, line and column. Parse does not validate the
// values' meaning: [Load] does, with [cors.Config.Validate].
func Parse(name string, data []byte) (cors.Config, error) { return policyfile.Parse(name, data) }

// Load reads the policy file at path (none when path is empty), applies the
// environment through lookup (os.LookupEnv, or nil for none), and validates
// the result with [cors.Config.Validate]. It reports every problem at once,
// each located in its source.
func Load(path string, lookup func(string) (string, bool)) (cors.Config, error) {
	return policyfile.Load(path, lookup)
}

// ApplyEnv overrides cfg with the CORS_* variables that lookup finds
// (os.LookupEnv in a program). Lists are comma-separated; an empty variable
// sets an empty list. It reports every bad variable at once.
func ApplyEnv(cfg *cors.Config, lookup func(string) (string, bool)) error {
	return policyfile.ApplyEnv(cfg, lookup)
}
