package browser

import (
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// IsSafelistedHeader reports whether a request header is CORS-safelisted
// (Fetch, "CORS-safelisted request-header"): name is lower-case.
func IsSafelistedHeader(name, value string) bool {
	if len(value) > 128 {
		return false
	}
	switch name {
	case "accept":
		return !hasUnsafeByte(value)
	case "accept-language", "content-language":
		for i := 0; i < len(value); i++ {
			c := value[i]
			if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || strings.IndexByte(" *,-.;=", c) >= 0) {
				return false
			}
		}
		return true
	case "content-type":
		if hasUnsafeByte(value) {
			return false
		}
		essence, ok := mimeEssence(value)
		return ok && (essence == "application/x-www-form-urlencoded" || essence == "multipart/form-data" || essence == "text/plain")
	case "range":
		start, ok := parseSingleRange(value)
		return ok && start
	}
	return false
}

// hasUnsafeByte reports whether v holds a CORS-unsafe request-header byte:
// a control byte other than tab, one of "():<>?@[\]{}, or DEL.
func hasUnsafeByte(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 && c != '\t' || c == 0x7f || strings.IndexByte("\"():<>?@[\\]{}", c) >= 0 {
			return true
		}
	}
	return false
}

// mimeEssence parses a MIME type (MIME Sniffing, "parse a MIME type") far
// enough to return its lower-case essence, type/subtype.
func mimeEssence(v string) (string, bool) {
	v = strings.Trim(v, " \t\r\n")
	typ, rest, ok := strings.Cut(v, "/")
	if !ok || !headers.IsToken(typ) {
		return "", false
	}
	sub, _, _ := strings.Cut(rest, ";")
	sub = strings.TrimRight(sub, " \t\r\n")
	if !headers.IsToken(sub) {
		return "", false
	}
	return strings.ToLower(typ + "/" + sub), true
}

// parseSingleRange parses a Range value without white space (Fetch, "parse a
// single range header value" with allowWhitespace false) and reports whether
// it has a start.
func parseSingleRange(v string) (hasStart, ok bool) {
	if len(v) < 6 || !strings.EqualFold(v[:5], "bytes") || v[5] != '=' {
		return false, false
	}
	v = v[6:]
	i := 0
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	start := v[:i]
	if i >= len(v) || v[i] != '-' {
		return false, false
	}
	end := v[i+1:]
	for j := 0; j < len(end); j++ {
		if end[j] < '0' || end[j] > '9' {
			return false, false
		}
	}
	if start == "" && end == "" {
		return false, false
	}
	if start != "" && end != "" && greater(start, end) {
		return false, false
	}
	return start != "", true
}

// greater compares two decimal digit strings of any length.
func greater(a, b string) bool {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}
