package proxy

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"

	"github.com/corskit/corskit/internal/h1"
)

// maxInterim is the most interim (1xx) answers forwarded for one request;
// an upstream that sends more gets a 502. Real servers send one or two
// (100 Continue, 103 Early Hints).
const maxInterim = 8

// errTooManyInterim ends an upstream request whose upstream sent more than
// maxInterim interim answers; the lean transport returns the same error.
var errTooManyInterim = h1.ErrTooManyInterim

// interimGuard is the ResponseWriter ReverseProxy writes to. It forwards at
// most maxInterim interim answers (the transports end the request at the
// next), and puts back, on the final answer, the CORS headers the policy
// set: ReverseProxy clears the header map after each interim answer.
type interimGuard struct {
	http.ResponseWriter
	interim int
	saved   [6]savedHeader // the policy's headers, at most six
	n       int
}

type savedHeader struct {
	key    string
	values []string
}

func newInterimGuard(w http.ResponseWriter) *interimGuard {
	g := &interimGuard{ResponseWriter: w}
	for k, v := range w.Header() {
		if g.n < len(g.saved) && (k == "Vary" || strings.HasPrefix(k, "Access-Control-")) {
			g.saved[g.n] = savedHeader{k, v}
			g.n++
		}
	}
	return g
}

// WriteHeader forwards interim answers up to the limit, and gives the final
// one the policy's headers again if an interim answer took them.
func (g *interimGuard) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		if g.interim++; g.interim <= maxInterim {
			g.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if g.interim > 0 {
		h := g.ResponseWriter.Header()
		for _, s := range g.saved[:g.n] {
			if s.key == "Vary" {
				h[s.key] = append(s.values, h[s.key]...)
			} else {
				h[s.key] = s.values
			}
		}
		g.interim = 0
	}
	g.ResponseWriter.WriteHeader(code)
}

// Write writes the body; a final answer with no WriteHeader first is a 200.
func (g *interimGuard) Write(p []byte) (int, error) {
	if g.interim > 0 {
		g.WriteHeader(http.StatusOK)
	}
	return g.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer, for
// flushes and upgrades.
func (g *interimGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// interimCap ends a request of net/http's Transport whose upstream sends
// more than maxInterim interim answers. net/http's Transport sets no such
// limit once a Got1xxResponse hook sees the answers (ReverseProxy's does),
// and calls the hooks of a request in a chain that drops their errors: the
// request's context is cancelled instead, and an answer that raced the
// cancellation is refused.
type interimCap struct{ next http.RoundTripper }

func (c interimCap) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(r.Context())
	n := 0
	trace := &httptrace.ClientTrace{Got1xxResponse: func(int, textproto.MIMEHeader) error {
		if n++; n > maxInterim {
			cancel(errTooManyInterim)
		}
		return nil
	}}
	resp, err := c.next.RoundTrip(r.WithContext(httptrace.WithClientTrace(ctx, trace)))
	if context.Cause(ctx) == errTooManyInterim {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, errTooManyInterim
	}
	if err != nil {
		cancel(nil)
	}
	// Otherwise ctx ends with the request's own, once the answer is
	// written: cancelling it here would cut the body (or an upgraded
	// connection) short.
	return resp, err
}

// CloseIdleConnections closes next's idle connections.
func (c interimCap) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
