package browserwire

import (
	"sort"
	"strings"

	"github.com/chromedp/cdproto/network"
)

// HeaderMap is the headers of a CDP event with string values.
func HeaderMap(h network.Headers) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// HARPair is one header as a HAR file lists it.
type HARPair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HARPairs returns a header map as HAR's list, a header Chromium joined
// with newlines as one pair per value.
func HARPairs(m map[string]string) []HARPair {
	out := []HARPair{}
	for k, v := range m {
		for line := range strings.SplitSeq(v, "\n") {
			out = append(out, HARPair{k, line})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
