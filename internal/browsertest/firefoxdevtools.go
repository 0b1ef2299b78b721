package browsertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/browserwire"
	"github.com/corskit/corskit/internal/servertest"
)

// firefoxDevTools is the test process's Firefox with its DevTools toolbox
// open on its one tab, under an Xvfb display of its own, whose network
// monitor exports a HAR file of each top-level page load by itself
// (HarAutomation: it starts collecting at a top-level navigation and
// writes the file at that page's dom-complete). The remote agent (WebDriver
// BiDi) only navigates the tab. Starting it costs seconds, so it is started
// at first use and shared by every recording of the test process; it
// stops when the test process exits (see devToolsWatchdog).
type firefoxDevTools struct {
	bidi    *browserwire.BiDi
	context string // the tab the toolbox inspects
	harDir  string // devtools.netmonitor.har.defaultLogDir
	stdin   io.Closer
	stderr  *servertest.SyncBuffer

	mu    sync.Mutex // one recording at a time: the tab shows one page
	next  int
	ready bool // a page load has been exported: the toolbox is up
	dead  bool
}

// firefoxDevToolsTimeout bounds one recording's page load and export, and
// the toolbox's start for the first.
const firefoxDevToolsTimeout = 90 * time.Second

// devToolsPrefs are the network monitor's auto-export prefs (the recipe of
// check/testdata/README-firefox-devtools.md), for HAR files written in dir.
// pageLoadedTimeout is how long the monitor waits, after the last answer,
// for more requests before it writes the file: the page holds its load
// event until its fetches end, so nothing more comes.
func devToolsPrefs(dir string) string {
	quoted, _ := json.Marshal(dir)
	return `
user_pref("devtools.netmonitor.har.enableAutoExportToFile", true);
user_pref("devtools.netmonitor.har.defaultLogDir", ` + string(quoted) + `);
user_pref("devtools.netmonitor.har.defaultFileName", "corskit");
user_pref("devtools.netmonitor.har.pageLoadedTimeout", 200);
user_pref("devtools.netmonitor.har.forceExport", true);
user_pref("devtools.netmonitor.persistlog", false);
user_pref("devtools.toolbox.selectedTool", "netmonitor");
user_pref("devtools.toolbox.host", "window");
user_pref("devtools.everOpened", true);
user_pref("browser.startup.page", 0);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("startup.homepage_welcome_url", "");
`
}

// devTools is the test process's firefoxDevTools, started at first use,
// and started again if it died.
var devTools struct {
	mu sync.Mutex
	ff *firefoxDevTools
}

// sharedFirefoxDevTools returns the test process's Firefox with its
// toolbox, or skips loudly when Firefox or Xvfb is missing.
func sharedFirefoxDevTools(t testing.TB) *firefoxDevTools {
	t.Helper()
	path, what, install := devToolsTools()
	if what != "" {
		missing(t, what+" (for Firefox's DevTools HAR export)", install)
	}
	devTools.mu.Lock()
	defer devTools.mu.Unlock()
	if d := devTools.ff; d != nil && !d.dead {
		return d
	}
	d, err := startFirefoxDevTools(path)
	if err != nil {
		t.Fatalf("starting Firefox %s with its DevTools toolbox: %v", path, err)
	}
	devTools.ff = d
	return d
}

// devToolsTools returns Firefox's path, or what is missing and how to
// install it.
func devToolsTools() (path, what, install string) {
	path = FirefoxPath()
	if path == "" {
		return "", "Firefox", "apt-get install firefox-esr, or set CORSKIT_FIREFOX"
	}
	for _, tool := range []string{"Xvfb", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "", tool, "apt-get install xvfb"
		}
	}
	return path, "", ""
}

// PrestartFirefoxDevTools starts the test process's Firefox with its
// toolbox in the background, when Firefox and Xvfb are installed, so that
// the first RecordDevToolsHAR does not wait seconds for it; whatever goes
// wrong is left to that recording to report (it starts another).
func PrestartFirefoxDevTools() {
	path, what, _ := devToolsTools()
	if what != "" {
		return
	}
	go func() {
		devTools.mu.Lock()
		defer devTools.mu.Unlock()
		if d := devTools.ff; d != nil && !d.dead {
			return
		}
		if d, err := startFirefoxDevTools(path); err == nil {
			devTools.ff = d
		}
	}()
}

// devToolsWatchdog runs Firefox ("$@") and, once its standard input ends
// (the test process exited, or gave up on it), stops Firefox and the Xvfb
// of pid $1, and removes the directory $2 (profile and HAR files). Its own
// standard error leaves the test process's pipe once Firefox has it: the
// shell's report of the job it stops would find no reader, and SIGPIPE
// would end the shell before its clean-up.
const devToolsWatchdog = `xvfb=$1; dir=$2; shift 2
"$@" </dev/null &
ff=$!
exec 2>/dev/null
read -r _
kill "$ff" 2>/dev/null; wait "$ff"
kill "$xvfb" 2>/dev/null
rm -rf "$dir"
`

