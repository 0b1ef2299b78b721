package browsertest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// WebKit runs fetches in WebKitGTK's MiniBrowser under Xvfb: Safari's engine,
// with the same CORS code and console wording. One MiniBrowser, started
// with the engine, shows a runner page that asks the page server for the
// next batch of fetches (see webkitRunner); each FetchAll is one batch,
// which makes the fetches in turn and logs each outcome. MiniBrowser writes
// the console to its standard output, which the driver reads through a
// pseudo-terminal (so that the web process's output is line-buffered).
type WebKit struct {
	page *pageServer
	// inspector is the address of WebKit's remote inspector server
	// (WEBKIT_INSPECTOR_HTTP_SERVER), which RecordHAR connects to.
	inspector string
	runner    *webkitRunner
	lines     chan string // MiniBrowser's output, closed when it exits
	mu        sync.Mutex
	batches   int
}

// MiniBrowserPath returns WebKitGTK's MiniBrowser: $CORSKIT_MINIBROWSER, else
// the path Debian's webkit2gtk-driver package installs it at, else "".
func MiniBrowserPath() string {
	if p := os.Getenv("CORSKIT_MINIBROWSER"); p != "" {
		return p
	}
	for _, p := range []string{
		"/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
		"/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
		"/usr/libexec/webkit2gtk-4.1/MiniBrowser",
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// StartWebKit prepares MiniBrowser and an X display for the test. Without
// MiniBrowser, Xvfb or script(1) the test is skipped loudly, or fails under
// CORSKIT_REQUIRE_BROWSER=1.
func StartWebKit(t testing.TB) *WebKit { return StartWebKitWith(t, Options{}) }

// StartWebKitWith is StartWebKit with options.
func StartWebKitWith(t testing.TB, o Options) *WebKit {
	t.Helper()
	bin := MiniBrowserPath()
	if bin == "" {
		missing(t, "WebKit's MiniBrowser", "apt-get install webkit2gtk-driver xvfb, or set CORSKIT_MINIBROWSER")
	}
	for _, tool := range []string{"Xvfb", "script"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(t, tool, "apt-get install xvfb bsdutils")
		}
	}
	w := &WebKit{page: startPageServer(t, o), runner: newWebKitRunner()}
	w.page.add(runnerPath, runnerPage)
	w.page.handle(nextPath, w.runner.next)
	t.Cleanup(w.runner.stop)
	port, err := servertest.ReservePort()
	if err != nil {
		t.Fatalf("WebKit's inspector server: %v", err)
	}
	w.inspector = fmt.Sprintf("127.0.0.1:%d", port)
	w.lines = startMiniBrowser(t, bin, startXvfb(t), w.inspector, o.TLS, w.page.origin+runnerPath)
	return w
}

// startXvfb starts a virtual X display for the test and returns its name.
func startXvfb(t testing.TB) string {
	t.Helper()
	cmd, display, err := launchXvfb("1280x800x24")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return display
}

// launchXvfb starts Xvfb with one screen of size (WxHxDEPTH), no TCP, and
// returns the process and the display name it chose (-displayfd); the
// caller stops it.
func launchXvfb(size string) (*exec.Cmd, string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", size, "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return nil, "", fmt.Errorf("starting Xvfb: %w", err)
	}
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if _, err := strconv.Atoi(n); err == nil {
			return cmd, ":" + n, nil
		}
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", fmt.Errorf("xvfb: no display number (got %q)", n)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", errors.New("xvfb did not start within 30 s")
	}
}

// Name returns "safari": WebKit stands for Safari.
func (w *WebKit) Name() string { return "safari" }

// Origin returns the origin of the page that makes the requests.
func (w *WebKit) Origin() string { return w.page.origin }

// Navigate is not supported: MiniBrowser runs only pages the driver serves.
func (w *WebKit) Navigate(t testing.TB, url string) {
	t.Helper()
	t.Fatalf("WebKit driver: cannot run fetches from %s; it runs them from its own page only", url)
}

// Fetch makes the page call fetch(req) and returns the outcome.
func (w *WebKit) Fetch(t testing.TB, req Request) Result {
	t.Helper()
	return w.FetchAll(t, []Request{req})[0]
}

