package browsertest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// playwrightServer is one node process running playwright_recordhar.js,
// which launched one Chromium: each recording is a job sent on its
// standard input, answered on its standard output. Starting node with
// playwright-core and Chromium costs seconds, which a per-recording
// process paid every time. It lives as long as the test process: when
// that exits, its standard input closes, and it closes Chromium and exits.
type playwrightServer struct {
	stdin   io.WriteCloser
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan playwrightAnswer
	done    chan struct{} // closed when node's output ends
	stderr  *servertest.SyncBuffer
}

// playwrightAnswer is one job's answer.
type playwrightAnswer struct {
	ID      int             `json:"id"`
	Results json.RawMessage `json:"results"`
	Error   string          `json:"error"`
}

// playwright is the test process's server, started at first use, and
// started again if it died.
var playwright struct {
	mu  sync.Mutex
	srv *playwrightServer
}

// sharedPlaywright returns the test process's server, or skips loudly.
func sharedPlaywright(t testing.TB) *playwrightServer {
	t.Helper()
	node, modules, chromium := playwrightTools(t)
	playwright.mu.Lock()
	defer playwright.mu.Unlock()
	if s := playwright.srv; s != nil {
		select {
		case <-s.done:
		default:
			return s
		}
	}
	s, err := startPlaywright(node, modules, chromium)
	if err != nil {
		t.Fatalf("starting Playwright (node, %s): %v", modules, err)
	}
	playwright.srv = s
	return s
}

// startPlaywright starts node on the script, outside any test's lifetime.
func startPlaywright(node, modules, chromium string) (*playwrightServer, error) {
	dir, err := os.MkdirTemp("", "corskit-playwright-")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "recordhar.js")
	if err := os.WriteFile(script, playwrightScript, 0o600); err != nil {
		return nil, err
	}
	spec, _ := json.Marshal(map[string]any{"modules": modules, "chromium": chromium, "timeout": (playwrightTimeout - 10*time.Second).Milliseconds()})
	cmd := exec.Command(node, script, string(spec))
	cmd.Dir = dir
	s := &playwrightServer{waiting: map[int]chan playwrightAnswer{}, done: make(chan struct{}), stderr: &servertest.SyncBuffer{}}
	cmd.Stderr = s.stderr
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go s.read(stdout, func() { cmd.Wait(); os.RemoveAll(dir) })
	return s, nil
}

// read hands each answer to its job, until node's output ends.
func (s *playwrightServer) read(stdout io.Reader, exited func()) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var a playwrightAnswer
		if json.Unmarshal(sc.Bytes(), &a) != nil {
			continue
		}
		s.mu.Lock()
		ch := s.waiting[a.ID]
		delete(s.waiting, a.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
	close(s.done)
	exited()
}

// record sends one job and waits for its answer, at most timeout.
func (s *playwrightServer) record(job map[string]any, timeout time.Duration) (json.RawMessage, error) {
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	ch := make(chan playwrightAnswer, 1)
	s.waiting[id] = ch
	job["id"] = id
	line, _ := json.Marshal(job)
	_, err := s.stdin.Write(append(line, '\n'))
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("node: %w\n%s", err, s.stderr.String())
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-ch:
		if a.Error != "" {
			return nil, errors.New(a.Error)
		}
		return a.Results, nil
	case <-s.done:
		return nil, fmt.Errorf("node exited:\n%s", s.stderr.String())
	case <-t.C:
		s.mu.Lock()
		delete(s.waiting, id)
		s.mu.Unlock()
		return nil, fmt.Errorf("no answer within %v:\n%s", timeout, s.stderr.String())
	}
}
