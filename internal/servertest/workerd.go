package servertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Workerd runs src, a Worker module (export default { fetch }), on workerd,
// Cloudflare's Workers runtime, listening on 127.0.0.1:port until the test
// ends; it skips loudly when workerd is not installed (fails with
// CORSKIT_REQUIRE_SERVERS=1). The Worker has no outbound network: its
// config gives it no service to reach. It returns the Worker's directory.
func Workerd(t *testing.T, port int, src string) string {
	t.Helper()
	modules := NPMModules(t, WorkerdPackage)
	bin := filepath.Join(modules, ".bin", "workerd")
	if _, err := os.Stat(bin); err != nil {
		Need(t, bin)
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:%d", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2024-09-23",
);
`, port)
	for name, text := range map[string]string{"worker.js": src, "config.capnp": conf} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	Start(t, dir, port, nil, bin, "serve", "config.capnp")
	return dir
}
