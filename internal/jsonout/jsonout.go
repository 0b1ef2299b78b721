// Package jsonout writes the JSON that corskit's commands print: one value,
// indented by two spaces, and a newline. Every --json output and report
// writer goes through Write, so that they all look alike.
package jsonout

import (
	"encoding/json"
	"io"
)

// Write writes v to w as indented JSON followed by a newline, and returns
// the encoding's or the write's error.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
