package web

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
)

// CommandOut is the corskit check command line of the form as it stands,
// which the page shows while the user types: check.Options.Command, the
// same the CLI and a check's answer give, so the page builds none itself.
type CommandOut struct {
	Command string `json:"command"`
}

// command answers /api/command: the body is a CheckIn, as for /api/check,
// but nothing is sent; an empty URL or origin shows as URL or ORIGIN.
func (s *Server) command(_ context.Context, body []byte) (any, int) {
	var in CheckIn
	if err := json.Unmarshal(body, &in); err != nil {
		return apiError{Error: "the body is not a check: " + err.Error()}, http.StatusBadRequest
	}
	o := in.options(s.Timeout)
	o.URL, o.Origin = cmp.Or(o.URL, "URL"), cmp.Or(o.Origin, "ORIGIN")
	return CommandOut{Command: o.Command()}, http.StatusOK
}
