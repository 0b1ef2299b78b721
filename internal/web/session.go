package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
)

// maxRecorded bounds the requests of a recorded session the page is shown.
const maxRecorded = 20000

// recording is a session of corskit record --serve, as the page reads it.
type recording struct {
	mu    sync.Mutex
	on    bool
	done  bool
	items []json.RawMessage
	over  int // requests past maxRecorded, counted
}

// Record adds one request of a recorded session (corskit record's
// Result) to what the page shows; the page then shows its session view.
func (s *Server) Record(item any) {
	b, err := json.Marshal(item)
	r := &s.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = true
	switch {
	case err != nil:
	case len(r.items) >= maxRecorded:
		r.over++
	default:
		r.items = append(r.items, b)
	}
}

// Recording says a session is under way: the page shows its view before
// the first request comes.
func (s *Server) Recording() {
	s.rec.mu.Lock()
	s.rec.on = true
	s.rec.mu.Unlock()
}

// RecordDone says the session has ended.
func (s *Server) RecordDone() {
	s.rec.mu.Lock()
	s.rec.on, s.rec.done = true, true
	s.rec.mu.Unlock()
}

// sessionIn asks for the requests from index Since on.
type sessionIn struct {
	Since int `json:"since"`
}

// sessionOut is the session's state and its requests from Since on.
type sessionOut struct {
	Recording bool              `json:"recording"`
	Done      bool              `json:"done"`
	Over      int               `json:"over,omitempty"`
	Items     []json.RawMessage `json:"items"`
}

// session answers the page's poll of the recorded session.
func (s *Server) session(_ context.Context, body []byte) (any, int) {
	var in sessionIn
	if err := json.Unmarshal(body, &in); err != nil || in.Since < 0 {
		return apiError{Error: `the body must be {"since": N}, N the number of requests the page has`}, http.StatusBadRequest
	}
	r := &s.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	out := sessionOut{Recording: r.on, Done: r.done, Over: r.over, Items: []json.RawMessage{}}
	if in.Since < len(r.items) {
		out.Items = append(out.Items, r.items[in.Since:min(len(r.items), in.Since+500)]...)
	}
	return out, http.StatusOK
}
