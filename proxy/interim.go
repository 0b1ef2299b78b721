package proxy

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// maxInterim is the most interim (1xx) answers forwarded for one request;
// an upstream that sends more gets a 502. Real servers send one or two
// (100 Continue, 103 Early Hints).
const maxInterim = 8

// errTooManyInterim ends an upstream request whose upstream sent more than
// maxInterim interim answers.
var errTooManyInterim = errors.New("proxy: the upstream sent more than 8 interim (1xx) answers")

// interimGuard is the ResponseWriter ReverseProxy writes to. It counts the
// interim answers and ends the upstream request past maxInterim, and it
// puts back, on the final answer, the CORS headers the policy set:
// ReverseProxy clears the header map after each interim answer.
type interimGuard struct {
	http.ResponseWriter
	cancel  context.CancelCauseFunc
	interim int
	saved   [6]savedHeader // the policy's headers, at most six
	n       int
}

type savedHeader struct {
	key    string
	values []string
}

func newInterimGuard(w http.ResponseWriter, cancel context.CancelCauseFunc) *interimGuard {
	g := &interimGuard{ResponseWriter: w, cancel: cancel}
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
		if g.interim++; g.interim > maxInterim {
			g.cancel(errTooManyInterim)
			return
		}
		g.ResponseWriter.WriteHeader(code)
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
	}
	g.ResponseWriter.WriteHeader(code)
}

// Write writes the body; a final answer with no WriteHeader first is a 200.
func (g *interimGuard) Write(p []byte) (int, error) {
	if g.interim > 0 {
		g.WriteHeader(http.StatusOK)
		g.interim = 0
	}
	return g.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer, for
// flushes and upgrades.
func (g *interimGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }
