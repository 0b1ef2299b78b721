// Package jsonout is corskit's one writer of indented JSON: every --json
// and SARIF output goes through Write, so that they all look alike.
package jsonout

import (
	"encoding/json"
	"io"
)

// Write writes v to w as JSON indented by two spaces, with a final newline
// and with <, > and & escaped as encoding/json does by default.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
