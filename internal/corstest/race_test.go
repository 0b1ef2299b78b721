//go:build race

package corstest

// raceEnabled: this test binary runs under the race detector.
const raceEnabled = true
