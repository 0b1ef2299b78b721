package browsertest

import "testing"

// TestMain runs this package's tests as Main runs any package's: the
// engine tests share one Chromium and one Firefox by tabs (see
// TestSharedEnginesLendATabPerTest), and TestPoolCapsEachEngine tests a
// pool of its own.
func TestMain(m *testing.M) { Main(m) }
