//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package h1

import (
	"net"
	"syscall"
)

// peek says, without reading anything and without waiting, whether c's
// peer has sent bytes not yet read (peekData), has closed or reset the
// connection (peekClosed), or neither (peekEmpty): a non-blocking
// MSG_PEEK of the socket. It must be called only while nothing else reads
// c. peekUnknown when c is not a socket.
func peek(c net.Conn) peekResult {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return peekUnknown
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return peekUnknown
	}
	result := peekUnknown
	var b [1]byte
	raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK || err == syscall.EINTR:
			result = peekEmpty
		case err != nil || n == 0:
			result = peekClosed
		default:
			result = peekData
		}
		return true // never wait for the socket to become readable
	})
	return result
}
