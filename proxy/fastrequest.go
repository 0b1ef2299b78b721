package proxy

import (
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// parseSimpleRequest parses head, a request head ending in a blank line, if
// it is a simple HTTP/1.1 request the fast path serves; otherwise it returns
// nil and net/http's server gets the bytes. Simple means: a method token, an
// origin-form target, HTTP/1.1, CRLF line ends, exactly one Host, no body
// (Content-Length absent or 0, no Transfer-Encoding), no Upgrade, Expect or
// TE, a Connection header of keep-alive or close only, and only visible
// characters, spaces and tabs in header values. Anything the two servers
// could read differently is therefore read by net/http alone.
func parseSimpleRequest(head []byte, remoteAddr string) *http.Request {
	s := string(head) // one allocation; names and values are substrings
	line, rest, _ := strings.Cut(s, "\r\n")
	method, line, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(line, " ")
	if !ok1 || !ok2 || proto != "HTTP/1.1" || !isToken(method) || !isTarget(target) {
		return nil
	}
	n := strings.Count(rest, "\r\n") - 1 // header lines; rest ends in "\r\n\r\n"
	h := make(http.Header, n)
	values := make([]string, n) // one backing array for the usual single values
	host, hosts, closeConn := "", 0, false
	for i := 0; i < n; i++ {
		line, rest, _ = strings.Cut(rest, "\r\n")
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(name) {
			return nil // includes obsolete line folding, which starts with a space
		}
		value = strings.Trim(value, " \t")
		if !isFieldValue(value) {
			return nil
		}
		key := canonicalKey(name)
		switch key {
		case "Host":
			host, hosts = value, hosts+1
			continue
		case "Content-Length":
			if value != "0" {
				return nil
			}
		case "Transfer-Encoding", "Upgrade", "Expect", "Te", "Trailer":
			return nil
		case "Connection":
			switch {
			case strings.EqualFold(value, "close"):
				closeConn = true
			case strings.EqualFold(value, "keep-alive"):
			default:
				return nil
			}
		}
		if v, ok := h[key]; ok {
			h[key] = append(v, value)
			continue
		}
		values[i] = value
		h[key] = values[i : i+1 : i+1]
	}
	if hosts != 1 || !isHost(host) {
		return nil
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil
	}
	return &http.Request{
		Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: http.NoBody, Host: host, RemoteAddr: remoteAddr,
		RequestURI: target, Close: closeConn,
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

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChar[s[i]] {
			return false
		}
	}
	return true
}

var tokenChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

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
