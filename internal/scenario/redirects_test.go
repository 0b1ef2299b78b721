package scenario

import (
	"fmt"
	"slices"
	"testing"
)

// TestGenerateCoversEveryRedirectStatus: the generated scenarios redirect
// with every status fetch follows, to the same server and to the other,
// at the size a run uses in its slowest engine (120 in Firefox), and the
// fixed Redirects hold each status once per target.
func TestGenerateCoversEveryRedirectStatus(t *testing.T) {
	t.Parallel()
	// The Fetch standard's redirect statuses, written out here so that a
	// status dropped from RedirectStatuses fails the test.
	every := []int{301, 302, 303, 307, 308}
	if !slices.Equal(RedirectStatuses, every) {
		t.Errorf("RedirectStatuses is %v; want %v", RedirectStatuses, every)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		seen := map[string]bool{}
		for _, sc := range Generate(seed, 120, "http://localhost:3000") {
			if sc.Target != nil && slices.Contains(every, sc.Actual.Status) {
				seen[fmt.Sprint(sc.Actual.Status)] = true
			}
		}
		for _, st := range every {
			if !seen[fmt.Sprint(st)] {
				t.Errorf("seed %d: no generated scenario redirects with %d", seed, st)
			}
		}
	}
	fixed := map[string]bool{}
	for _, sc := range Redirects("http://localhost:3000") {
		fixed[fmt.Sprint(sc.Actual.Status, sc.Actual.Location)] = true
	}
	for _, st := range every {
		for _, loc := range []string{"{same}", "{other}"} {
			if !fixed[fmt.Sprint(st, loc)] {
				t.Errorf("Redirects: no %d to %s", st, loc)
			}
		}
	}
}
