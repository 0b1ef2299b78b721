package proxy

import "strings"

// routePath is the path routes are matched on, for path, a request's
// decoded path: backslashes read as slashes, doubled slashes as one, and
// ;parameters dropped from each segment, so that a route applies to every
// spelling an upstream could resolve to it (nginx merges slashes; IIS reads
// \ as /; Tomcat drops ;parameters). It reports false when a segment is . or
// .. (written so, percent-encoded once more, or before a ;): how the
// upstream resolves one cannot be known, and browsers resolve them before
// sending, so such a request is refused rather than routed. The path sent
// upstream is the client's, unchanged.
func routePath(path string) (string, bool) {
	if !strings.ContainsAny(path, "\\;%") && !strings.Contains(path, "//") && !strings.Contains(path, "/.") {
		return path, true
	}
	var b strings.Builder
	b.Grow(len(path))
	rest := path
	for rest != "" {
		var seg string
		if i := strings.IndexAny(rest, "/\\"); i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			seg, rest = rest, ""
		}
		seg, _, _ = strings.Cut(seg, ";")
		if isDotSegment(seg) {
			return "", false
		}
		if seg != "" {
			b.WriteByte('/')
			b.WriteString(seg)
		}
	}
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, "\\") || b.Len() == 0 {
		b.WriteByte('/')
	}
	return b.String(), true
}

// isDotSegment reports whether seg is . or .., each dot written as such or
// as %2e (a path percent-encoded twice decodes to that once).
func isDotSegment(seg string) bool {
	if len(seg) == 0 || len(seg) > 6 {
		return false
	}
	s := strings.ReplaceAll(strings.ToLower(seg), "%2e", ".")
	return s == "." || s == ".."
}
