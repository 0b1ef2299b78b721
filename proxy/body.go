package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// maxBufferedBody is the most of a request's body the gateway reads before
// the request goes upstream, as nginx does: a client that stalls in a small
// body then holds no upstream connection. A larger body streams.
const maxBufferedBody = 64 << 10

// defaultBodyReadTimeout is ServerOptions.BodyReadTimeout's default, and
// the timeout of a Gateway served by another server than Serve's.
const defaultBodyReadTimeout = 60 * time.Second

// clientBody is a request's body as the gateway reads it from the client:
// each read must progress within timeout.
type clientBody struct {
	body    io.ReadCloser
	ctl     *http.ResponseController
	timeout time.Duration
	// failed is the first read error other than the body's end: the client
	// was too slow, hung up or sent a broken body. Set by whichever
	// goroutine reads (the upstream transport's, when the body streams).
	failed atomic.Pointer[error]
}

func (b *clientBody) Read(p []byte) (int, error) {
	if b.timeout > 0 {
		b.ctl.SetReadDeadline(time.Now().Add(b.timeout)) // ErrNotSupported: a server that reads no bodies
	}
	n, err := b.body.Read(p)
	switch {
	case err == io.EOF:
		// net/http's server now reads ahead on the connection, to notice
		// a hang-up: that read must not time out while the upstream thinks.
		b.ctl.SetReadDeadline(time.Time{})
	case err != nil:
		b.failed.CompareAndSwap(nil, &err)
	}
	return n, err
}

func (b *clientBody) Close() error { return b.body.Close() }

// clientBodyKey is the context key of a request's *clientBody.
type clientBodyKey struct{}

// readBody readies r's body for the upstream: one of up to maxBufferedBody
// is read now, each read within the body timeout, and goes upstream with
// its Content-Length; a larger one streams, each read within the timeout.
// It returns the request to send, or false when the body could not be read
// and it has answered the client.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	b := &clientBody{body: r.Body, ctl: http.NewResponseController(w), timeout: time.Duration(g.bodyReadTimeout.Load())}
	// A shallow copy (handlers do not change the server's request), whose
	// context gives the error handler the body, to tell the client's
	// failure from the upstream's.
	out := r.WithContext(context.WithValue(r.Context(), clientBodyKey{}, b))
	out.Body = b
	if r.ContentLength > maxBufferedBody || len(r.Trailer) > 0 {
		return out, true // streamed; trailers go with a chunked body only
	}
	// Read as it comes, so that the memory a client holds is what it sent,
	// not what it declared.
	body, err := io.ReadAll(io.LimitReader(b, maxBufferedBody+1))
	if err == nil && len(body) > maxBufferedBody {
		// A chunked body larger than maxBufferedBody: what was read, then
		// the rest.
		out.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), b), b}
		return out, true
	}
	if err != nil {
		b.failed.CompareAndSwap(nil, &err)
		g.bodyError(w, r, b)
		return nil, false
	}
	out.Body, out.ContentLength, out.TransferEncoding = io.NopCloser(bytes.NewReader(body)), int64(len(body)), nil
	if len(body) == 0 {
		out.Body = http.NoBody
	}
	if _, ok := r.Header["Expect"]; ok {
		// The gateway has the body: the upstream need not be asked.
		out.Header = r.Header.Clone()
		out.Header.Del("Expect")
	}
	return out, true
}

// bodyError answers a request whose body b could not be read: 408 if the
// client was too slow, 400 otherwise; it reports false if b did not fail.
// An HTTP/1 connection closes after the answer: where the next request
// would begin is not known (an HTTP/2 stream ends alone).
func (g *Gateway) bodyError(w http.ResponseWriter, r *http.Request, b *clientBody) bool {
	p := b.failed.Load()
	if p == nil {
		return false
	}
	err := *p
	g.logger.LogAttrs(r.Context(), slog.LevelInfo, "request body not read", slog.String("error", err.Error()),
		slog.String("path", r.URL.Path), slog.String("remote", r.RemoteAddr))
	if r.ProtoMajor == 1 {
		w.Header().Set("Connection", "close")
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		writeJSONError(w, http.StatusRequestTimeout, "the request body timed out", fmt.Sprintf(
			"the client sent nothing of its request body for %v (the gateway's --body-read-timeout); send the body without pauses, or raise the timeout", b.timeout))
		return true
	}
	writeJSONError(w, http.StatusBadRequest, "the request body could not be read", fmt.Sprintf(
		"reading the request body failed (%v): the client hung up or sent a broken body", err))
	return true
}
