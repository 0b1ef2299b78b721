package servertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// NodeApp runs src, a Node program the test wrote that listens on
// 127.0.0.1:$PORT, until the test ends, with the pinned npm packages pkgs
// requirable; it skips loudly when node or a package is missing (fails with
// CORSKIT_REQUIRE_SERVERS=1). It returns the app's directory.
func NodeApp(t *testing.T, port int, src string, pkgs ...string) string {
	t.Helper()
	dir := t.TempDir()
	node := NPMInstall(t, dir, pkgs...)
	if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, node, "app.js")
	return dir
}
