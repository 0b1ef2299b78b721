package browsertest

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// Main runs a package's tests with browsers shared between them: call it
// from the package's TestMain. [StartEngine] then gives a test a tab of its
// own in the process's one Chromium or Firefox (see tabOpener), or lends
// it an idle WebKit of the pool, or starts one, and takes it back when the
// test ends; Main stops every engine after the tests. Without Main, each
// StartEngine starts its own browser.
//
// Starting Firefox costs seconds on these machines; a package whose tests
// start the three engines a dozen times spends most of its time there.
//
// Main also stops the servers the tests shared (servertest.StopShared),
// and lets up to 16 parallel tests run at once (or 8 per core, when
// more) unless -test.parallel is given or the run fuzzes: each of these
// tests mostly waits for a browser or a server, so go test's default of
// GOMAXPROCS leaves a 2-core machine idle, where 16 keep both cores busy
// (check alone: 88 s of CPU in 47 s).
func Main(m *testing.M) {
	flag.Parse()
	raiseParallel()
	pool.mu.Lock()
	pool.enabled = true
	pool.mu.Unlock()
	code := m.Run()
	pool.stopAll()
	servertest.StopShared()
	os.Exit(code)
}

// raiseParallel sets -test.parallel to 16, or 8 per core when more, unless
// it was given or the run fuzzes (-test.fuzz): -parallel is also the
// number of fuzz workers, and 16 of them on 2 cores took CI's bounded
// fuzzing of the gateway from about 2 minutes to 4. flag.Parse has run.
func raiseParallel() {
	explicit := false
	flag.Visit(func(f *flag.Flag) {
		explicit = explicit || f.Name == "test.parallel" || f.Name == "test.fuzz" && f.Value.String() != ""
	})
	if !explicit {
		flag.Set("test.parallel", strconv.Itoa(max(16, 8*runtime.GOMAXPROCS(0))))
	}
}

// pool holds the shared engines, idle ones by name.
var pool = &enginePool{idle: map[string][]*pooledEngine{}, running: map[string]int{}, limit: perEngine, returned: make(chan struct{})}

// perEngine caps how many instances of WebKit a test process runs (the
// tabbed engines' cap is tabsAtOnce): with 4, a run of go test ./...
// spent 40 s more CPU than with 2 (MiniBrowser, its web and network
// processes and an Xvfb each) and took longer. A test that finds every
// instance lent waits for one to come back. It starts one more at once
// when it, or a test above it, holds one of that engine already (the one
// it waits for might be its own), and after lendWait in any case, so that
// no test waits forever.
const perEngine = 2

// AllowInstances raises, for the rest of the test process, the cap on the
// instances of each engine to n: a test that runs n cases at once, each
// holding one of each engine for its whole run, calls it so that its cases
// never wait for one another's engines.
func AllowInstances(n int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	pool.limit = max(pool.limit, n)
	pool.notify()
}

// lendWait: see perEngine. It is long: with 30 s, gen's tests, which
// hold engines for a minute, started four instances of each engine, six
// seconds of CPU for each Firefox; now two.
var lendWait = 4 * time.Minute

type enginePool struct {
	mu       sync.Mutex
	enabled  bool
	idle     map[string][]*pooledEngine
	all      []*pooledEngine
	running  map[string]int
	limit    int                    // perEngine, or more (AllowInstances)
	returned chan struct{}          // closed, and replaced, when an engine comes back or stops
	holders  map[string][]string    // the names of the tests holding each engine
	hosts    map[string]*engineHost // the tabbed engines' one instance each
}

// pooledEngine is a shared engine and the owner of its processes.
type pooledEngine struct {
	engine Engine
	owner  *ownerTB
}

// lend returns an engine of the pool for t, or false when the package does
// not share engines (no Main) or o needs an engine of t's own.
func (p *enginePool) lend(t testing.TB, name string, o Options) (Engine, bool) {
	t.Helper()
	if o.launchOnly(name) {
		return nil, false
	}
	p.mu.Lock()
	if !p.enabled {
		p.mu.Unlock()
		return nil, false
	}
	pe := p.idleOrSlot(name, t.Name())
	if tabbed[name] {
		// A tab takes a slot as an instance would: as many tests use
		// the engine at once as before, in one process.
		p.hold(name, t.Name())
		p.mu.Unlock()
		t.Cleanup(func() { p.closeTab(t, name) })
		return p.lendTab(t, name, o), true
	}
	p.hold(name, t.Name())
	p.mu.Unlock()
	if pe == nil {
		pe = p.start(t, name)
	}
	t.Cleanup(func() { p.takeBack(t, name, pe) })
	return pe.engine, true
}

// closeTab frees the slot of a test's tab (the tab itself closes with
// the test, see openTab).
func (p *enginePool) closeTab(t testing.TB, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.release(name, t.Name())
	p.running[name]--
	p.notify()
}

// hold records that the test named test holds an engine of name; p.mu is
// held.
func (p *enginePool) hold(name, test string) {
	if p.holders == nil {
		p.holders = map[string][]string{}
	}
	p.holders[name] = append(p.holders[name], test)
}