// FetchAll hands the runner page one batch that calls fetch for each
// request in turn, and returns each outcome with the console lines logged
// between its start and the next fetch's, without MiniBrowser's
// "CONSOLE ... ERROR" prefixes.
func (w *WebKit) FetchAll(t testing.TB, reqs []Request) []Result {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.batches++
	batch := w.batches
	var js strings.Builder
	js.WriteString("(async () => {\n")
	for i, req := range reqs {
		fmt.Fprintf(&js, "console.log('corskit-begin %d %d');\n", batch, i)
		fmt.Fprintf(&js, "console.log('corskit-result %d %d ' + JSON.stringify(await %s));\n", batch, i, fetchExpression(req))
	}
	fmt.Fprintf(&js, "console.log('corskit-done %d');\n})()", batch)

	timeout := time.NewTimer(60*time.Second + time.Duration(len(reqs))*200*time.Millisecond)
	defer timeout.Stop()
	if !w.runner.give(js.String(), timeout.C) {
		t.Fatalf("WebKit: MiniBrowser's runner page did not ask for batch %d of %d fetches within %v", batch, len(reqs), 60*time.Second)
	}
	return w.read(t, batch, len(reqs), timeout.C)
}

// read reads MiniBrowser's output up to the batch's done line.
func (w *WebKit) read(t testing.TB, batch, n int, timeout <-chan time.Time) []Result {
	t.Helper()
	out := make([]Result, n)
	begin, result := fmt.Sprintf("corskit-begin %d ", batch), fmt.Sprintf("corskit-result %d ", batch)
	done := fmt.Sprintf("corskit-done %d", batch)
	current := -1
	var all []string
	for {
		var line string
		select {
		case l, ok := <-w.lines:
			if !ok {
				t.Fatalf("WebKit: MiniBrowser exited during batch %d of %d fetches; last lines:\n%s", batch, n, strings.Join(all[max(0, len(all)-10):], "\n"))
			}
			line = l
		case <-timeout:
			t.Fatalf("WebKit: the page did not finish its %d fetches (batch %d); last lines:\n%s", n, batch, strings.Join(all[max(0, len(all)-10):], "\n"))
		}
		all = append(all, line)
		msg, ok := consoleText(line)
		if !ok {
			continue
		}
		switch {
		case msg == done:
			return out
		case strings.HasPrefix(msg, begin):
			current, _ = strconv.Atoi(strings.TrimPrefix(msg, begin))
		case strings.HasPrefix(msg, result):
			num, rest, _ := strings.Cut(strings.TrimPrefix(msg, result), " ")
			i, err := strconv.Atoi(num)
			if err != nil || i < 0 || i >= len(out) {
				t.Fatalf("WebKit: bad result line %q", line)
			}
			console := out[i].Console
			if err := json.Unmarshal([]byte(rest), &out[i]); err != nil {
				t.Fatalf("WebKit: result %q: %v", rest, err)
			}
			out[i].Console = console
			out[i].PageURL = w.page.origin + runnerPath
		case strings.HasPrefix(msg, "corskit-"):
			// Another batch's marker (one that timed out): not this batch's lines.
			current = -1
		case current >= 0 && current < len(out):
			out[current].Console = append(out[current].Console, msg)
		}
	}
}

// consoleText returns the message of one line of MiniBrowser's console
// output: "CONSOLE SECURITY ERROR text", "CONSOLE JS ERROR text", or
// "URL:line:col: CONSOLE LOG text".
func consoleText(line string) (string, bool) {
	i := strings.Index(line, "CONSOLE ")
	if i < 0 {
		return "", false
	}
	rest := line[i+len("CONSOLE "):]
	// An optional source (JS, SECURITY, NETWORK...), then the level.
	for range 2 {
		word, after, ok := strings.Cut(rest, " ")
		if !ok {
			return "", false
		}
		switch word {
		case "LOG", "ERROR", "WARN", "WARNING", "INFO", "DEBUG":
			return after, true
		}
		rest = after
	}
	return "", false
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
