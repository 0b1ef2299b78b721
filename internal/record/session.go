package record

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/corskit/corskit/check"
)

// session is a recording under way: the capture, and the judging of each
// request once the engine has said all it says about it.
type session struct {
	engine string
	base   check.Options
	o      Options
	cap    *capture

	resMu   sync.Mutex
	results []Result
	pending sync.WaitGroup
}

func newSession(engine string, base check.Options, o Options) *session {
	return &session{engine: engine, base: base, o: o, cap: newCapture()}
}

// settle is how long a request that ended waits for the engine's last
// words about it (the console line and the issue come after the failure).
const settle = 750 * time.Millisecond

// ended notes that x finished or failed and, for a cross-origin request,
// judges it once the engine's words are in; c.mu is held.
func (s *session) ended(x *exchange) {
	if x.done {
		return
	}
	x.done, x.ended = true, time.Now()
	s.cap.inflight = max(0, s.cap.inflight-1)
	s.cap.poke()
	if x.scratch || !x.crossOrigin() {
		return
	}
	s.pending.Add(1)
	go s.judgeWhenSettled(x)
}

// judgeWhenSettled waits until x's console line and issue are in (a
// failure) or its answer's headers are (a success), at most settle, then
// judges it.
func (s *session) judgeWhenSettled(x *exchange) {
	defer s.pending.Done()
	deadline := time.Now().Add(settle)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		s.cap.mu.Lock()
		// Chromium says at once whether it blocked (the failure's code),
		// then logs its line; Firefox may log a line for a response it
		// reported complete, so its requests wait for one.
		ready := (s.engine == "chromium" && x.failed == "" && x.extra) || (x.hasCORSLine() && (x.issue != "" || x.engineCode == ""))
		s.cap.mu.Unlock()
		if ready {
			break
		}
		<-tick.C
	}
	s.cap.mu.Lock()
	x.judged = true
	cp := *x
	var p *exchange
	if pf := s.cap.preflightOf(x.id); pf != nil {
		pc := *pf
		p = &pc
	}
	s.cap.mu.Unlock()
	r := judge(context.Background(), s.engine, &cp, p, s.base)
	if r.Error != "" && r.Report == nil && !r.BlockedHere {
		return // not a request the model judges, and nothing went wrong
	}
	s.resMu.Lock()
	s.results = append(s.results, r)
	if s.o.OnResult != nil {
		s.o.OnResult(r)
	}
	s.resMu.Unlock()
}

// driver is what a browser offers a session's steps.
type driver interface {
	open(ctx context.Context, url string) error
	click(ctx context.Context, selector string) error
	fill(ctx context.Context, selector, text string) error
	bodyText(ctx context.Context) (string, error)
}

// run opens each URL, then runs the script, waiting for the network to be
// idle after each step, and returns what was seen.
func (s *session) run(ctx context.Context, d driver) (Session, error) {
	steps := make([]Step, 0, len(s.o.URLs)+len(s.o.Script))
	for _, u := range s.o.URLs {
		steps = append(steps, Step{Action: "open", Arg: u, Line: 0})
	}
	steps = append(steps, s.o.Script...)
	var err error
	for _, st := range steps {
		if s.o.OnStep != nil {
			s.o.OnStep(st)
		}
		if err = s.step(ctx, d, st); err != nil {
			break
		}
		if err = s.waitIdle(ctx, st); err != nil {
			break
		}
	}
	s.pending.Wait()
	s.resMu.Lock()
	out := Session{Engine: s.engine, Results: slices.Clone(s.results), HAR: s.cap.HAR("corskit record (" + s.engine + ")")}
	s.resMu.Unlock()
	return out, err
}

// step runs one step, bounded by the timeout.
func (s *session) step(ctx context.Context, d driver, st Step) error {
	sctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	var err error
	switch st.Action {
	case "open":
		err = d.open(sctx, st.Arg)
	case "click":
		err = d.click(sctx, st.Arg)
	case "fill":
		err = d.fill(sctx, st.Arg, st.Text)
	case "wait-text":
		err = s.waitText(sctx, d, st.Arg)
	case "wait-idle":
		return nil // every step waits for it
	}
	if err != nil {
		if sctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("%s: timed out after %s: %v", st, s.o.Timeout, err)
		}
		return fmt.Errorf("%s: %v", st, err)
	}
	return nil
}

// waitText waits until the page's text holds text.
func (s *session) waitText(ctx context.Context, d driver, text string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		body, err := d.bodyText(ctx)
		if err == nil && containsFold(body, text) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the text %q did not appear on the page within %s", text, s.o.Timeout)
		case <-tick.C:
		}
	}
}

// waitIdle waits until no request has been in flight for o.Idle.
func (s *session) waitIdle(ctx context.Context, st Step) error {
	// The quiet counts from the step's end: a page's first requests may be
	// reported after its load event.
	s.cap.mu.Lock()
	s.cap.poke()
	s.cap.mu.Unlock()
	deadline := time.NewTimer(s.o.Timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for s.cap.idleFor() < s.o.Idle {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			if s.o.OnNote != nil {
				s.o.OnNote(fmt.Sprintf("after %s the network was still busy after %s; going on", st, s.o.Timeout))
			}
			return nil
		case <-tick.C:
		case <-s.cap.changed:
		}
	}
	return nil
}

// canLaunch refuses a recording the named browser cannot make: path is
// its binary, "" when none was found (install says how to get it, env
// names the variable that points at one), and a window needs a display.
func canLaunch(o Options, name, path, install, env string) error {
	if path == "" {
		return fmt.Errorf("%s: %w: install it (%s) or set %s to its path", name, ErrNoBrowser, install, env)
	}
	if !o.Headless && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return fmt.Errorf("%s: no display (DISPLAY is empty) for a window: add --headless", name)
	}
	return nil
}

// profileDir returns the profile folder: dir, made if missing, or a fresh
// temporary one removed by cleanup.
func profileDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, fmt.Errorf("--profile %s: %v: give a folder you can write", dir, err)
		}
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "corskit-record-")
	if err != nil {
		return "", nil, fmt.Errorf("making a fresh profile: %v (set TMPDIR to a folder you can write)", err)
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}
