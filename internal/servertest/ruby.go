package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Puma runs configRU, a Rack application the test wrote (Sinatra with
// rack-cors, say), under Puma on 127.0.0.1:port until the test ends. It
// skips loudly when puma, Sinatra or rack-cors is missing (Debian's puma,
// ruby-sinatra, ruby-rack-cors), or fails with CORSKIT_REQUIRE_SERVERS=1.
func Puma(t *testing.T, port int, configRU string) {
	t.Helper()
	puma := Need(t, "puma")
	ruby := Need(t, "ruby")
	if err := exec.Command(ruby, "-e", `require "sinatra/base"; require "rack/cors"`).Run(); err != nil {
		Need(t, "ruby-sinatra and ruby-rack-cors (Debian packages)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.ru"), []byte(configRU), 0o600); err != nil {
		t.Fatal(err)
	}
	Start(t, dir, port, []string{"RACK_ENV=production"}, puma,
		"--bind", fmt.Sprintf("tcp://127.0.0.1:%d", port), "--threads", "1:4", "--environment", "production", "config.ru")
}
