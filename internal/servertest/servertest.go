// Package servertest starts real servers (nginx, Caddy, PHP, Flask, Node)
// on loopback for tests, and skips loudly when one is missing, or fails when
// CORSKIT_REQUIRE_SERVERS=1.
package servertest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Need returns the path of a server program, or skips the test loudly; with
// CORSKIT_REQUIRE_SERVERS=1 (set by .ci/run) it fails instead.
func Need(t *testing.T, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		msg := fmt.Sprintf("\n\n*** %s not found: test SKIPPED. .ci/run installs it. ***\n\n", program)
		if os.Getenv("CORSKIT_REQUIRE_SERVERS") == "1" {
			t.Fatal(msg + "CORSKIT_REQUIRE_SERVERS=1: failing instead of skipping.")
		}
		t.Skip(msg)
	}
	return p
}

// Start runs a server process until the test ends and waits for its port.
func Start(t *testing.T, dir string, port int, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	// Its own process group, so that worker processes (nginx) end with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	out := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	// 60 s: a loaded machine (go test ./... runs packages in parallel)
	// has taken more than 30 s to start Node.
	deadline := time.After(60 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("%s exited (%v) before listening on 127.0.0.1:%d", name, err, port)
		case <-deadline:
			t.Fatalf("%s did not listen on 127.0.0.1:%d within 60 s", name, port)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitListening waits until something listens on the loopback port.
func waitListening(port int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listened on 127.0.0.1:%d within %s (%v)", port, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SyncBuffer collects output (a process's, a logger's) safely from several
// goroutines. It keeps the first MiB: a server that lives as long as the
// test process (Tomcat, Azurite, Playwright's node) cannot fill memory.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// syncBufferMax is how much of the output a SyncBuffer keeps.
const syncBufferMax = 1 << 20

// Write appends p, or drops it once the buffer holds syncBufferMax bytes.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() >= syncBufferMax {
		return len(p), nil
	}
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Flask returns Debian's python3 with Flask and Flask-CORS, or skips.
func Flask(t *testing.T) string {
	t.Helper()
	python := Need(t, "/usr/bin/python3")
	if err := exec.Command(python, "-c", "import flask, flask_cors").Run(); err != nil {
		Need(t, "python3-flask-cors (Debian's python3-flask and python3-flask-cors)")
	}
	return python
}

// Nginx runs nginx until the test ends with httpBody inside http { } (the
// test's server blocks listen on port), after `nginx -t` accepts it.
func Nginx(t *testing.T, port int, httpBody string) {
	t.Helper()
	bin := Need(t, "nginx")
	dir := t.TempDir()
	conf := fmt.Sprintf(`daemon off;
pid %[1]s/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, httpBody)
	file := dir + "/nginx.conf"
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-p", dir, "-c", file, "-e", "stderr").CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s\n%s", err, out, conf)
	}
	Start(t, dir, port, nil, bin, "-p", dir, "-c", file, "-e", "stderr")
}

// EchoUpgrade answers a request with 101 Switching Protocols and echoes the
// bytes that follow: a stand-in for a WebSocket server, enough to test a
// proxy that copies bytes both ways.
func EchoUpgrade(w http.ResponseWriter, r *http.Request) {
	conn, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	brw.Flush()
	io.Copy(conn, brw)
}

// BuildGo builds src, a package main that imports corskit, against the
// corskit module at moduleRoot and its cors module (its go.sum reused), and returns the
// program's path; a build error fails the test with the source.
func BuildGo(t *testing.T, moduleRoot, src string) string {
	t.Helper()
	goBin := Need(t, "go")
	dir := t.TempDir()
	// The middleware is a module of its own, in cors/ (see cors/doc.go).
	gomod := "module example.com/app\n\ngo 1.26\n\n" +
		"require (\n\tgithub.com/corskit/corskit v0.0.0\n\tgithub.com/corskit/corskit/cors v0.0.0\n)\n\n" +
		"replace github.com/corskit/corskit => " + moduleRoot + "\n\n" +
		"replace github.com/corskit/corskit/cors => " + filepath.Join(moduleRoot, "cors") + "\n"
	sum, err := os.ReadFile(filepath.Join(moduleRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o600)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o600)
	os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o600)
	build := exec.Command(goBin, "build", "-mod=mod", "-o", "app", ".")
	build.Dir = dir
	// From the module cache only: tests reach nothing beyond loopback.
	build.Env = append(os.Environ(), "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s\n%s", err, out, src)
	}
	return filepath.Join(dir, "app")
}

// Python returns Debian's python3 when it imports every module (e.g.
// django and corsheaders from python3-django-cors-headers), or skips.
func Python(t *testing.T, debianPackages string, modules ...string) string {
	t.Helper()
	python := Need(t, "/usr/bin/python3")
	if err := exec.Command(python, "-c", "import "+strings.Join(modules, ", ")).Run(); err != nil {
		Need(t, strings.Join(modules, ", ")+" (Debian's "+debianPackages+")")
	}
	return python
}
