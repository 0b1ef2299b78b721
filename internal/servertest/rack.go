package servertest

import (
	"fmt"
	"testing"
)

// ServeRack runs configRU, a Rack config.ru (an app behind
// rack-cors), under puma on a free loopback port until the test ends, and
// returns its base URL, e.g. http://127.0.0.1:41234.
func ServeRack(t *testing.T, configRU string) string {
	t.Helper()
	port := FreePort(t)
	Puma(t, port, configRU)
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
