//go:build !race

package check

// raceEnabled is true under -race, which makes code several times slower:
// the time bounds of hostile-input tests allow for it.
const raceEnabled = false
