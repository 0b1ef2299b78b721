package corstest

import (
	"strings"
	"testing"
)

// TestCorsModule runs the cors module's own tests, which `go test ./...` at
// the repository's root does not reach (a nested module is not among ./...,
// not even in a workspace), with this run's -race and -short.
func TestCorsModule(t *testing.T) {
	t.Parallel()
	args := []string{"test"}
	if raceEnabled {
		args = append(args, "-race")
	}
	if testing.Short() {
		args = append(args, "-short")
	}
	args = append(args, "./...")
	out, err := runGo(t, corsDir(t), []string{"GOWORK=off"}, args...)
	if err != nil {
		t.Fatalf("go %s in cors/: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("go %s in cors/:\n%s", strings.Join(args, " "), out)
}
