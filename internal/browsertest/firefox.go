package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// Firefox is a headless Firefox driven over WebDriver BiDi, with one tab on
// a blank page served from its own loopback origin.
type Firefox struct {
	page    *pageServer
	markers *markerServer
	ws      *websocket.Conn
	context string // the tab's browsing context

	mu      sync.Mutex // serialises fetches and navigations
	calls   sync.Mutex // guards nextID, waiting
	nextID  int
	waiting map[int]chan bidiAnswer

	pageURL string // the URL the tab shows

	logMu sync.Mutex
	logs  []string      // console lines, in arrival order
	logCh chan struct{} // signalled when a line arrives

	netMu sync.Mutex
	net   func(method string, params json.RawMessage) // RecordHAR's network events, or nil
}

type bidiAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
	Msg    string          `json:"message"`
}

// FirefoxPath returns the Firefox binary to use: $CORSKIT_FIREFOX, else
// firefox-esr or firefox on PATH, else "".
func FirefoxPath() string {
	if p := os.Getenv("CORSKIT_FIREFOX"); p != "" {
		return p
	}
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// firefoxPrefs keep Firefox off the network: every request that does not go
// to loopback is sent to a proxy on 127.0.0.1:9, where nothing listens, and
// the background services that phone home are off.
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
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("app.update.enabled", false);
user_pref("app.normandy.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("browser.search.update", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("messaging-system.rsexperimentloader.enabled", false);
user_pref("services.settings.server", "http://127.0.0.1:9/v1");
user_pref("dom.push.connection.enabled", false);
user_pref("browser.region.network.url", "");
user_pref("geo.provider.network.url", "");
`

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

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
	f := &Firefox{page: startPageServer(t, o), markers: startMarkerServer(t), waiting: map[int]chan bidiAnswer{}, logCh: make(chan struct{}, 1)}

	wsURL := launchFirefox(t, path, profile)
	ws, err := websocket.Dial(wsURL+"/session", "", "http://127.0.0.1/")
	if err != nil {
		t.Fatalf("connecting to Firefox's WebDriver BiDi at %s: %v", wsURL, err)
	}
	ws.MaxPayloadBytes = 64 << 20
	f.ws = ws
	t.Cleanup(func() { ws.Close() })
	go f.read()

	caps := map[string]any{}
	if o.TLS {
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
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1")
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
	found := make(chan string, 1)
	var tail []string
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := bidiListening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			} else if len(tail) < 20 {
				tail = append(tail, sc.Text())
			}
		}
	}()
	select {
	case wsURL := <-found:
		return wsURL
	case <-time.After(120 * time.Second):
		t.Fatalf("Firefox at %s did not start WebDriver BiDi within 120 s", path)
	}
	return ""
}

// read dispatches BiDi answers to their callers and keeps console lines.
func (f *Firefox) read() {
	for {
		var raw []byte
		if err := websocket.Message.Receive(f.ws, &raw); err != nil {
			f.calls.Lock()
			for id, ch := range f.waiting {
				ch <- bidiAnswer{Error: "connection closed", Msg: err.Error()}
				delete(f.waiting, id)
			}
			f.calls.Unlock()
			return
		}
		var m struct {
			ID     *int            `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			bidiAnswer
		}
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		if m.ID != nil {
			f.calls.Lock()
			ch := f.waiting[*m.ID]
			delete(f.waiting, *m.ID)
			f.calls.Unlock()
			if ch != nil {
				ch <- m.bidiAnswer
			}
			continue
		}
		if strings.HasPrefix(m.Method, "network.") {
			f.netMu.Lock()
			if f.net != nil {
				f.net(m.Method, m.Params)
			}
			f.netMu.Unlock()
			continue
		}
		if m.Method == "log.entryAdded" {
			var e struct {
				Level string `json:"level"`
				Text  string `json:"text"`
			}
			if json.Unmarshal(m.Params, &e) == nil {
				f.logMu.Lock()
				f.logs = append(f.logs, e.Text)
				f.logMu.Unlock()
				select {
				case f.logCh <- struct{}{}:
				default:
				}
			}
		}
	}
}

// call sends one BiDi command and waits up to 120 s for its answer (a
// loaded machine has taken over 60 s to answer session.new).
func (f *Firefox) call(method string, params any) (json.RawMessage, error) {
	f.calls.Lock()
	f.nextID++
	id := f.nextID
	ch := make(chan bidiAnswer, 1)
	f.waiting[id] = ch
	f.calls.Unlock()
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err := websocket.Message.Send(f.ws, string(msg)); err != nil {
		return nil, err
	}
	select {
	case a := <-ch:
		if a.Error != "" {
			return nil, fmt.Errorf("%s: %s", a.Error, a.Msg)
		}
		return a.Result, nil
	case <-time.After(120 * time.Second):
		return nil, errors.New(method + ": no answer within 120 s")
	}
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
