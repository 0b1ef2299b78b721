//go:build race

package cli

// raceEnabled is true under -race: the slowest suites run in the pass without it.
const raceEnabled = true
