package browsertest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// One MiniBrowser serves every batch of a WebKit engine: starting one costs
// a second or more, which a test that fetches one request at a time paid
// per request. It shows the runner page, which asks the page server for the
// next batch (a long poll on its own origin, which logs nothing), runs it,
// and asks again.
const (
	runnerPath = "/corskit-runner"
	nextPath   = "/corskit-next"
	// pollFor is how long the page server holds a runner's request when no
	// batch comes: it then answers 204 and the runner asks again, so no
	// request waits long enough for the engine to give up on it.
	pollFor = 15 * time.Second
)

// runnerPage runs each batch the page server hands it, in turn, until the
// server answers with neither a batch nor 204 (the engine is stopping).
const runnerPage = `<!doctype html><title>corskit runner</title><script>
(async () => {
	for (;;) {
		let js;
		try {
			const r = await fetch(` + "`" + nextPath + "`" + `, {cache: "no-store"});
			if (r.status === 204) continue;
			if (r.status !== 200) return;
			js = await r.text();
		} catch (e) {
			return;
		}
		await (0, eval)(js);
	}
})();
</script>`

// webkitRunner hands batches to the runner page.
type webkitRunner struct {
	batches chan string
	stopped chan struct{}
	once    sync.Once
}

func newWebKitRunner() *webkitRunner {
	return &webkitRunner{batches: make(chan string), stopped: make(chan struct{})}
}

// give hands js to the runner page's next request, or gives up at timeout.
func (r *webkitRunner) give(js string, timeout <-chan time.Time) bool {
	select {
	case r.batches <- js:
		return true
	case <-timeout:
		return false
	case <-r.stopped:
		return false
	}
}

// next answers the runner page's request for a batch.
func (r *webkitRunner) next(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	poll := time.NewTimer(pollFor)
	defer poll.Stop()
	select {
	case js := <-r.batches:
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		fmt.Fprint(w, js)
	case <-poll.C:
		w.WriteHeader(http.StatusNoContent)
	case <-r.stopped:
		w.WriteHeader(http.StatusGone)
	case <-req.Context().Done():
	}
}

// stop ends the runner's polls, so that the page server can close.
func (r *webkitRunner) stop() { r.once.Do(func() { close(r.stopped) }) }

// startMiniBrowser runs MiniBrowser on display at url until the test ends,
// and returns its output, line by line; the channel is closed when it
// exits. Nothing but loopback: other requests go to a proxy where nothing
// listens. WebKit's remote inspector listens on inspector (host:port),
// which costs nothing until a client connects.
func startMiniBrowser(t testing.TB, bin, display, inspector string, tls bool, url string) chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	// script(1) gives MiniBrowser a terminal, so its web process flushes
	// each console line at once.
	command := shellQuote(bin) + " --enable-write-console-messages-to-stdout=true --proxy=http://127.0.0.1:9 --ignore-host=127.0.0.1 --ignore-host=localhost "
	if tls {
		command += "--ignore-tls-errors "
	}
	command += shellQuote(url)
	cmd := exec.CommandContext(ctx, "script", "-qfec", command, "/dev/null")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "WEBKIT_INSPECTOR_HTTP_SERVER="+inspector)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting MiniBrowser: %v", err)
	}
	lines := make(chan string, 1024)
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			select {
			case lines <- strings.TrimRight(sc.Text(), "\r"):
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-read; cmd.Wait() })
	return lines
}
