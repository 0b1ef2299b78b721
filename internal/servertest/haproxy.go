package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// HAProxy runs haproxy until the test ends with body (its frontends,
// backends and listen sections, the test's frontend binding 127.0.0.1:port)
// after global and defaults sections, once `haproxy -c` accepts it. It
// skips loudly when haproxy is missing, or fails with
// CORSKIT_REQUIRE_SERVERS=1.
func HAProxy(t *testing.T, port int, body string) {
	t.Helper()
	bin := Need(t, "haproxy")
	dir := t.TempDir()
	conf := fmt.Sprintf(`global
    log stderr format raw local0 err
    pidfile %s/haproxy.pid

defaults
    mode http
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s

%s
`, dir, body)
	file := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s\n%s", err, out, conf)
	}
	Start(t, dir, port, nil, bin, "-db", "-f", file)
}