// release undoes hold; p.mu is held.
func (p *enginePool) release(name, test string) {
	if i := slices.Index(p.holders[name], test); i >= 0 {
		p.holders[name] = slices.Delete(p.holders[name], i, i+1)
	}
}

// holdsOne reports whether the test named test, or one above it, holds an
// engine of name; p.mu is held.
func (p *enginePool) holdsOne(name, test string) bool {
	return slices.ContainsFunc(p.holders[name], func(h string) bool { return h == test || strings.HasPrefix(test, h+"/") })
}

// idleOrSlot, called with p.mu held, returns an idle engine, or nil when
// the caller, the test named test, is to start one: under the cap, when it
// holds one of the engine already, or after lendWait.
func (p *enginePool) idleOrSlot(name, test string) *pooledEngine {
	deadline := time.Now().Add(lendWait)
	for {
		if idle := p.idle[name]; len(idle) > 0 {
			p.idle[name] = idle[:len(idle)-1]
			return idle[len(idle)-1]
		}
		wait := time.Until(deadline)
		limit := p.limit
		if tabbed[name] {
			limit = max(limit, tabsAtOnce)
		}
		if p.running[name] < limit || wait <= 0 || p.holdsOne(name, test) {
			p.running[name]++
			return nil
		}
		returned := p.returned
		p.mu.Unlock()
		select {
		case <-returned:
		case <-time.After(wait):
		}
		p.mu.Lock()
	}
}

// notify wakes the tests waiting for an engine; p.mu is held.
func (p *enginePool) notify() {
	close(p.returned)
	p.returned = make(chan struct{})
}

// start launches an engine owned by the pool, not by t, and reports a
// failure or a skip (a missing browser) on t.
func (p *enginePool) start(t testing.TB, name string) *pooledEngine {
	t.Helper()
	owner := &ownerTB{name: "shared " + name}
	e, ok := launch(owner, name)
	if !ok {
		p.mu.Lock()
		p.running[name]--
		p.notify()
		p.mu.Unlock()
		owner.stop()
		if owner.skipped {
			t.Skip(owner.message)
		}
		t.Fatal(owner.message)
	}
	pe := &pooledEngine{engine: e, owner: owner}
	p.mu.Lock()
	p.all = append(p.all, pe)
	p.mu.Unlock()
	return pe
}

// launch starts the named engine owned by owner, on a goroutine of its
// own, since the owner's Fatal ends the goroutine it runs on; false when
// the start failed or was skipped (the owner holds the message).
func launch(owner *ownerTB, name string) (Engine, bool) {
	started := make(chan Engine, 1)
	go func() {
		defer close(started)
		started <- startEngine(owner, name, Options{anyCertificate: tabbed[name]})
	}()
	e, ok := <-started
	return e, ok
}

// takeBack returns an engine to the idle list; after a failed test it is
// stopped instead, since its state is unknown.
func (p *enginePool) takeBack(t testing.TB, name string, pe *pooledEngine) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.notify()
	p.release(name, t.Name())
	if t.Failed() {
		p.all = slices.DeleteFunc(p.all, func(x *pooledEngine) bool { return x == pe })
		p.running[name]--
		go pe.owner.stop()
		return
	}
	p.idle[name] = append(p.idle[name], pe)
}

func (p *enginePool) stopAll() {
	p.mu.Lock()
	all := p.all
	p.all, p.idle, p.running, p.hosts = nil, map[string][]*pooledEngine{}, map[string]int{}, nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, pe := range all {
		wg.Go(pe.owner.stop)
	}
	wg.Wait()
}

// ownerTB stands for the test that owns a shared engine's processes: the
// start functions take a testing.TB, and a shared engine outlives the test
// that first asked for it. Only the methods below are used by the start
// functions; the embedded nil TB makes any other call fail loudly.
type ownerTB struct {
	testing.TB
	name     string
	mu       sync.Mutex
	cleanups []func()
	message  string
	skipped  bool
}

func (o *ownerTB) Name() string        { return o.name }
func (o *ownerTB) Helper()             {}
func (o *ownerTB) Failed() bool        { o.mu.Lock(); defer o.mu.Unlock(); return o.message != "" }
func (o *ownerTB) Logf(string, ...any) {}

func (o *ownerTB) Cleanup(f func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.cleanups = append(o.cleanups, f)
}

func (o *ownerTB) TempDir() string {
	dir, err := os.MkdirTemp("", "corskit-shared-browser-")
	if err != nil {
		o.Fatal(err)
	}
	o.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (o *ownerTB) Errorf(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.message = fmt.Sprintf(format, args...)
}

func (o *ownerTB) Fatalf(format string, args ...any) { o.Errorf(format, args...); runtime.Goexit() }
func (o *ownerTB) Fatal(args ...any)                 { o.Fatalf("%s", fmt.Sprint(args...)) }

func (o *ownerTB) Skip(args ...any) {
	o.mu.Lock()
	o.skipped = true
	o.mu.Unlock()
	o.Fatal(args...)
}

// stop runs the cleanups, last first, as testing does.
func (o *ownerTB) stop() {
	o.mu.Lock()
	cs := o.cleanups
	o.cleanups = nil
	o.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}
