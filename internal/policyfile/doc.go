// Package policyfile is the implementation of package policy and the YAML
// document beneath it: a parsed policy file whose mappings hold policy keys
// and, for corskit's gateway and linter, keys they read themselves (routes,
// upstream), as yaml.Node values with their positions. It is internal so
// that policy's public API carries no third-party type; package policy
// forwards to it.
package policyfile
