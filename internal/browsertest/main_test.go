package browsertest

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs this package's tests as Main runs a package's, 8 at once,
// but without the shared pool: each test starts its own engines, and
// TestSharedEngineIsLentResetAndReused tests a pool of its own.
func TestMain(m *testing.M) {
	flag.Parse()
	raiseParallel()
	os.Exit(m.Run())
}
