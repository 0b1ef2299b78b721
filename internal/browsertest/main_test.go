package browsertest

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs this package's tests as Main runs a package's, 8 at once,
// but without the pool: TestSharedEngineIsLentResetAndReused turns it on
// and off itself.
func TestMain(m *testing.M) {
	flag.Parse()
	raiseParallel()
	os.Exit(m.Run())
}
