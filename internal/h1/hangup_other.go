//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package h1

import "net"

// clientGone cannot tell on this system: a request whose client hangs up
// runs until its handler ends.
func clientGone(net.Conn) bool { return false }
