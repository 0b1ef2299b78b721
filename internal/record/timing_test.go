package record

import (
	"testing"
	"time"
)

// TestTimingOf: a request Chromium announced before its preflight starts,
// on the timeline, where its preflight ends; a request that never ended
// is a point; no preflight, no preflight bar.
func TestTimingOf(t *testing.T) {
	t0 := time.UnixMilli(1_000_000)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	x := &exchange{started: at(0), ended: at(30)}
	p := &exchange{started: at(2), ended: at(12)}
	if got, want := timingOf(x, p), (Timing{PreflightStart: 1_000_002, PreflightEnd: 1_000_012, Start: 1_000_012, End: 1_000_030}); got != want {
		t.Errorf("with a preflight: %+v, want %+v", got, want)
	}
	if got, want := timingOf(&exchange{started: at(5)}, nil), (Timing{Start: 1_000_005, End: 1_000_005}); got != want {
		t.Errorf("never ended: %+v, want %+v", got, want)
	}
	if got, want := timingOf(&exchange{started: at(5)}, &exchange{started: at(1)}), (Timing{PreflightStart: 1_000_001, PreflightEnd: 1_000_001, Start: 1_000_005, End: 1_000_005}); got != want {
		t.Errorf("a preflight that never ended: %+v, want %+v", got, want)
	}
}