// startFirefoxDevTools starts Xvfb and Firefox with the toolbox, outside
// any test's lifetime, and opens a BiDi session on its tab.
func startFirefoxDevTools(path string) (*firefoxDevTools, error) {
	dir, err := os.MkdirTemp("", "corskit-ffdevtools-")
	if err != nil {
		return nil, err
	}
	profile, harDir := filepath.Join(dir, "profile"), filepath.Join(dir, "har")
	for _, d := range []string{profile, harDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxPrefs+devToolsPrefs(harDir)), 0o600); err != nil {
		return nil, err
	}
	xvfb, display, err := startSharedXvfb()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command("sh", "-c", devToolsWatchdog, "sh", strconv.Itoa(xvfb.Process.Pid), dir,
		path, "-devtools", "--no-remote", "--profile", profile, "--remote-debugging-port=0",
		"--remote-allow-origins=http://127.0.0.1")
	cmd.Env = append(append(os.Environ(), browserwire.FirefoxEnv...), "DISPLAY="+display)
	d := &firefoxDevTools{harDir: harDir, stderr: &servertest.SyncBuffer{}}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		xvfb.Process.Kill()
		os.RemoveAll(dir)
		return nil, err
	}
	d.stdin = stdin
	go func() { cmd.Wait(); xvfb.Wait() }()
	if err := d.open(io.TeeReader(stderr, d.stderr)); err != nil {
		d.stop()
		return nil, fmt.Errorf("%w\n%s", err, d.stderr.String())
	}
	return d, nil
}

// startSharedXvfb starts a virtual X display that outlives the test that
// asked for it (the watchdog stops it): the process and the display name.
func startSharedXvfb() (*exec.Cmd, string, error) { return launchXvfb("1280x900x24") }

// open waits for the remote agent, starts a BiDi session and finds the
// tab.
func (d *firefoxDevTools) open(stderr io.Reader) error {
	wsURL, err := browserwire.WaitBiDi(stderr, 120*time.Second)
	if err != nil {
		return err
	}
	if d.bidi, err = browserwire.DialBiDi(wsURL, 16<<20, func(string, json.RawMessage) {}); err != nil {
		return fmt.Errorf("connecting to WebDriver BiDi at %s: %w", wsURL, err)
	}
	if _, err := d.call("session.new", map[string]any{"capabilities": map[string]any{}}); err != nil {
		return fmt.Errorf("session.new: %w", err)
	}
	tree, err := d.call("browsingContext.getTree", map[string]any{})
	if err != nil {
		return fmt.Errorf("browsingContext.getTree: %w", err)
	}
	var contexts struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := json.Unmarshal(tree, &contexts); err != nil || len(contexts.Contexts) == 0 {
		return fmt.Errorf("browsingContext.getTree: no tab in %s (%v)", tree, err)
	}
	d.context = contexts.Contexts[0].Context
	return nil
}

func (d *firefoxDevTools) call(method string, params any) (json.RawMessage, error) {
	return d.bidi.Call(method, params, firefoxDevToolsTimeout)
}

// stop ends the watchdog's input, which stops Firefox and Xvfb, and marks
// the instance dead, so that the next recording starts another.
func (d *firefoxDevTools) stop() {
	d.dead = true
	if d.bidi != nil {
		d.bidi.Close()
	}
	d.stdin.Close()
}

// RecordDevToolsHAR records a HAR as Firefox's own DevTools write it
// ("Save All As HAR"; here the network monitor's auto-export, the same
// HarExporter): the test process's Firefox with its toolbox open
// (sharedFirefoxDevTools, not this headless one) loads a page of this
// Firefox's page origin that calls fetch for each request in turn and
// holds its load event until they end, and the monitor writes the file at
// that page's dom-complete. It returns the outcomes (without console
// lines) and the file, as Firefox wrote it. Without Firefox or Xvfb the
// test is skipped loudly, or fails under CORSKIT_REQUIRE_BROWSER=1.
func (f *Firefox) RecordDevToolsHAR(t testing.TB, reqs []Request) ([]Result, []byte) {
	t.Helper()
	return recordDevToolsHAR(t, f.page, reqs)
}

