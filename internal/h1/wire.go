package h1

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// writeRequest writes r's head in HTTP/1.1 as Request.Write would, less its
// generality, with the framing of its body: a Content-Length, or chunked
// when its length is unknown; a bodiless request whose Host is not plain
// ASCII goes through Request.Write. The body is writeBody's.
func writeRequest(bw *bufio.Writer, r *http.Request) error {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if !isHost(host) {
		return r.Write(bw)
	}
	bw.WriteString(r.Method)
	bw.WriteByte(' ')
	bw.WriteString(r.URL.RequestURI())
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(host)
	bw.WriteString("\r\n")
	if _, ok := r.Header["User-Agent"]; !ok {
		bw.WriteString("User-Agent: Go-http-client/1.1\r\n") // as Request.Write; ReverseProxy always sets one
	}
	for k, vs := range r.Header {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer", "Connection":
			continue
		case "User-Agent":
			if len(vs) == 1 && vs[0] == "" {
				continue // ReverseProxy's way of saying "send none"
			}
		}
		if !headers.IsToken(k) {
			continue
		}
		for _, v := range vs {
			writeField(bw, k, v)
		}
	}
	switch {
	case hasBody(r) && r.ContentLength > 0:
		bw.WriteString("Content-Length: ")
		bw.WriteString(strconv.FormatInt(r.ContentLength, 10))
		bw.WriteString("\r\n")
	case hasBody(r):
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	case r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch:
		bw.WriteString("Content-Length: 0\r\n") // as Request.Write: many servers want one
	}
	if r.Close {
		bw.WriteString("Connection: close\r\n")
	}
	_, err := bw.WriteString("\r\n")
	return err
}

// readResponse reads the response to r from br. A plain response (HTTP/1.1,
// a final status with a body of one Content-Length, no Transfer-Encoding,
// a head under the buffer's size) is parsed here; any other goes to
// http.ReadResponse, which gets the bytes untouched.
func readResponse(br *bufio.Reader, r *http.Request) (*http.Response, error) {
	head, err := readHead(br)
	if err != nil {
		return nil, err
	}
	if head != nil && r.Method != http.MethodHead {
		if resp := parseResponseHead(head); resp != nil {
			br.Discard(len(head))
			resp.Request = r
			resp.Body = &lengthBody{br: br, n: resp.ContentLength}
			return resp, nil
		}
	}
	return http.ReadResponse(br, r)
}

// parseResponseHead parses head if readResponse can take it; nil otherwise.
func parseResponseHead(head []byte) *http.Response {
	s := string(head) // one allocation; names and values are substrings
	if !strings.HasSuffix(s, "\r\n\r\n") {
		return nil // a line ends in a bare LF
	}
	line, rest, _ := strings.Cut(s, "\r\n")
	status, ok := strings.CutPrefix(line, "HTTP/1.1 ")
	if !ok || len(status) < 3 || len(status) > 3 && status[3] != ' ' || !isFieldValue(status) {
		return nil
	}
	code, err := strconv.Atoi(status[:3])
	if err != nil || code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		return nil
	}
	n := strings.Count(rest, "\r\n") - 1 // header lines; rest ends in an empty one
	resp := &http.Response{Status: status, StatusCode: code, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, n), ContentLength: -1}
	values := make([]string, n)
	for i := 0; i < n; i++ {
		line, rest, _ = strings.Cut(rest, "\r\n")
		name, value, ok := strings.Cut(line, ":")
		if !ok || !headers.IsToken(name) {
			return nil
		}
		value = headers.TrimOWS(value)
		if !isFieldValue(value) {
			return nil
		}
		key := canonicalKey(name)
		switch key {
		case "Content-Length":
			cl, ok := parseLength(value)
			if !ok || resp.ContentLength >= 0 {
				return nil
			}
			resp.ContentLength = cl
		case "Transfer-Encoding", "Trailer":
			return nil
		case "Connection":
			switch {
			case strings.EqualFold(value, "close"):
				resp.Close = true
				continue // ReadResponse drops it too
			case strings.EqualFold(value, "keep-alive"):
			default:
				return nil
			}
		}
		if v, ok := resp.Header[key]; ok {
			resp.Header[key] = append(v, value)
			continue
		}
		values[i] = value
		resp.Header[key] = values[i : i+1 : i+1]
	}
	if resp.ContentLength < 0 {
		return nil
	}
	fixPragma(resp.Header)
	return resp
}

// parseLength parses a Content-Length value: digits only, as net/http
// reads it (no sign, no spaces), and no more than fit in an int64.
func parseLength(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}

// lengthBody is a body of n bytes; a connection that ends sooner is an
// error, never a complete body.
type lengthBody struct {
	br *bufio.Reader
	n  int64
}

// Read reads at most the bytes left; a connection that ends sooner is
// io.ErrUnexpectedEOF.
func (b *lengthBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	k, err := b.br.Read(p)
	b.n -= int64(k)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if b.n == 0 && err == nil {
		err = io.EOF
	}
	return k, err
}

// Close does nothing: pooledBody decides the connection's fate.
func (b *lengthBody) Close() error { return nil }
