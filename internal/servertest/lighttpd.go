package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Lighttpd runs lighttpd until the test ends, serving the files the test
// wrote in docroot on 127.0.0.1:port, with conf (its server.modules and
// directives) after the listening and document-root lines, once
// `lighttpd -tt` accepts it. It skips loudly when lighttpd is missing, or
// fails with CORSKIT_REQUIRE_SERVERS=1.
func Lighttpd(t *testing.T, port int, docroot, conf string) {
	t.Helper()
	bin := Need(t, "lighttpd")
	dir := t.TempDir()
	full := fmt.Sprintf(`server.bind = "127.0.0.1"
server.port = %d
server.document-root = %q
server.errorlog = "/dev/stderr"
mimetype.assign = (".json" => "application/json", ".txt" => "text/plain", ".html" => "text/html")
%s
`, port, docroot, conf)
	file := filepath.Join(dir, "lighttpd.conf")
	if err := os.WriteFile(file, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-tt", "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("lighttpd -tt: %v\n%s\n%s", err, out, full)
	}
	Start(t, dir, port, nil, bin, "-D", "-f", file)
}
