package record

import (
	"net/url"
	"slices"
	"strings"
)

// Endpoint is the summary of one method and path of one origin.
type Endpoint struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Count   int    `json:"count"`
	Blocked int    `json:"blocked"`
	// Engines are the engines of the model that block it, with the
	// recorded engine when it did.
	Engines []string `json:"engines,omitempty"`
	// Reasons are the reasons given, each once.
	Reasons []string `json:"reasons,omitempty"`
}

// OriginSummary is the summary of one server origin the app called.
type OriginSummary struct {
	Origin    string     `json:"origin"`
	Blocked   int        `json:"blocked"`
	Endpoints []Endpoint `json:"endpoints"`
}

// Summary groups the results by the server's origin and endpoint (method
// and path, without the query), the blocked first, then in the order met.
func (s Session) Summary() []OriginSummary {
	var out []OriginSummary
	for _, r := range s.Results {
		origin, path := originOf(r.URL), r.URL
		if u, err := url.Parse(r.URL); err == nil {
			path = u.EscapedPath()
		}
		i := slices.IndexFunc(out, func(o OriginSummary) bool { return o.Origin == origin })
		if i < 0 {
			out = append(out, OriginSummary{Origin: origin})
			i = len(out) - 1
		}
		o := &out[i]
		j := slices.IndexFunc(o.Endpoints, func(e Endpoint) bool { return e.Method == r.Method && e.Path == path })
		if j < 0 {
			o.Endpoints = append(o.Endpoints, Endpoint{Method: r.Method, Path: path})
			j = len(o.Endpoints) - 1
		}
		e := &o.Endpoints[j]
		e.Count++
		if !r.Blocked() {
			continue
		}
		e.Blocked++
		o.Blocked++
		for _, name := range r.blockingEngines() {
			if !slices.Contains(e.Engines, name) {
				e.Engines = append(e.Engines, name)
			}
		}
		if reason := r.reason(); reason != "" && !slices.Contains(e.Reasons, reason) {
			e.Reasons = append(e.Reasons, reason)
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Endpoints, func(a, b Endpoint) int { return blockedFirst(a.Blocked, b.Blocked) })
	}
	slices.SortStableFunc(out, func(a, b OriginSummary) int { return blockedFirst(a.Blocked, b.Blocked) })
	return out
}

func blockedFirst(a, b int) int {
	switch {
	case (a > 0) == (b > 0):
		return 0
	case a > 0:
		return -1
	}
	return 1
}

// blockingEngines names the engines that block r: those of the model, and
// the recorded one when it did ("chromium (seen)").
func (r Result) blockingEngines() []string {
	var names []string
	if r.Full != nil {
		for _, e := range r.Full.Engines {
			if !e.Verdict.Allowed {
				names = append(names, e.Engine.Name)
			}
		}
	}
	if r.BlockedHere && !slices.Contains(names, r.Engine) {
		names = append(names, r.Engine+" (seen)")
	}
	return names
}

// reason is the first blocking engine's reason in the model, else the
// engine's own code.
func (r Result) reason() string {
	if r.Full != nil {
		for _, e := range r.Full.Engines {
			if !e.Verdict.Allowed {
				return string(e.Verdict.Reason)
			}
		}
	}
	return strings.TrimSpace(r.EngineError)
}
