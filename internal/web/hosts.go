package web

import (
	"net"
	"os"
	"strings"
)

// hostsFor returns the Host values a server listening on host:port
// answers to, the first the one its URL names. A loopback address answers
// to its loopback names too; an unspecified one (0.0.0.0, ::), which
// listens on every interface, answers to loopback's names, this machine's
// addresses and its host name, and its URL names 127.0.0.1: [::] is not an
// address a browser can open. Any other name (one that resolves here by
// DNS rebinding) is refused.
func hostsFor(host, port string) []string {
	ip := net.ParseIP(host)
	loopback := []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port}
	switch {
	case ip != nil && ip.IsUnspecified():
		hosts := loopback
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() {
					hosts = append(hosts, strings.ToLower(net.JoinHostPort(n.IP.String(), port)))
				}
			}
		}
		if name, err := os.Hostname(); err == nil && name != "" {
			hosts = append(hosts, strings.ToLower(net.JoinHostPort(name, port)))
		}
		return hosts
	case ip != nil && ip.IsLoopback():
		return append([]string{strings.ToLower(net.JoinHostPort(host, port))}, loopback...)
	}
	return []string{strings.ToLower(net.JoinHostPort(host, port))}
}

// Hosts are the Host values the server answers to, its URL's first: what
// --allow-remote exposes.
func (s *Server) Hosts() []string { return append([]string(nil), s.hosts...) }
