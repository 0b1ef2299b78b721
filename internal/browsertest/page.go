package browsertest

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// pageServer serves the page that makes the requests, on its own loopback
// origin: a blank page at /, and pages registered by the drivers.
type pageServer struct {
	origin string // e.g. "http://127.0.0.1:40123"
	mu     sync.Mutex
	pages  map[string]string // path to HTML
}

func startPageServer(t testing.TB) *pageServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pageServer{origin: "http://" + ln.Addr().String(), pages: map[string]string{}}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// add serves html at path.
func (p *pageServer) add(path, html string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages[path] = html
}

func (p *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	html, ok := p.pages[r.URL.Path]
	p.mu.Unlock()
	if r.URL.Path == "/favicon.ico" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		html = "<!doctype html><title>corskit test page</title>"
	}
	fmt.Fprint(w, html)
}
