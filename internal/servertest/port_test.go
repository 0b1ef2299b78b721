package servertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestFreePortReservesAcrossProcesses: ports are never handed out twice, lie
// below the kernel's ephemeral range (where bind(0) and outgoing connections
// land), and stay locked against every other test process of the run (an
// flock from another open file description is refused, as another process's
// would be).
func TestFreePortReservesAcrossProcesses(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		port := FreePort(t)
		if seen[port] {
			t.Fatalf("port %d handed out twice", port)
		}
		seen[port] = true
		if port < portFloor || port >= ephemeralStart() {
			t.Fatalf("port %d outside [%d, %d)", port, portFloor, ephemeralStart())
		}
		name := filepath.Join(os.TempDir(), "corskit-servertest-ports", fmt.Sprint(port))
		if f, ok := lockPortFile(name); ok {
			f.Close()
			t.Fatalf("port %d: another process could lock %s", port, name)
		}
	}
}

// TestSyncBufferKeepsTheFirstMiB: a server's output past a MiB is dropped,
// not kept, and every write still reports it was taken.
func TestSyncBufferKeepsTheFirstMiB(t *testing.T) {
	var b SyncBuffer
	chunk := make([]byte, 64<<10)
	for range 40 {
		if n, err := b.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	if n := len(b.String()); n < syncBufferMax || n > syncBufferMax+len(chunk) {
		t.Fatalf("kept %d bytes of %d; want about %d", n, 40*len(chunk), syncBufferMax)
	}
}
