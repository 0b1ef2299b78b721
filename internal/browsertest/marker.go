package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// markerServer tells where one fetch's console lines end in Firefox, with
// no wait for quiet. Firefox logs a CORS failure from the process where it
// checked the response: a preflight, always in the parent process, which
// sends the line to the page's process over the one channel that carries
// every such line, in order; a response to a request without preflight,
// possibly in the page's process, before the page sees the failure. Either
// way a line can reach the console after the page has seen the fetch fail
// (measured: up to 50 ms on an idle machine), so a console.log from the
// page proves nothing. Once a fetch settles, the page fetches a marker URL
// whose preflight this server refuses (404): Firefox logs that refusal from
// the parent process, after every line the settled fetch caused, and the
// driver reads the console up to it. The marker's other line ("CORS request
// did not succeed", logged where the page's request was checked) can come
// before or after; every line that names a marker URL is dropped.
type markerServer struct {
	origin string
	n      atomic.Int64
}

// markerPath starts every marker URL's path.
const markerPath = "/corskit-console-marker/"

func startMarkerServer(t testing.TB) *markerServer {
	t.Helper()
	m := &markerServer{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No CORS header, and 404 to the preflight: the marker's fetch fails
		// at its preflight, whatever the page.
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
	}))
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	m.origin = srv.URL
	return m
}

// next returns a marker URL never used before.
func (m *markerServer) next() string {
	return fmt.Sprintf("%s%s%d", m.origin, markerPath, m.n.Add(1))
}

// markerFetch returns the statement that starts the marker's fetch, without
// waiting for it: a PUT, so that Firefox sends a preflight.
func markerFetch(marker string) string {
	return fmt.Sprintf(`fetch(%q, {method: "PUT"}).catch(() => {})`, marker)
}

// isMarkerPreflightLine reports whether line is Firefox's line for the
// refused preflight of marker, the line that ends a fetch's lines: it names
// the marker and the preflight's status, 404 (the line for the marker's
// request itself ends "Status code: (null).").
func isMarkerPreflightLine(line, marker string) bool {
	return strings.Contains(line, marker+".") && strings.HasSuffix(line, "Status code: 404.")
}

// isMarkerLine reports whether line speaks of a marker fetch.
func isMarkerLine(line string) bool { return strings.Contains(line, markerPath) }

// owns reports whether url is one of the marker's URLs.
func (m *markerServer) owns(url string) bool {
	return strings.HasPrefix(url, m.origin+markerPath)
}
