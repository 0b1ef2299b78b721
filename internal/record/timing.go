package record

import "time"

// Timing is when a request and its preflight ran, in milliseconds since
// the Unix epoch (fractions kept), as the recorder saw the engine's events.
type Timing struct {
	// PreflightStart and PreflightEnd bound the preflight; zero when the
	// engine sent none.
	PreflightStart float64 `json:"preflight_start,omitempty"`
	PreflightEnd   float64 `json:"preflight_end,omitempty"`
	// Start and End bound the request itself. With a preflight, Start is
	// never before the preflight's end: the engine sends the request only
	// once its preflight has passed, even when it announced it earlier.
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// timingOf is x's timing, with its preflight p (or nil).
func timingOf(x, p *exchange) Timing {
	t := Timing{Start: ms(x.started), End: ms(x.ended)}
	if p != nil {
		t.PreflightStart, t.PreflightEnd = ms(p.started), ms(p.ended)
		if t.PreflightEnd == 0 {
			t.PreflightEnd = t.PreflightStart
		}
		t.Start = max(t.Start, t.PreflightEnd)
	}
	if t.End < t.Start {
		t.End = t.Start
	}
	return t
}

// ms is t in milliseconds since the Unix epoch, or 0 for the zero time.
func ms(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMicro()) / 1000
}