// recordDevToolsHAR is RecordDevToolsHAR from a page of page's origin.
func recordDevToolsHAR(t testing.TB, page *pageServer, reqs []Request) ([]Result, []byte) {
	t.Helper()
	asked := time.Now()
	d := sharedFirefoxDevTools(t)
	d.mu.Lock()
	defer d.mu.Unlock()
	began := time.Now()
	if !d.ready {
		d.warmUp(t, page)
	}
	defer func() {
		t.Logf("Firefox DevTools HAR: %.1f s to start or wait for the shared Firefox, %.1f s to warm up and record", began.Sub(asked).Seconds(), time.Since(began).Seconds())
	}()
	if _, err := d.call("storage.deleteCookies", map[string]any{}); err != nil {
		d.fail(t, "storage.deleteCookies", err)
	}
	job := d.newJob(page, reqs)
	defer job.remove()
	if _, err := d.call("browsingContext.navigate", map[string]any{"context": d.context, "url": job.url, "wait": "complete"}); err != nil {
		d.fail(t, "navigate to "+job.url, err)
	}
	var res []Result
	select {
	case raw := <-job.results:
		if err := json.Unmarshal([]byte(raw), &res); err != nil || len(res) != len(reqs) {
			t.Fatalf("Firefox DevTools HAR: %d outcomes for %d fetches (%v): %s", len(res), len(reqs), err, raw)
		}
	case <-time.After(firefoxDevToolsTimeout):
		t.Fatalf("Firefox DevTools HAR: the page %s did not report its fetches within %v", job.url, firefoxDevToolsTimeout)
	}
	for i := range res {
		res[i].PageURL = job.url
	}
	har, ok := d.waitHAR(job.url, time.Now().Add(30*time.Second))
	if !ok {
		t.Fatalf("Firefox's network monitor wrote no HAR of %s within 30 s in %s\n%s", job.url, d.harDir, d.stderr.String())
	}
	return res, har
}

// fail stops the instance (the next recording starts another) and fails
// the test.
func (d *firefoxDevTools) fail(t testing.TB, what string, err error) {
	t.Helper()
	devTools.mu.Lock()
	d.stop()
	devTools.mu.Unlock()
	t.Fatalf("Firefox with its DevTools toolbox: %s: %v\n%s", what, err, d.stderr.String())
}

// warmUp loads empty pages until the monitor exports one: a page loaded
// before the toolbox is up is not recorded at all.
func (d *firefoxDevTools) warmUp(t testing.TB, page *pageServer) {
	t.Helper()
	deadline := time.Now().Add(firefoxDevToolsTimeout)
	for time.Now().Before(deadline) {
		job := d.newJob(page, nil)
		if _, err := d.call("browsingContext.navigate", map[string]any{"context": d.context, "url": job.url, "wait": "complete"}); err != nil {
			job.remove()
			d.fail(t, "navigate to "+job.url, err)
		}
		_, ok := d.waitHAR(job.url, time.Now().Add(3*time.Second))
		job.remove()
		if ok {
			d.ready = true
			return
		}
	}
	d.fail(t, "warm-up", fmt.Errorf("the network monitor exported no page within %v", firefoxDevToolsTimeout))
}

// waitHAR polls the HAR directory until a file holds the page at url, and
// returns it; it removes every complete file it reads (an earlier page's
// too).
func (d *firefoxDevTools) waitHAR(url string, deadline time.Time) ([]byte, bool) {
	want, _ := json.Marshal(url)
	for {
		files, _ := filepath.Glob(filepath.Join(d.harDir, "*.har"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil || !json.Valid(data) {
				continue // not written yet
			}
			os.Remove(f)
			if bytes.Contains(data, []byte(`"url": `+string(want))) {
				return data, true
			}
		}
		if time.Now().After(deadline) {
			return nil, false
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// devToolsJob is one recording's page on the page server: the page (its
// fetches in turn), /hold (an image the page waits for, answered once the
// fetches end) and /done (the outcomes, which release /hold).
type devToolsJob struct {
	page    *pageServer
	path    string
	url     string
	results chan string
}

// devToolsPath starts every path of a recording's page.
const devToolsPath = "/corskit-devtools-har/"

func (d *firefoxDevTools) newJob(page *pageServer, reqs []Request) *devToolsJob {
	d.next++
	j := &devToolsJob{page: page, path: fmt.Sprintf("%s%d-%d", devToolsPath, os.Getpid(), d.next), results: make(chan string, 1)}
	j.url = page.origin + j.path
	released := make(chan struct{})
	var once sync.Once
	page.handle(j.path+"/done", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			j.results <- r.URL.Query().Get("r")
			close(released)
		})
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
	page.handle(j.path+"/hold", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-released:
		case <-time.After(firefoxDevToolsTimeout):
		case <-r.Context().Done():
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "image/gif")
		w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	})
	var js strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&js, "results.push(await %s);\n", fetchExpression(r))
	}
	page.add(j.path, fmt.Sprintf(`<!doctype html><title>corskit DevTools HAR %d</title><script>
(async () => {
const results = [];
%sawait fetch(%q + "/done?r=" + encodeURIComponent(JSON.stringify(results)), {cache: "no-store"});
})();
</script><img src="%s/hold" alt="">`, d.next, js.String(), j.path, j.path))
	return j
}

// remove takes the job's paths off the page server.
func (j *devToolsJob) remove() {
	j.page.remove(j.path)
	j.page.remove(j.path + "/done")
	j.page.remove(j.path + "/hold")
}
