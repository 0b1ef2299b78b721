package servertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Lighttpd runs Debian's lighttpd with conf (a whole lighttpd.conf whose
// server.bind and server.port are 127.0.0.1 and port) until the test
// ends, once `lighttpd -tt` accepts it. It skips loudly when lighttpd is
// missing, or fails with CORSKIT_REQUIRE_SERVERS=1.
func Lighttpd(t *testing.T, port int, conf string) {
	t.Helper()
	bin := Need(t, "lighttpd")
	dir := t.TempDir()
	file := filepath.Join(dir, "lighttpd.conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-tt", "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("lighttpd -tt: %v\n%s\n%s", err, out, conf)
	}
	Start(t, dir, port, nil, bin, "-D", "-f", file)
}
