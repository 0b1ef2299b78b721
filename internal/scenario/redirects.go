package scenario

import (
	"fmt"
	"slices"

	"github.com/corskit/corskit/browser"
)

// RedirectStatuses are the statuses fetch follows (the Fetch standard's
// redirect statuses), each of which the generated scenarios use.
var RedirectStatuses = []int{301, 302, 303, 307, 308}

// Redirects returns fixed scenarios, one per redirect status and target
// (the same server, the other one), so that every run holds each status in
// each engine: a POST of text/plain (no preflight) whose answer redirects
// and passes the CORS check, to a target that allows any origin. 301, 302
// and 303 turn the POST into a GET; 307 and 308 keep it. origin is the
// page's origin.
func Redirects(origin string) []Scenario {
	var out []Scenario
	for _, status := range RedirectStatuses {
		for _, loc := range []string{"{same}", "{other}"} {
			out = append(out, Scenario{
				ID: fmt.Sprintf("redirect-%d-%s", status, loc[1:len(loc)-1]), Method: "POST",
				Headers: []browser.Header{{Name: "Content-Type", Value: "text/plain"}}, Credentials: browser.Omit,
				Preflight: Answer{Status: 204, Headers: [][2]string{{"Access-Control-Allow-Origin", origin}}},
				Actual:    Answer{Status: status, Headers: [][2]string{{"Access-Control-Allow-Origin", origin}}, Location: loc},
				Target:    &Answer{Status: 200, Headers: slices.Clone([][2]string{{"Access-Control-Allow-Origin", "*"}, {"Content-Type", "text/plain"}})},
				Mutations: []string{fmt.Sprintf("redirect %d to %s", status, loc)},
			})
		}
	}
	return out
}
