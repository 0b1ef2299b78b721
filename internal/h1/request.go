package h1

import (
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// simpleHead is a parsed request head the fast path serves: a simple HTTP/1.1
// request (see parseHead). The fields are substrings of one copy of the
// head; the CORS request headers are kept apart for answering preflights
// without building an http.Request.
type simpleHead struct {
	method, target, host string
	fields               string // the header lines, each ending in CRLF
	lines                int
	close                bool
	origin, acrm, acrh   headerLines
	pna                  headerLines
}

// headerLines holds the first lines of one header; n counts them all.
type headerLines struct {
	v [2]string
	n int
}

func (l *headerLines) add(v string) {
	if l.n < len(l.v) {
		l.v[l.n] = v
	}
	l.n++
}

// values returns the lines, and false if there were more than it keeps.
func (l *headerLines) values() ([]string, bool) {
	if l.n > len(l.v) {
		return nil, false
	}
	return l.v[:l.n:l.n], true
}

// parseHead parses head, a request head ending in a blank line, if it is a
// simple HTTP/1.1 request the fast path serves; otherwise it reports false
// and net/http's server gets the bytes. Simple means: a method token, an
// origin-form target, HTTP/1.1, CRLF line ends, exactly one Host, no body
// (Content-Length absent or 0, no Transfer-Encoding), no Upgrade, Expect,
// TE or Trailer, a Connection header of keep-alive or close only, and only
// visible characters, spaces and tabs in header values. Anything the two
// servers could read differently is therefore read by net/http alone.
func parseHead(head []byte, h *simpleHead) bool {
	s := string(head) // one allocation; names and values are substrings
	if !strings.HasSuffix(s, "\r\n\r\n") {
		return false // a line ends in a bare LF
	}
	line, rest, _ := strings.Cut(s, "\r\n")
	method, line, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(line, " ")
	if !ok1 || !ok2 || proto != "HTTP/1.1" || !headers.IsToken(method) || !isTarget(target) {
		return false
	}
	*h = simpleHead{method: method, target: target, fields: rest[:len(rest)-2]}
	hosts := 0
	for rest != "\r\n" {
		line, rest, _ = strings.Cut(rest, "\r\n")
		name, value, ok := strings.Cut(line, ":")
		if !ok || !headers.IsToken(name) {
			return false // includes obsolete line folding, which starts with a space
		}
		value = headers.TrimOWS(value)
		if !isFieldValue(value) {
			return false
		}
		h.lines++
		switch canonicalKey(name) {
		case "Host":
			h.host, hosts = value, hosts+1
		case "Content-Length":
			if value != "0" {
				return false
			}
		case "Transfer-Encoding", "Upgrade", "Expect", "Te", "Trailer":
			return false
		case "Connection":
			switch {
			case strings.EqualFold(value, "close"):
				h.close = true
			case strings.EqualFold(value, "keep-alive"):
			default:
				return false
			}
		case "Origin":
			h.origin.add(value)
		case "Access-Control-Request-Method":
			h.acrm.add(value)
		case "Access-Control-Request-Headers":
			h.acrh.add(value)
		case "Access-Control-Request-Private-Network":
			h.pna.add(value)
		}
	}
	return hosts == 1 && isHost(h.host)
}

// isPreflight reports whether h is a CORS preflight: OPTIONS with Origin and
// Access-Control-Request-Method.
func (h *simpleHead) isPreflight() bool {
	return h.method == http.MethodOptions && h.origin.n > 0 && h.acrm.n > 0
}

// request builds the http.Request for h, or nil if its target is not a
// valid request URI.
func (h *simpleHead) request(remoteAddr string) *http.Request {
	u, err := url.ParseRequestURI(h.target)
	if err != nil {
		return nil
	}
	hdr := make(http.Header, h.lines)
	values := make([]string, h.lines) // one backing array for the usual single values
	rest := h.fields
	for i := 0; rest != ""; i++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\r\n")
		name, value, _ := strings.Cut(line, ":")
		key := canonicalKey(name)
		if key == "Host" {
			continue
		}
		value = headers.TrimOWS(value)
		if v, ok := hdr[key]; ok {
			hdr[key] = append(v, value)
			continue
		}
		values[i] = value
		hdr[key] = values[i : i+1 : i+1]
	}
	fixPragma(hdr)
	return &http.Request{
		Method: h.method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: hdr, Body: http.NoBody, Host: h.host, RemoteAddr: remoteAddr,
		RequestURI: h.target, Close: h.close,
	}
}

// fixPragma does as net/http's readers do: an HTTP/1.0 cache's Pragma:
// no-cache also means Cache-Control: no-cache.
func fixPragma(h http.Header) {
	if p := h["Pragma"]; len(p) > 0 && p[0] == "no-cache" && h["Cache-Control"] == nil {
		h["Cache-Control"] = []string{"no-cache"}
	}
}

// canonicalKey is textproto's canonical form of name, without allocating
// when name already is in it.
func canonicalKey(name string) string {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return textproto.CanonicalMIMEHeaderKey(name)
		}
		upper = c == '-'
	}
	return name
}

// isFieldValue reports whether s has only visible characters, obs-text,
// spaces and tabs.
func isFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// isTarget reports whether s is an origin-form request target of visible
// ASCII characters.
func isTarget(s string) bool {
	if s == "" || s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// isHost reports whether s is a plain host[:port]: letters, digits and
// -._:[] only.
func isHost(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._:[]", c) >= 0) {
			return false
		}
	}
	return true
}
