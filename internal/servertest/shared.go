package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
)

// runForProcess starts a server that lives as long as the test process
// (next dev, Azurite, Tomcat), in a process group of its own, from a locked
// OS thread that lives as long as the server: Pdeathsig kills the server
// when that thread, and so the test process, ends. Its children (next dev's
// next-server) are in its group, which StopShared kills. started gets the
// start's error, or nil; runForProcess returns when the server ends.
func runForProcess(name string, args []string, dir string, env []string, log *SyncBuffer, started chan<- error) {
	runtime.LockOSThread()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		started <- err
		return
	}
	sharedGroups.add(cmd.Process.Pid)
	started <- nil
	cmd.Wait()
	fmt.Fprintf(log, "\n*** %s exited ***\n", filepath.Base(name))
}

// sharedGroups are the process groups of the servers runForProcess
// started.
var sharedGroups groups

type groups struct {
	mu    sync.Mutex
	pgids []int
}

func (g *groups) add(pgid int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pgids = append(g.pgids, pgid)
}

// StopShared kills the servers that live as long as the test process, and
// every process of their groups: Pdeathsig stops a server itself when the
// process ends, not the children it started (next dev's next-server, seen
// running for an hour after a test run at 12% of a core). browsertest.Main
// calls it after the tests.
func StopShared() {
	sharedGroups.mu.Lock()
	defer sharedGroups.mu.Unlock()
	killGroups(sharedGroups.pgids)
	sharedGroups.pgids = nil
}

// killGroups kills every process of the groups.
func killGroups(pgids []int) {
	for _, pgid := range pgids {
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
