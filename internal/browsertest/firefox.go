package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/browserwire"
)

// Firefox is a headless Firefox driven over WebDriver BiDi, with one tab on
// a blank page served from its own loopback origin.
type Firefox struct {
	page    *pageServer
	markers *markerServer
	bidi    *browserwire.BiDi
	context string // the tab's browsing context

	mu sync.Mutex // serialises fetches and navigations

	pageURL string // the URL the tab shows

	logMu sync.Mutex
	logs  []string      // console lines, in arrival order
	logCh chan struct{} // signalled when a line arrives

	netMu sync.Mutex
	net   func(method string, params json.RawMessage) // RecordHAR's network events, or nil

	// tabs are the tabs opened in this Firefox for other tests (openTab),
	// by browsing context: their events come on this Firefox's
	// connection, which hands each to its tab.
	tabsMu sync.Mutex
	tabs   map[string]*Firefox
}

// FirefoxPath returns the Firefox binary to use: $CORSKIT_FIREFOX, else
// firefox-esr or firefox on PATH, else "".
func FirefoxPath() string { return browserwire.FirefoxPath() }

// firefoxPrefs keep Firefox off the network: every request that does not go
// to loopback is sent to a proxy on 127.0.0.1:9, where nothing listens, and
// the background services that phone home are off (browserwire's quiet
// profile, which points remote settings at the same dead port).
const firefoxPrefs = `
user_pref("network.proxy.type", 1);
user_pref("network.proxy.http", "127.0.0.1");
user_pref("network.proxy.http_port", 9);
user_pref("network.proxy.ssl", "127.0.0.1");
user_pref("network.proxy.ssl_port", 9);
user_pref("network.proxy.socks", "127.0.0.1");
user_pref("network.proxy.socks_port", 9);
user_pref("network.proxy.no_proxies_on", "127.0.0.1, localhost, [::1]");
user_pref("network.proxy.allow_hijacking_localhost", false);
` + browserwire.FirefoxQuietPrefs + firefoxLeanPrefs

// firefoxLeanPrefs spare the tests' Firefox work no test looks at: the
// built-in add-ons, the session store, bookmarks import, media plugins,
// thumbnails, the content process kept ready for the next tab, and a
// content process per site (Fission): the tests' sites are 127.0.0.1 and
// localhost, and each test's tab moves between them. Measured on these
// 2-core machines (/proc/stat's busy time around a test binary, three
// runs each): a start and one fetch cost 5.9 s of CPU without them and
// 3.7 s with them; a tab 0.87 s, then 0.47 s; a page load on the other
// site and back 0.78 s, then 0.13 s. None of them touches fetch, CORS or
// the console: CORS is checked in the parent process, and every engine
// test holds Firefox's verdicts and lines to the model's. corskit record's
// Firefox keeps Firefox's defaults: it runs the user's app.
const firefoxLeanPrefs = `
user_pref("extensions.enabledScopes", 0);
user_pref("extensions.autoDisableScopes", 15);
user_pref("browser.startup.page", 0);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("browser.places.importBookmarksHTML", false);
user_pref("media.gmp-manager.url", "");
user_pref("media.gmp-provider.enabled", false);
user_pref("browser.pagethumbnails.capturing_disabled", true);
user_pref("dom.ipc.processPrelaunch.enabled", false);
user_pref("fission.autostart", false);
`

// StartFirefox launches headless Firefox for the test and its subtests, and
// stops it when the test ends. Without Firefox the test is skipped loudly, or
// fails under CORSKIT_REQUIRE_BROWSER=1.
func StartFirefox(t testing.TB) *Firefox { return StartFirefoxWith(t, Options{}) }

// StartFirefoxWith is StartFirefox with options.
func StartFirefoxWith(t testing.TB, o Options) *Firefox {
	t.Helper()
	path := FirefoxPath()
	if path == "" {
		missing(t, "Firefox", "apt-get install firefox-esr, or set CORSKIT_FIREFOX")
	}
	profile := t.TempDir()
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxPrefs), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &Firefox{page: startPageServer(t, o), markers: startMarkerServer(t), logCh: make(chan struct{}, 1)}

	wsURL := launchFirefox(t, path, profile)
	b, err := browserwire.DialBiDi(wsURL, 64<<20, f.event)
	if err != nil {
		t.Fatalf("connecting to Firefox's WebDriver BiDi at %s: %v", wsURL, err)
	}
	f.bidi = b
	t.Cleanup(func() { b.Close() })

	caps := map[string]any{}
	if o.TLS || o.anyCertificate {
		caps["alwaysMatch"] = map[string]any{"acceptInsecureCerts": true}
	}
	if _, err := f.call("session.new", map[string]any{"capabilities": caps}); err != nil {
		t.Fatalf("Firefox session.new: %v", err)
	}
	if _, err := f.call("session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}); err != nil {
		t.Fatalf("Firefox session.subscribe: %v", err)
	}
	tree, err := f.call("browsingContext.getTree", map[string]any{})
	if err != nil {
		t.Fatalf("Firefox browsingContext.getTree: %v", err)
	}
	var contexts struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := json.Unmarshal(tree, &contexts); err != nil || len(contexts.Contexts) == 0 {
		t.Fatalf("Firefox browsingContext.getTree: no tab in %s (%v)", tree, err)
	}
	f.context = contexts.Contexts[0].Context
	t.Cleanup(func() { f.call("browser.close", map[string]any{}) })
	f.Navigate(t, f.page.origin+"/")
	return f
}

