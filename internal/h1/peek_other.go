//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package h1

import "net"

// peek cannot tell on this system: a request whose client hangs up runs
// until its handler ends, and an idle upstream connection is reused
// unchecked (Transport then pools no connection at all; see Transport).
func peek(net.Conn) peekResult { return peekUnknown }
