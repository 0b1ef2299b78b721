package browsertest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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
	funcs  map[string]http.HandlerFunc
}

func startPageServer(t testing.TB, o Options) *pageServer {
	t.Helper()
	p := &pageServer{pages: map[string]string{}, funcs: map[string]http.HandlerFunc{}}
	srv := httptest.NewUnstartedServer(p)
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	if o.TLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	p.origin = srv.URL
	t.Cleanup(srv.Close)
	return p
}

// port returns the page server's port.
func (p *pageServer) port() string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(p.origin, "http://"), "https://"))
	return port
}

// Options change how an engine is started.
type Options struct {
	// TLS serves the page over https, with a certificate the browser is
	// told to accept: an https page, for mixed-content tests.
	TLS bool
	// PageAddressSpace makes Chromium treat the page's address as public,
	// private or loopback (--ip-address-space-overrides), for Local Network
	// Access tests; other engines ignore it.
	PageAddressSpace string
	// AddressSpaces declares the address space of other loopback servers
	// for Chromium: "127.0.0.1:PORT=private".
	AddressSpaces []string
	// LoopbackNames are host names Chromium resolves to 127.0.0.1, as a
	// rebound DNS name does (--host-resolver-rules); every other name but
	// localhost still resolves to nothing.
	LoopbackNames []string

	// anyCertificate makes the engine accept any certificate, as TLS does,
	// whatever its own page: the pool's Chromium and Firefox, whose tabs
	// may serve their pages over https.
	anyCertificate bool
}

// launchOnly reports whether o holds an option that only a start of the
// engine can apply (Chromium's address spaces and names; WebKit's https
// page), so that no shared engine can serve it.
func (o Options) launchOnly(name string) bool {
	return o.PageAddressSpace != "" || len(o.AddressSpaces) > 0 || len(o.LoopbackNames) > 0 || o.TLS && !tabbed[name]
}

// add serves html at path.
func (p *pageServer) add(path, html string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages[path] = html
}

// handle serves path with f.
func (p *pageServer) handle(path string, f http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.funcs[path] = f
}

// remove stops serving path (a page or a handler).
func (p *pageServer) remove(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pages, path)
	delete(p.funcs, path)
}

func (p *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	html, ok := p.pages[r.URL.Path]
	f := p.funcs[r.URL.Path]
	p.mu.Unlock()
	if f != nil {
		f(w, r)
		return
	}
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
