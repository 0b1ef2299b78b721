package cors

import (
	"log/slog"
	"net/http"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// Limits on Access-Control-Request-Headers. Browsers send the unsafe header
// names a page set, lower-case, sorted and without duplicates: a few dozen
// bytes. A longer value is refused before it is read, so a hostile 1 MiB value
// costs what a normal one does.
const (
	maxRequestHeadersBytes = 4096
	maxRequestHeaderNames  = 64
	limitsText             = "4096 bytes or 64 names"
)

// checkRequestHeaders reports whether the policy allows every name in the
// Access-Control-Request-Headers lines (case-insensitive, any order, any
// number of lines, empty elements skipped). When it does not, denied is the
// first refused name, or empty when the value is over the limits or malformed.
func (p *policy) checkRequestHeaders(lines []string) (denied string, ok bool) {
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	if total > maxRequestHeadersBytes {
		return "", false
	}
	ok = forEachName(lines, func(name string) bool {
		if !p.allowsHeader(name) {
			denied = name
			return false
		}
		return true
	})
	return denied, ok
}

// allowsHeader reports whether the policy allows the lower-case header name.
func (p *policy) allowsHeader(name string) bool {
	if p.anyHeader && name != "authorization" {
		return true
	}
	_, ok := p.headers[name]
	return ok
}

// forEachName calls fn with each lower-cased name of a comma-separated header
// list spread over lines, skipping empty elements and optional white space. It
// stops and returns false when fn does, when a name is not a token, or after
// maxRequestHeaderNames names. Lower-case names, which browsers send, cost no
// allocation.
func forEachName(lines []string, fn func(name string) bool) bool {
	count := 0
	for _, line := range lines {
		for len(line) > 0 {
			var elem string
			if i := indexComma(line); i >= 0 {
				elem, line = line[:i], line[i+1:]
			} else {
				elem, line = line, ""
			}
			elem = headers.TrimOWS(elem)
			if elem == "" {
				continue
			}
			if count++; count > maxRequestHeaderNames || !headers.IsToken(elem) {
				return false
			}
			if !fn(headers.ToLower(elem)) {
				return false
			}
		}
	}
	return true
}

func indexComma(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return i
		}
	}
	return -1
}

// logDenied records, at debug level, why a request got no CORS permission.
func (p *policy) logDenied(r *http.Request, origins []string, reason, detail string) {
	if p.logger == nil || !p.logger.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.Any("origin", origins),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("reason", reason),
	}
	if detail != "" {
		attrs = append(attrs, slog.String("refused", detail))
	}
	p.logger.LogAttrs(r.Context(), slog.LevelDebug, "cors: denied", attrs...)
}
