package h1

import (
	"bufio"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"sync/atomic"
	"time"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// response is the fast path's http.ResponseWriter: HTTP/1.1 framing by
// Content-Length when the handler gives one, chunked otherwise, none for
// HEAD, 1xx, 204 and 304; trailers on chunked responses; Flush for streams.
// It is reused, request after request, on one connection.
type response struct {
	bw      *bufio.Writer
	req     *http.Request
	header  http.Header
	status  int
	chunked bool
	noBody  bool
	length  int64 // declared Content-Length, or -1
	written int64
	close   bool // Connection: close
	err     error
	// headPending: WriteHeader was called, the head is not written yet.
	headPending bool
	closing     *atomic.Bool // the server is shutting down: close after this answer
}

func (w *response) reset(req *http.Request) {
	if w.header == nil {
		w.header = make(http.Header, 8)
	}
	clear(w.header)
	*w = response{bw: w.bw, header: w.header, closing: w.closing, req: req, length: -1, close: req.Close}
}

// Header is the response header map, cleared for each request.
func (w *response) Header() http.Header { return w.header }

// WriteHeader sends the status line and headers; 1xx answers go out at once
// and leave the final one to come.
func (w *response) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		panic("proxy: invalid status code " + strconv.Itoa(code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		// An interim answer, e.g. 103 Early Hints: sent now, with the
		// headers set so far; the final answer follows.
		w.writeHead(code, nil)
		w.err = w.bw.Flush()
		return
	}
	w.status = code
	if w.closing != nil && w.closing.Load() {
		w.close = true
	}
	w.noBody = w.req.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified || code < 200
	if code == http.StatusNoContent || code == http.StatusNotModified {
		delete(w.header, "Content-Length")
	}
	if cl := w.header["Content-Length"]; len(cl) > 0 {
		if n, ok := parseLength(cl[0]); ok {
			w.length = n
			if len(cl) > 1 {
				w.header["Content-Length"] = cl[:1]
			}
		} else {
			delete(w.header, "Content-Length")
		}
	}
	delete(w.header, "Transfer-Encoding")
	if w.length < 0 && !w.noBody {
		w.chunked = true
	}
	if w.header["Date"] == nil {
		w.header["Date"] = []string{httpDate()}
	}
	w.headPending = true // written with the first bytes of the body, as net/http does
}

// sendHead writes the pending head. Like net/http's server, it gives a body
// without a Content-Type (nor a Content-Encoding) the type sniffed from its
// first bytes, p.
func (w *response) sendHead(p []byte) {
	w.headPending = false
	bodyAllowed := w.status >= 200 && w.status != http.StatusNoContent && w.status != http.StatusNotModified
	if _, typed := w.header["Content-Type"]; !typed && bodyAllowed && len(p) > 0 && w.header.Get("Content-Encoding") == "" {
		w.header["Content-Type"] = []string{http.DetectContentType(p)}
	}
	var trailers []string
	if len(w.header["Trailer"]) > 0 {
		trailers = w.declaredTrailers()
		if !w.chunked {
			delete(w.header, "Trailer")
		}
	}
	w.writeHead(w.status, trailers)
}

// writeHead writes the status line and the headers, less the ones declared
// as trailers.
func (w *response) writeHead(code int, trailers []string) {
	bw := w.bw
	writeStatusLine(bw, code)
	for k, vs := range w.header {
		if !headers.IsToken(k) || strings.HasPrefix(k, http.TrailerPrefix) || containsFold(trailers, k) {
			continue
		}
		if k == "Connection" && code >= 200 {
			continue // set below, from the request and the server's state
		}
		for _, v := range vs {
			writeField(bw, k, v)
		}
	}
	if code >= 200 {
		if w.chunked {
			bw.WriteString("Transfer-Encoding: chunked\r\n")
		}
		if w.close {
			bw.WriteString("Connection: close\r\n")
		}
	}
	bw.WriteString("\r\n")
}

// writeStatusLine writes "HTTP/1.1 code text".
func writeStatusLine(bw *bufio.Writer, code int) {
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(code))
	bw.WriteByte(' ')
	bw.WriteString(http.StatusText(code))
	bw.WriteString("\r\n")
}

// writeField writes one header field; line breaks in v become spaces, as
// net/http does, so that no value can start another header.
func writeField(bw *bufio.Writer, k, v string) {
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	bw.WriteString(k)
	bw.WriteString(": ")
	bw.WriteString(textproto.TrimString(v)) // as net/http: a \v or \f stays
	bw.WriteString("\r\n")
}

func (w *response) declaredTrailers() []string {
	var names []string
	for _, v := range w.header["Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				names = append(names, textproto.CanonicalMIMEHeaderKey(name))
			}
		}
	}
	return names
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Write sends p as body, chunked unless a Content-Length was given.
func (w *response) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.headPending {
		w.sendHead(p)
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.noBody {
		if w.req.Method == http.MethodHead {
			return len(p), nil
		}
		return 0, http.ErrBodyNotAllowed
	}
	if w.length >= 0 && w.written+int64(len(p)) > w.length {
		return 0, http.ErrContentLength
	}
	if len(p) == 0 {
		return 0, nil
	}
	w.written += int64(len(p))
	if w.chunked {
		w.bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		w.bw.WriteString("\r\n")
	}
	n, err := w.bw.Write(p)
	if w.chunked && err == nil {
		_, err = w.bw.WriteString("\r\n")
	}
	w.err = err
	return n, err
}

// FlushError sends what is buffered; ReverseProxy calls it for streams.
func (w *response) FlushError() error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.headPending {
		w.sendHead(nil)
	}
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	return w.err
}

// Flush is FlushError for callers of http.Flusher.
func (w *response) Flush() { w.FlushError() }

// finish ends the response: the last chunk and the trailers, then a flush
// unless flush is false (more pipelined requests wait). It reports whether
// the connection can serve another request.
func (w *response) finish(flush bool) bool {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.headPending {
		w.sendHead(nil)
	}
	if w.err == nil && w.chunked {
		w.bw.WriteString("0\r\n")
		for _, k := range w.declaredTrailers() {
			for _, v := range w.header[k] {
				writeField(w.bw, k, v)
			}
		}
		for k, vs := range w.header {
			if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && headers.IsToken(name) {
				for _, v := range vs {
					writeField(w.bw, name, v)
				}
			}
		}
		_, w.err = w.bw.WriteString("\r\n")
	}
	if w.length >= 0 && w.written < w.length && !w.noBody {
		w.close = true // the body is short of its Content-Length: the client must see the connection end
	}
	if w.err == nil && (flush || w.close) {
		w.err = w.bw.Flush()
	}
	return w.err == nil && !w.close
}

// httpDate is the Date header's value, formatted once per second.
func httpDate() string {
	now := time.Now().Unix()
	if d := cachedDate.Load(); d != nil && d.unix == now {
		return d.text
	}
	d := &dateText{unix: now, text: time.Unix(now, 0).UTC().Format(http.TimeFormat)}
	cachedDate.Store(d)
	return d.text
}

type dateText struct {
	unix int64
	text string
}

var cachedDate atomic.Pointer[dateText]
