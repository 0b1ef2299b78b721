package scenario

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Server serves scenarios' scripted answers on two loopback origins: the API
// (Main) and another origin (Other) for cross-origin redirects. It records the
// requests that browsers (User-Agent "Mozilla/...") make.
type Server struct {
	Main, Other *httptest.Server
	mu          sync.Mutex
	byID        map[string]Scenario
	seen        map[string][]Seen
}

// Seen is a request the server received from the browser.
type Seen struct {
	Method    string
	Preflight bool   // OPTIONS with Access-Control-Request-Method
	Origin    string // the Origin header
	Path      string // "/s/ID" for the first URL, "/r/ID" for a redirect's target
	// RequestMethod and RequestHeaders are the preflight's
	// Access-Control-Request-Method and -Headers.
	RequestMethod, RequestHeaders string
}

// NewServer starts the two servers.
func NewServer() *Server {
	s := &Server{byID: map[string]Scenario{}, seen: map[string][]Seen{}}
	s.Main = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Other = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops both servers.
func (s *Server) Close() {
	s.Main.Close()
	s.Other.Close()
}

// Add registers scenarios.
func (s *Server) Add(scs ...Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range scs {
		s.byID[sc.ID] = sc
	}
}

// URL returns the URL the page fetches for a scenario.
func (s *Server) URL(sc Scenario) string { return s.Main.URL + "/s/" + sc.ID }

// Seen returns what the browser sent for a scenario, redirects included.
func (s *Server) Seen(id string) []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.seen[id]...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	kind, id, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	s.mu.Lock()
	sc, ok := s.byID[id]
	if ok && strings.HasPrefix(r.UserAgent(), "Mozilla/") {
		s.seen[id] = append(s.seen[id], Seen{Method: r.Method, Preflight: r.Method == "OPTIONS" && r.Header.Get("Access-Control-Request-Method") != "",
			Origin: r.Header.Get("Origin"), Path: r.URL.Path, RequestMethod: r.Header.Get("Access-Control-Request-Method"), RequestHeaders: r.Header.Get("Access-Control-Request-Headers")})
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	var a Answer
	switch {
	case kind == "r" && sc.Target != nil:
		a = *sc.Target
	case r.Method == "OPTIONS" && r.Header.Get("Access-Control-Request-Method") != "":
		a = sc.Preflight
	default:
		a = sc.Actual
	}
	h := w.Header()
	for _, kv := range a.Headers {
		h[kv[0]] = append(h[kv[0]], kv[1])
	}
	switch a.Location {
	case "":
	case "{same}":
		h.Set("Location", s.Main.URL+"/r/"+id)
	case "{other}":
		h.Set("Location", s.Other.URL+"/r/"+id)
	default:
		h.Set("Location", a.Location)
	}
	w.WriteHeader(a.Status)
	if a.Status != 204 && a.Status != 304 && r.Method != "HEAD" {
		fmt.Fprint(w, "ok")
	}
}
