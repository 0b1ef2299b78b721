package check

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/corskit/corskit/browser"
)

// orderedHeaders is a JSON object of header names to values, read in the
// order it is written: the order in which a page sets its headers decides
// which refused header WebKit names.
type orderedHeaders []browser.Header

// UnmarshalJSON reads {"name": "value", ...} in order; null is no header.
func (h *orderedHeaders) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*h = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("the headers are %s, not an object of names to values", data)
	}
	var out orderedHeaders
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var value string
		if err := dec.Decode(&value); err != nil {
			return fmt.Errorf("header %q: %v", name, err)
		}
		out = append(out, browser.Header{Name: name, Value: value})
	}
	*h = out
	return nil
}
