// Package origin parses the origin entries of a CORS policy (exact origins,
// `*`, `null`, subdomain and port patterns, `re:` regular expressions) and
// matches a request's Origin header against a compiled set of them.
//
// It is corskit's own plumbing, shared by the cors module and corskit's
// browser model, doctor and generators, and is not covered by package
// cors's compatibility promise: it may change or go away in any release,
// and programs outside corskit should not import it.
package origin

import (
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Kind says what an origin entry of a policy stands for.
type Kind int

// The kinds of origin entry.
const (
	Exact      Kind = iota // one origin: https://app.example.com
	Any                    // *: every origin
	Null                   // the opaque origin "null"
	Subdomains             // https://*.example.com: one or more labels before the suffix
	Regexp                 // re:...: an RE2 expression, anchored at both ends
)

// MaxLen bounds the length of an origin: a scheme, "://", a 253-byte host and
// a port fit well within it. Longer request origins never match.
const MaxLen = 512

// Pattern is one parsed origin entry.
type Pattern struct {
	Kind Kind
	// Scheme is the lower-case scheme, e.g. "https"; empty for Any and Null.
	Scheme string
	// Host is the host for Exact and port patterns, and the suffix after "*."
	// for Subdomains ("example.com"); IPv6 hosts keep their brackets.
	Host string
	// Port is the explicit port ("8080"), "*" for any explicit port, or "" for
	// none (the scheme's default).
	Port string
	// Re is the compiled, anchored expression of a Regexp entry.
	Re  *regexp.Regexp
	raw string
}

// String returns the entry as it was written.
func (p Pattern) String() string { return p.raw }

// IsLocal reports whether the pattern names only loopback hosts: localhost,
// 127.0.0.0/8 or [::1].
func (p Pattern) IsLocal() bool {
	if p.Kind != Exact {
		return false
	}
	return IsLoopbackHost(p.Host)
}

// IsLoopbackHost reports whether host (IPv6 in brackets) is localhost, in
// 127.0.0.0/8, or [::1].
func IsLoopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// Error is a malformed origin entry: Reason says what is wrong and, where
// there is one, Fix is the entry the user most likely meant.
type Error struct {
	Value  string
	Reason string
	Fix    string
}

func (e *Error) Error() string {
	if e.Fix != "" {
		return strconv.Quote(e.Value) + " " + e.Reason + `: use "` + e.Fix + `"`
	}
	return strconv.Quote(e.Value) + " " + e.Reason
}

const shape = "an origin is scheme://host[:port], e.g. \"https://app.example.com\""

// Parse parses one origin entry of a policy. The rules are strict because a
// browser compares Access-Control-Allow-Origin byte for byte with the origin
// it serialised: lower-case scheme and host, no path, no default port.
func Parse(s string) (Pattern, error) {
	switch {
	case s == "*":
		return Pattern{Kind: Any, raw: s}, nil
	case s == "null":
		return Pattern{Kind: Null, raw: s}, nil
	case strings.HasPrefix(s, "re:"):
		return parseRegexp(s)
	}
	scheme, rest, err := splitScheme(s)
	if err != nil {
		return Pattern{}, err
	}
	host, port, err := splitAuthority(s, scheme, rest)
	if err != nil {
		return Pattern{}, err
	}
	p := Pattern{Kind: Exact, Scheme: scheme, Host: host, Port: port, raw: s}
	if strings.HasPrefix(host, "*.") {
		p.Kind, p.Host = Subdomains, host[2:]
	}
	if err := checkPatternHost(s, p); err != nil {
		return Pattern{}, err
	}
	return p, nil
}

// splitScheme splits the origin s at "://" into its lower-case scheme and
// the rest, or says what keeps s from having that shape.
func splitScheme(s string) (scheme, rest string, err error) {
	if t := strings.TrimSpace(s); t != s || strings.ContainsAny(s, " \t\r\n") {
		fix := ""
		if !strings.ContainsAny(t, " \t\r\n") {
			fix = fixOrEmpty(t)
		}
		return "", "", &Error{Value: s, Reason: "contains white space; " + shape, Fix: fix}
	}
	if s == "" {
		return "", "", &Error{Value: s, Reason: "is empty; " + shape}
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		fix := ""
		if !strings.Contains(s, ":/") && !strings.HasPrefix(s, "/") {
			// Development servers on this machine serve plain http.
			scheme := "https://"
			if isLoopbackHost(s) {
				scheme = "http://"
			}
			fix = fixOrEmpty(scheme + s)
		}
		return "", "", &Error{Value: s, Reason: "has no scheme; " + shape, Fix: fix}
	}
	if !isScheme(strings.ToLower(scheme)) {
		return "", "", &Error{Value: s, Reason: "has an invalid scheme " + strconv.Quote(scheme) + "; " + shape}
	}
	if scheme != strings.ToLower(scheme) {
		return "", "", &Error{Value: s, Reason: "has an upper-case scheme; browsers send it in lower case", Fix: fixOrEmpty(strings.ToLower(scheme) + "://" + rest)}
	}
	return scheme, rest, nil
}

// splitAuthority splits rest, what follows the scheme of the origin s,
// into host and port (empty when absent, "*" for any), or says what keeps
// it from being a bare host and port.
func splitAuthority(s, scheme, rest string) (host, port string, err error) {
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
		reason := "has a path"
		switch {
		case rest[i:] == "/":
			reason = "has a trailing slash"
		case rest[i] == '?':
			reason = "has a query"
		case rest[i] == '#':
			reason = "has a fragment"
		}
		return "", "", &Error{Value: s, Reason: reason + "; " + shape, Fix: fixOrEmpty(scheme + "://" + authority)}
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		return "", "", &Error{Value: s, Reason: "has user info; " + shape, Fix: fixOrEmpty(scheme + "://" + authority[i+1:])}
	}
	host, port, reason := splitHostPort(authority)
	if reason != "" {
		return "", "", &Error{Value: s, Reason: reason + "; " + shape}
	}
	if port != "" && port != "*" {
		n, perr := strconv.Atoi(port)
		if perr != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", "", &Error{Value: s, Reason: "has an invalid port " + strconv.Quote(port) + "; a port is 1 to 65535 without leading zeros"}
		}
		if DefaultPort(scheme) == port {
			return "", "", &Error{Value: s, Reason: "has the default port " + port + ", which browsers never write in an origin", Fix: fixOrEmpty(scheme + "://" + host)}
		}
	}
	return host, port, nil
}

