package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tabOpener is an engine whose one process can serve many tests at once:
// each test gets a tab of its own, in a browser context of its own (its own
// cookies, cache and preflight cache), on a page server of its own. The
// pool starts one per test process and lends tabs, never the engine: the
// process starts the browser once. A tab takes one of the engine's slots
// (tabsAtOnce, or AllowInstances' more).
type tabOpener interface {
	Engine
	openTab(t testing.TB, o Options) Engine
}

// tabsAtOnce is how many tabs of one engine a test process opens at
// once: a tab costs its test's work, not a browser's start, and the tests
// that hold one mostly wait for servers.
const tabsAtOnce = 4

// tabbed are the engines the pool shares by tabs; the others it lends
// whole, one test at a time (see perEngine).
var tabbed = map[string]bool{"chromium": true, "firefox": true}

// engineHost is the one instance of a tabbed engine in a test process:
// ready is closed once it started, or failed to (pe nil, with the
// owner's message).
type engineHost struct {
	ready chan struct{}
	pe    *pooledEngine
	owner *ownerTB
}

// lendTab opens a tab for t in the process's instance of the engine name,
// starting it on first use. A failed start fails, or skips (a missing
// browser), every test that asks for it.
func (p *enginePool) lendTab(t testing.TB, name string, o Options) Engine {
	t.Helper()
	p.mu.Lock()
	if p.hosts == nil {
		p.hosts = map[string]*engineHost{}
	}
	h := p.hosts[name]
	first := h == nil
	if first {
		h = &engineHost{ready: make(chan struct{}), owner: &ownerTB{name: "shared " + name}}
		p.hosts[name] = h
	}
	p.mu.Unlock()
	if first {
		h.start(p, name)
	}
	<-h.ready
	if h.pe == nil {
		if h.owner.skipped {
			t.Skip(h.owner.message)
		}
		t.Fatal(h.owner.message)
	}
	return h.pe.engine.(tabOpener).openTab(t, o)
}

// start launches the host's engine, owned by the pool (stopAll stops it).
func (h *engineHost) start(p *enginePool, name string) {
	defer close(h.ready)
	e, ok := launch(h.owner, name)
	if !ok {
		h.owner.stop()
		return
	}
	h.pe = &pooledEngine{engine: e, owner: h.owner}
	p.mu.Lock()
	p.all = append(p.all, h.pe)
	p.mu.Unlock()
}

// openTab opens a tab in a new browser context of b's Chromium, on a page
// server of t's own (https with o.TLS); the tab and its context close when
// t ends.
func (b *Browser) openTab(t testing.TB, o Options) Engine {
	t.Helper()
	page := startPageServer(t, o)
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tab := &Browser{ctx: ctx, origin: page.origin, pageURL: page.origin + "/"}
	// The first action runs on ctx itself, which then owns the tab; a
	// timer bounds it, since a child context with a deadline would not.
	timer := time.AfterFunc(30*time.Second, cancel)
	defer timer.Stop()
	if err := chromedp.Do(ctx, chromedp.Navigate(tab.pageURL)); err != nil {
		t.Fatalf("Chromium: opening a tab on %s: %v", tab.pageURL, err)
	}
	return tab
}

// browserOf returns the chromedp browser that runs ctx's tab, for a test
// that checks that two tabs share one process.
func browserOf(ctx context.Context) *chromedp.Browser {
	if c := chromedp.FromContext(ctx); c != nil {
		return c.Browser
	}
	return nil
}

// openTab opens a tab in a user context of its own (cookies and caches
// apart) in f's Firefox, on a page server of t's own (https with o.TLS);
// the tab and its user context close when t ends. Its events come on f's
// connection, which hands them to the tab by its browsing context.
func (f *Firefox) openTab(t testing.TB, o Options) Engine {
	t.Helper()
	uc := f.callFor(t, "browser.createUserContext", map[string]any{}, "userContext")
	t.Cleanup(func() { f.call("browser.removeUserContext", map[string]any{"userContext": uc}) })
	page := startPageServer(t, o)
	home := page.origin + "/"
	browsing, err := f.createTab(uc, home)
	if err != nil {
		t.Fatal(err)
	}
	tab := &Firefox{page: page, markers: startMarkerServer(t), bidi: f.bidi, context: browsing, pageURL: home, logCh: make(chan struct{}, 1)}
	f.tabsMu.Lock()
	if f.tabs == nil {
		f.tabs = map[string]*Firefox{}
	}
	f.tabs[browsing] = tab
	f.tabsMu.Unlock()
	t.Cleanup(func() {
		f.call("browsingContext.close", map[string]any{"context": browsing})
		f.tabsMu.Lock()
		delete(f.tabs, browsing)
		f.tabsMu.Unlock()
	})
	return tab
}

// createTab opens a tab on home in the user context uc and returns its
// browsing context. Firefox ESR 153 sometimes answers
// browsingContext.create, or the first navigation, with "no such frame:
// DiscardedBrowsingContextError" while other tabs open and close (CI, once
// in a run of go test ./...): the new tab's first context was replaced as
// its about:blank loaded. It tries three times.
func (f *Firefox) createTab(uc, home string) (string, error) {
	var err error
	for range 3 {
		var browsing string
		browsing, err = f.callField("browsingContext.create", map[string]any{"type": "tab", "userContext": uc}, "context")
		if err == nil {
			_, err = f.call("browsingContext.navigate", map[string]any{"context": browsing, "url": home, "wait": "complete"})
			if err == nil {
				return browsing, nil
			}
			err = fmt.Errorf("Firefox: navigate a new tab to %s: %w", home, err)
			f.call("browsingContext.close", map[string]any{"context": browsing})
		}
		if !strings.Contains(err.Error(), "DiscardedBrowsingContextError") && !strings.Contains(err.Error(), "no such frame") {
			break
		}
	}
	return "", err
}

// callFor sends a BiDi command and returns the string field named field
// of its answer, failing the test when there is none.
func (f *Firefox) callFor(t testing.TB, method string, params any, field string) string {
	t.Helper()
	v, err := f.callField(method, params, field)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// callField is callFor's command, with its error returned.
func (f *Firefox) callField(method string, params any, field string) (string, error) {
	raw, err := f.call(method, params)
	var answer map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &answer)
	}
	v, _ := answer[field].(string)
	if err != nil || v == "" {
		return "", fmt.Errorf("Firefox %s: no %s in %s (%v)", method, field, raw, err)
	}
	return v, nil
}
