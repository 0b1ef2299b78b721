package servertest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAzuriteReachesNothingBeyondLoopback: Azurite sends telemetry to
// Azure (Application Insights) unless told not to. An Azurite started as
// the tests start it, with its telemetry on, is caught by the trap proxy
// (so the trap works); the shared Azurite, started before it and used,
// has sent the trap nothing by then.
func TestAzuriteReachesNothingBeyondLoopback(t *testing.T) {
	t.Parallel()
	box := Azurite(t, `<StorageServiceProperties><Cors/></StorageServiceProperties>`)
	resp, err := http.Get(box + "/k")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/k: %v %v", box, err, resp)
	}
	resp.Body.Close()

	node, modules := Need(t, "node"), NPMModules(t, AzuritePackage)
	trap, err := NewTrap()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { trap.Close() })
	port := FreePort(t)
	Start(t, t.TempDir(), port, trap.Env(), node, azuriteArgs(modules, port, t.TempDir(), false)...)
	deadline := time.Now().Add(60 * time.Second)
	for len(trap.Hits()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	hits := trap.Hits()
	if len(hits) == 0 || !strings.Contains(hits[0], "applicationinsights") {
		t.Fatalf("Azurite with its telemetry on sent the trap %q within 60 s; want its telemetry's CONNECT (else the trap proves nothing)", hits)
	}
	t.Logf("with telemetry on, Azurite tried: %s", strings.TrimSpace(hits[0]))
	azuriteMu.Lock()
	shared := azuriteAll[0]
	azuriteMu.Unlock()
	if got := shared.trap.Hits(); len(got) > 0 {
		t.Errorf("the shared Azurite (--disableTelemetry) tried to reach beyond loopback: %q", got)
	}
}