// checkPatternHost says what is wrong with the host of p, parsed from s:
// upper case, an invalid name or address, or (for "*.") a suffix too broad.
func checkPatternHost(s string, p Pattern) error {
	if lower := strings.ToLower(p.Host); lower != p.Host {
		return &Error{Value: s, Reason: "has upper-case letters in its host; browsers send the host in lower case", Fix: fixOrEmpty(strings.ToLower(s))}
	}
	if reason, fix := checkHost(p.Host, p.Kind == Subdomains); reason != "" {
		if fix != "" {
			fix = strings.Replace(s, p.Host, fix, 1)
		}
		return &Error{Value: s, Reason: reason, Fix: fix}
	}
	if p.Kind == Subdomains {
		if reason := checkSuffix(p.Host); reason != "" {
			return &Error{Value: s, Reason: reason}
		}
	}
	return nil
}

// fixOrEmpty returns s when it parses as an origin entry, so a suggested fix is
// never itself wrong.
func fixOrEmpty(s string) string {
	if _, err := Parse(s); err != nil {
		return ""
	}
	return s
}

func isScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// DefaultPort returns the port browsers leave out of an origin of the scheme.
func DefaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// splitHostPort splits an authority into host (IPv6 in brackets) and port.
func splitHostPort(a string) (host, port, reason string) {
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", "has an unclosed IPv6 bracket"
		}
		host, rest := a[:end+1], a[end+1:]
		if rest == "" {
			return host, "", ""
		}
		if rest[0] != ':' || len(rest) == 1 {
			return "", "", "has text after its IPv6 address"
		}
		return host, rest[1:], ""
	}
	host, port, found := strings.Cut(a, ":")
	if found && port == "" {
		return "", "", "ends with a colon but no port"
	}
	if strings.Contains(port, ":") {
		return "", "", "has more than one colon"
	}
	if host == "" {
		return "", "", "has no host"
	}
	return host, port, ""
}

// checkHost validates a host (or a subdomain pattern's suffix) and returns a
// reason when it is malformed, with the corrected host as fix where there is one.
func checkHost(h string, suffix bool) (reason, fix string) {
	if strings.HasPrefix(h, "[") {
		if suffix {
			return "puts a subdomain wildcard on an IP address", ""
		}
		a, err := netip.ParseAddr(h[1 : len(h)-1])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "has an invalid IPv6 address", ""
		}
		if c := "[" + a.String() + "]"; c != h {
			return "is not in the form browsers serialise", c
		}
		return "", ""
	}
	if strings.Contains(h, "*") {
		return "has a misplaced '*'; a subdomain pattern is scheme://*.domain[:port] and a port pattern scheme://host:*", ""
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return "has a non-ASCII host; browsers send its punycode (xn--) form, write that", ""
		}
	}
	if len(h) > 253 {
		return "has a host longer than 253 bytes", ""
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if suffix {
			return "puts a subdomain wildcard on an IP address", ""
		}
		if a.Is6() {
			return "has an IPv6 address without brackets", "[" + a.String() + "]"
		}
		return "", ""
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return "has an empty label in its host", ""
		}
		if len(label) > 63 {
			return "has a host label longer than 63 bytes", ""
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "has a host label that starts or ends with '-'", ""
		}
		for j := 0; j < len(label); j++ {
			if !isHostByte(label[j]) {
				return "has the character " + strconv.QuoteRune(rune(label[j])) + " in its host", ""
			}
		}
	}
	return "", ""
}

func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// checkSuffix refuses a subdomain pattern whose suffix is a public suffix
// (https://*.com, https://*.github.io): it would trust every site there.
func checkSuffix(suffix string) string {
	if suffix == "localhost" {
		return ""
	}
	ps, _ := publicsuffix.PublicSuffix(suffix)
	if ps == suffix {
		return "matches every site under the public suffix " + strconv.Quote(suffix) + ", anyone can register one; name your own domain, e.g. \"https://*.example.com\""
	}
	return ""
}

// parseRegexp compiles a re: entry, anchored at both ends, and refuses one
// that could match an origin of more than one scheme.
func parseRegexp(s string) (Pattern, error) {
	expr := strings.TrimPrefix(s, "re:")
	if expr == "" {
		return Pattern{}, &Error{Value: s, Reason: "has an empty regular expression"}
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return Pattern{}, &Error{Value: s, Reason: "does not compile: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
	}
	prefix, _ := re.LiteralPrefix()
	scheme, _, ok := strings.Cut(prefix, "://")
	if !ok || !isScheme(scheme) {
		return Pattern{}, &Error{Value: s, Reason: "does not start with one literal scheme, so it could match origins of other schemes; start the expression with it, e.g. \"re:https://[a-z0-9-]+\\.example\\.com\", and write one entry per scheme"}
	}
	return Pattern{Kind: Regexp, Scheme: scheme, Re: re, raw: s}, nil
}

// isLoopbackHost reports whether host[:port] names this machine: localhost,
// *.localhost, 127.x.x.x or [::1].
func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(strings.ToLower(host), "[]")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.IsLoopback()
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
