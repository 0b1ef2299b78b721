package servertest

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopSharedEndsChildren: a server shared by the test process whose
// own child outlives it (as next dev's next-server does) is stopped with
// its child, as StopShared stops them (its own group only: the process's
// other shared servers serve other tests).
func TestStopSharedEndsChildren(t *testing.T) {
	log := &SyncBuffer{}
	started := make(chan error, 1)
	go runForProcess("/bin/sh", []string{"-c", "sleep 300 & echo child $!; wait"}, t.TempDir(), nil, log, started)
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	var child int
	for deadline := time.Now().Add(10 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, after, ok := strings.Cut(log.String(), "child "); ok {
			child, _ = strconv.Atoi(strings.TrimSpace(after))
		}
	}
	if child == 0 {
		t.Fatalf("the shared server did not say its child: %q", log.String())
	}
	own, err := syscall.Getpgid(child)
	if err != nil {
		t.Fatal(err)
	}
	sharedGroups.mu.Lock()
	registered := slices.Contains(sharedGroups.pgids, own)
	sharedGroups.mu.Unlock()
	if !registered {
		t.Fatalf("the child's group %d is not among the shared servers' groups", own)
	}
	killGroups([]int{own})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if !alive(child) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shared server's child %d is alive after StopShared", child)
		}
	}
}

// alive reports whether pid is a process that has not ended (a zombie has).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(stat), ") Z ")
}
