package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Puma returns puma, with Debian's Ruby able to load rack-cors
// (ruby-rack-cors, puma), or skips loudly.
func Puma(t *testing.T) string {
	t.Helper()
	puma := Need(t, "puma")
	ruby := Need(t, "ruby")
	if err := exec.Command(ruby, "-e", "require 'rack/cors'").Run(); err != nil {
		Need(t, "ruby-rack-cors (Debian's rack-cors)")
	}
	return puma
}

// ServeRack runs configRU, a Rack config.ru (an app behind
// rack-cors), under puma on a free loopback port until the test ends, and
// returns its base URL, e.g. http://127.0.0.1:41234.
func ServeRack(t *testing.T, configRU string) string {
	t.Helper()
	puma := Puma(t)
	dir, port := t.TempDir(), FreePort(t)
	if err := os.WriteFile(filepath.Join(dir, "config.ru"), []byte(configRU), 0o600); err != nil {
		t.Fatal(err)
	}
	Start(t, dir, port, []string{"RACK_ENV=production"}, puma, "-b", fmt.Sprintf("tcp://127.0.0.1:%d", port), "-t", "1:4", "config.ru")
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
