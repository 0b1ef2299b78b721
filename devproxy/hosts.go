package devproxy

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// AnyHost, as an entry of Config.AllowedHosts, turns the host check off: the
// proxy then answers any Host and accepts a WebSocket from any page, so any
// website the developer visits can read the dev server and the APIs through
// it by DNS rebinding.
const AnyHost = "*"

// hostRule is the set of names the proxy answers to. DNS rebinding needs a
// name the attacker controls that resolves to this machine: a browser sends
// the Host its URL names, so refusing every name but our own keeps a foreign
// site's page from reading the dev server and the APIs through the proxy.
type hostRule struct {
	any      bool
	exact    map[string]bool
	suffixes []string // ".example.com": the name and its subdomains
}

// newHostRule reads Config.AllowedHosts: a name (app.test), a name with a
// leading dot (.example.com: it and its subdomains), an IP address (always
// answered anyway) or AnyHost. Every problem is reported.
func newHostRule(entries []string) (hostRule, []error) {
	h := hostRule{exact: map[string]bool{}}
	var errs []error
	for _, e := range entries {
		if e == AnyHost {
			h.any = true
			continue
		}
		name, err := normalizeEntry(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if strings.HasPrefix(name, ".") {
			h.suffixes = append(h.suffixes, name)
		} else {
			h.exact[name] = true
		}
	}
	return h, errs
}

// normalizeEntry lowercases an allowed-host entry, drops a trailing dot and
// writes an international name in its ASCII form, as browsers send it.
func normalizeEntry(e string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("dev: allowed host %q %s; write a host name alone, e.g. app.test, or .app.test for it and its subdomains (the port does not matter)", e, why)
	}
	s := strings.TrimSpace(e)
	switch {
	case s == "":
		return "", bad("is empty")
	case strings.Contains(s, "://") || strings.ContainsAny(s, "/?#@"):
		return "", bad("is a URL, not a host name")
	case strings.HasPrefix(s, "*."):
		return "", fmt.Errorf("dev: allowed host %q: write %q for the subdomains of %s (and %s itself)", e, s[1:], s[2:], s[2:])
	}
	if ip := net.ParseIP(strings.Trim(s, "[]")); ip != nil {
		return ip.String(), nil // IP addresses are always answered
	}
	if strings.Contains(s, ":") {
		return "", bad("has a port")
	}
	dot := strings.HasPrefix(s, ".")
	name, err := idna.Lookup.ToASCII(strings.TrimSuffix(strings.TrimPrefix(s, "."), "."))
	if err != nil || !validName(name) {
		return "", bad("is not a host name")
	}
	if dot {
		name = "." + name
	}
	return name, nil
}

// validName reports whether s is a DNS name as browsers send it in Host:
// lowercase letters, digits, '-' and '_', in non-empty dot-separated labels.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// hostOf splits a Host header (or an absolute-form target's host) into its
// name, lowercased, without port, brackets or trailing dot; ip is set for an
// IP literal, whose name is then the address in its usual form. ok is false
// when it is neither a name nor an address, with or without a port.
func hostOf(hostport string) (name string, ip net.IP, ok bool) {
	h := strings.ToLower(hostport)
	var port string
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", nil, false
		}
		name, rest := h[1:end], h[end+1:]
		if rest != "" && rest[0] != ':' {
			return "", nil, false
		}
		port = strings.TrimPrefix(rest, ":")
		if ip = net.ParseIP(name); ip == nil || !strings.Contains(name, ":") || !digits(port) {
			return "", nil, false
		}
		return ip.String(), ip, true
	}
	name, port, _ = strings.Cut(h, ":")
	if !digits(port) {
		return "", nil, false
	}
	name = strings.TrimSuffix(name, ".")
	if ip = net.ParseIP(name); ip != nil {
		return ip.String(), ip, true
	}
	return name, nil, validName(name)
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// allowsName reports whether a name (no port) is one of ours: localhost and
// its subdomains, which browsers resolve to loopback themselves, and the
// configured ones.
func (h hostRule) allowsName(name string) bool {
	if name == "localhost" || strings.HasSuffix(name, ".localhost") || h.exact[name] {
		return true
	}
	for _, s := range h.suffixes {
		if name == s[1:] || strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// allowsHost reports whether the proxy answers a request for hostport. Any IP
// literal is answered: a browser sends one only when its URL names that
// address, so the page asking is on that address itself, never a rebound
// name. The port does not matter: the attacker picks it in their URL, and
// port forwards change it.
func (h hostRule) allowsHost(hostport string) bool {
	if h.any {
		return true
	}
	name, ip, ok := hostOf(hostport)
	return ok && (ip != nil || h.allowsName(name))
}

// allowsOrigin reports whether a page of origin may open a WebSocket through
// the proxy to host (a Host the proxy answers): the origin must be http or
// https on a name allowsName accepts, a loopback address, or the request's
// own host. Unlike Host, an Origin on a foreign IP address is refused: any
// website may be served from one.
func (h hostRule) allowsOrigin(origin, host string) bool {
	if h.any {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	name, ip, ok := hostOf(u.Host)
	if !ok {
		return false
	}
	if own, _, _ := hostOf(host); name == own || ip != nil && ip.IsLoopback() {
		return true
	}
	return ip == nil && h.allowsName(name)
}

// suggestion is the flag that would allow hostport, or "" when it is not a
// host name one could allow.
func suggestion(hostport string) string {
	if name, ip, ok := hostOf(hostport); ok && ip == nil {
		return "--allowed-host " + name
	}
	return ""
}

// refuse answers 403 in plain text (never HTML, so nothing the request
// carries can run as a page) naming what was refused and the flag that
// allows it.
func (p *Proxy) refuse(w http.ResponseWriter, r *http.Request, what, value, why, fix string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "corskit dev: refused %s %q.\n\n%s\n", what, value, why)
	if fix != "" {
		fmt.Fprintf(w, "\nIf you opened it yourself, start corskit dev with:\n\n    %s\n\n(allowed_hosts in its config file; Config.AllowedHosts in Go)\n", fix)
	}
	hint := fix
	if hint == "" {
		hint = "not a host name"
	}
	p.log("%s %s refused 403: %s %q is not allowed (%s)\n", r.Method, r.URL.RequestURI(), what, value, hint)
}

// checkHost refuses a request for a host the proxy does not answer, and a
// WebSocket opened by a page on a foreign origin; it reports whether it
// answered.
func (p *Proxy) checkHost(w http.ResponseWriter, r *http.Request, ws bool) bool {
	if !p.hosts.allowsHost(r.Host) {
		p.refuse(w, r, "a request for host", r.Host,
			"corskit dev answers only its own names: localhost, *.localhost, IP addresses, and the names given with --allowed-host, so that no website can read your dev server and APIs through it by DNS rebinding.",
			suggestion(r.Host))
		return true
	}
	if !ws {
		return false
	}
	origins := r.Header.Values("Origin")
	if len(origins) == 0 || len(origins) == 1 && p.hosts.allowsOrigin(origins[0], r.Host) {
		return false
	}
	origin := strings.Join(origins, ", ")
	fix := ""
	if u, err := url.Parse(origin); err == nil && (u.Scheme == "http" || u.Scheme == "https") && len(origins) == 1 {
		fix = suggestion(u.Host)
	}
	p.refuse(w, r, "a WebSocket opened by the page at", origin,
		"corskit dev accepts WebSockets only from pages on its own names: localhost, *.localhost, loopback addresses, the host the request names, and the names given with --allowed-host, so that no website can drive your dev server's HMR socket or your APIs' WebSockets through it.",
		fix)
	return true
}
