package servertest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// FreePort returns a loopback port for a server process that the test is
// about to start, reserved for this test process until it exits.
//
// Asking the kernel for port 0 and closing the listener is racy: the kernel
// hands the same port to the next bind(0) or outgoing connection of any
// process, and go test runs packages in parallel. CI once saw puma fail to
// bind its port while another test's server answered on it. So FreePort
// picks ports below the kernel's ephemeral range, where neither bind(0) nor
// an outgoing connection lands, and reserves each one with an flock(2) on a
// file named after it, which every test process of the run honours and the
// kernel releases when the process ends.
func FreePort(t *testing.T) int {
	t.Helper()
	port, err := reservePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// ReservePort is FreePort for a caller without a *testing.T (a shared
// browser outlives the test that started it): the port, reserved for this
// test process until it exits, or an error naming what to free.
func ReservePort() (int, error) { return reservePort() }

// The reserved range's bounds: from portFloor to the start of the kernel's
// ephemeral range (32768 when it cannot be read).
const portFloor = 12000

var (
	reserveMu sync.Mutex
	reserved  []*os.File // held open: closing one would release its lock
)

func reservePort() (int, error) {
	reserveMu.Lock()
	defer reserveMu.Unlock()
	dir := filepath.Join(os.TempDir(), "corskit-servertest-ports")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return 0, fmt.Errorf("reserving a port: %w", err)
	}
	ceiling := ephemeralStart()
	span := ceiling - portFloor
	start := rand.IntN(span)
	for i := range span {
		port := portFloor + (start+i)%span
		f, ok := lockPortFile(filepath.Join(dir, fmt.Sprint(port)))
		if !ok {
			continue
		}
		// Locked: no other test process of this run has it. A program
		// outside the tests may still listen on it; then keep the lock
		// (so that it is not tried again) and go on.
		reserved = append(reserved, f)
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			ln.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free loopback port between %d and %d: free some, or clear %s", portFloor, ceiling, dir)
}

// lockPortFile opens name and takes an exclusive, non-blocking flock on it.
func lockPortFile(name string) (*os.File, bool) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}

// ephemeralStart reads the first port of the kernel's ephemeral range.
func ephemeralStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	var lo int
	if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &lo); err != nil || lo <= portFloor+1000 {
		return 32768
	}
	return lo
}
