// Package urls holds what corskit's packages need of a URL beyond net/url.
package urls

import (
	"net"
	"net/url"
)

// HostPort is the address to dial for u: its host and port, the scheme's
// default port (443 for https, else 80) when u has none.
func HostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}