// launchFirefox starts headless Firefox at path with the profile directory,
// stops it when the test ends, and returns the WebDriver BiDi address it
// prints once it listens.
func launchFirefox(t testing.TB, path, profile string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0",
		// The BiDi client sends this Origin, which Firefox refuses unless allowed.
		"--remote-allow-origins=http://127.0.0.1")
	cmd.Env = append(os.Environ(), browserwire.FirefoxEnv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting Firefox at %s: %v", path, err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	wsURL, err := browserwire.WaitBiDi(stderr, 120*time.Second)
	if err != nil {
		t.Fatalf("Firefox at %s: %v", path, err)
	}
	return wsURL
}

// event hands an event of a tab's browsing context to the tab (see
// openTab), and handles the others as this Firefox's own.
func (f *Firefox) event(method string, params json.RawMessage) {
	if tab := f.tabOf(params); tab != nil {
		tab.ownEvent(method, params)
		return
	}
	f.ownEvent(method, params)
}

// tabOf returns the tab whose browsing context an event names (a network
// event's context, a log entry's source), or nil.
func (f *Firefox) tabOf(params json.RawMessage) *Firefox {
	f.tabsMu.Lock()
	n := len(f.tabs)
	f.tabsMu.Unlock()
	if n == 0 {
		return nil
	}
	var e struct {
		Context string `json:"context"`
		Source  struct {
			Context string `json:"context"`
		} `json:"source"`
	}
	if json.Unmarshal(params, &e) != nil {
		return nil
	}
	f.tabsMu.Lock()
	defer f.tabsMu.Unlock()
	if tab := f.tabs[e.Context]; tab != nil {
		return tab
	}
	return f.tabs[e.Source.Context]
}

// ownEvent keeps the console lines of BiDi's log.entryAdded events, and
// hands network events to RecordHAR's recorder while it records.
func (f *Firefox) ownEvent(method string, params json.RawMessage) {
	if strings.HasPrefix(method, "network.") {
		f.netMu.Lock()
		if f.net != nil {
			f.net(method, params)
		}
		f.netMu.Unlock()
		return
	}
	if method != "log.entryAdded" {
		return
	}
	var e struct {
		Level string `json:"level"`
		Text  string `json:"text"`
	}
	if json.Unmarshal(params, &e) == nil {
		f.logMu.Lock()
		f.logs = append(f.logs, e.Text)
		f.logMu.Unlock()
		select {
		case f.logCh <- struct{}{}:
		default:
		}
	}
}

// call sends one BiDi command and waits up to 120 s for its answer (a
// loaded machine has taken over 60 s to answer session.new).
func (f *Firefox) call(method string, params any) (json.RawMessage, error) {
	return f.bidi.Call(method, params, 120*time.Second)
}

// Name returns "firefox".
func (f *Firefox) Name() string { return "firefox" }

// Origin returns the origin of the page that makes the requests.
func (f *Firefox) Origin() string { return f.page.origin }

// Navigate loads url in the tab.
func (f *Firefox) Navigate(t testing.TB, url string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.call("browsingContext.navigate", map[string]any{"context": f.context, "url": url, "wait": "complete"}); err != nil {
		t.Fatalf("Firefox: navigate to %s: %v", url, err)
	}
	f.pageURL = url
}

// Fetch makes the page call fetch(req) and returns the outcome, with the
// console lines Firefox logged for it.
func (f *Firefox) Fetch(t testing.TB, req Request) Result {
	t.Helper()
	return f.FetchAll(t, []Request{req})[0]
}

// FetchAll makes the page call fetch for each request in turn. When a fetch
// settles, the page starts a marker fetch (see markerServer) whose refused
// preflight Firefox logs after every line of the fetch's: the console lines
// between one fetch's start and its marker's line are the fetch's.
func (f *Firefox) FetchAll(t testing.TB, reqs []Request) []Result {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Result, len(reqs))
	for i, req := range reqs {
		start := f.logCount()
		marker := f.markers.next()
		expr := fmt.Sprintf(`(async () => { const r = await %s; %s; return JSON.stringify(r); })()`, fetchExpression(req), markerFetch(marker))
		raw, err := f.call("script.evaluate", map[string]any{"target": map[string]any{"context": f.context}, "awaitPromise": true, "expression": expr})
		if err != nil {
			t.Fatalf("Firefox: fetch %s: %v", req.URL, err)
		}
		var ev struct {
			Type   string `json:"type"`
			Result struct {
				Value string `json:"value"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil || ev.Type != "success" {
			t.Fatalf("Firefox: fetch %s: evaluation gave %s (%v)", req.URL, raw, err)
		}
		if err := json.Unmarshal([]byte(ev.Result.Value), &out[i]); err != nil {
			t.Fatalf("Firefox: fetch %s: result %q: %v", req.URL, ev.Result.Value, err)
		}
		out[i].Console = f.linesUntilMarker(t, start, marker)
		out[i].PageURL = f.pageURL
	}
	return out
}

func (f *Firefox) logCount() int {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	return len(f.logs)
}

// linesUntilMarker waits for the marker's preflight line and returns the
// console lines logged since start before it, without any marker's lines.
func (f *Firefox) linesUntilMarker(t testing.TB, start int, marker string) []string {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		f.logMu.Lock()
		for j := start; j < len(f.logs); j++ {
			if isMarkerPreflightLine(f.logs[j], marker) {
				var lines []string
				for _, l := range f.logs[start:j] {
					if !isMarkerLine(l) {
						lines = append(lines, l)
					}
				}
				f.logMu.Unlock()
				return lines
			}
		}
		f.logMu.Unlock()
		select {
		case <-f.logCh:
		case <-deadline.C:
			f.logMu.Lock()
			got := append([]string(nil), f.logs[start:]...)
			f.logMu.Unlock()
			t.Fatalf("Firefox: the console line of marker %s did not arrive within 30 s; lines since the fetch:\n%s", marker, strings.Join(got, "\n"))
			return nil
		}
	}
}
