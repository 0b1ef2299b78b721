package servertest

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// NextPackages are what next dev needs to compile a proxy.ts and route
// handlers in TypeScript without installing anything itself.
var NextPackages = []string{NextPackage, ReactPackage, ReactDOMPackage, TypeScriptPackage, TypesReactPackage, TypesNodePackage}

// NextDev is the test process's one next dev (Turbopack): it starts in 5
// to 40 s, while a changed file is served again within a second or two
// (a changed next.config.js restarts it, a few seconds). Tests take turns
// on its one project (Lock), each writing the project's files (Serve).
// It lives until the test process ends (the kernel kills it then:
// Pdeathsig).
type NextDev struct {
	// URL is http://127.0.0.1:PORT.
	URL   string
	dir   string
	log   *SyncBuffer
	err   error
	turn  sync.Mutex
	files map[string]string
	state int
	// exited is closed when next dev ends (a next.config.js it refuses
	// ends it).
	exited chan struct{}
}

var (
	nextOnce   sync.Once
	nextShared *NextDev
)

// nextState is the route whose answer says which files next dev serves:
// Serve writes it last, with a new token.
const nextState = "app/corskit-state/route.ts"

// SharedNextDev returns the test process's next dev, started on first
// use; it skips loudly when node or a package is missing (fails with
// CORSKIT_REQUIRE_SERVERS=1), and fails when next dev does not start.
func SharedNextDev(t *testing.T) *NextDev {
	t.Helper()
	node := Need(t, "node")
	modules := NPMModules(t, NextPackages...)
	nextOnce.Do(func() { nextShared = startNextDev(node, modules) })
	if nextShared.err != nil {
		t.Fatalf("the shared next dev did not start: %v", nextShared.err)
	}
	return nextShared
}

// Lock gives t the project until t ends: other tests' Lock waits.
func (n *NextDev) Lock(t *testing.T) {
	n.turn.Lock()
	t.Cleanup(n.turn.Unlock)
}

// Serve makes files (path under the project: content) the project's
// files, removing those of the last Serve, and waits until next dev
// serves them. The caller holds Lock. A next.config.js is written when
// files has none; it must set turbopack.root to "/" (node_modules is a
// link out of the project).
func (n *NextDev) Serve(t *testing.T, files map[string]string) {
	t.Helper()
	if _, ok := files["next.config.js"]; !ok {
		files = mapWith(files, "next.config.js", nextConfig)
	}
	for name := range n.files {
		if _, keep := files[name]; !keep {
			os.Remove(filepath.Join(n.dir, name))
		}
	}
	for name, text := range files {
		if n.files[name] == text {
			continue
		}
		if err := writeProjectFile(n.dir, name, text); err != nil {
			t.Fatal(err)
		}
	}
	n.files = files
	n.state++
	token := fmt.Sprint(n.state)
	writeProjectFile(n.dir, nextState, nextStateRoute(token))
	if err := n.waitState(token, 3*time.Minute); err != nil {
		t.Fatalf("next dev: %v; its log:\n%s", err, tail(n.log.String(), 4000))
	}
	_, proxy := files["proxy.ts"]
	if !proxy {
		_, proxy = files["middleware.ts"]
	}
	n.waitProxy(proxy, 30*time.Second)
}

// nextConfig is the project's next.config.js when a test gives none.
const nextConfig = "module.exports = { turbopack: { root: '/' } };\n"

// nextStateRoute is the state route's source, answering token.
func nextStateRoute(token string) string {
	return fmt.Sprintf("export function GET() { return new Response(%q); }\n", token)
}

func writeProjectFile(dir, name, text string) error {
	file := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(text), 0o600)
}

// waitState polls the state route until it answers token: next dev has
// seen the files written before it (a restart for next.config.js
// included, during which nothing answers).
func (n *NextDev) waitState(token string, within time.Duration) error {
	deadline := time.Now().Add(within)
	client := &http.Client{Timeout: within}
	last := ""
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			return fmt.Errorf("next dev exited")
		default:
		}
		resp, err := client.Get(n.URL + "/corskit-state")
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			resp.Body.Close()
			if resp.StatusCode == 200 && string(body) == token {
				return nil
			}
			last = fmt.Sprintf("%s %.100q", resp.Status, body)
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the state route did not answer %q within %v (last: %s)", token, within, last)
}

// waitProxy waits, for up to within, until next dev runs a proxy.ts (or
// middleware.ts) when the project has one and runs none when it has not:
// a preflight to the state route is then answered by the proxy (a proxy
// that answers preflights itself, as corskit's does) or by Next.js's
// automatic OPTIONS, 204 with an Allow header. Next.js notices a proxy
// added or removed on its own watcher, apart from the routes'. A proxy
// that lets preflights through keeps the Allow header: the wait then
// ends at within, and the test goes on.
func (n *NextDev) waitProxy(proxy bool, within time.Duration) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("OPTIONS", n.URL+"/corskit-state", nil)
		req.Header.Set("Origin", "http://corskit.invalid")
		req.Header.Set("Access-Control-Request-Method", "PUT")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if auto := resp.StatusCode == 204 && resp.Header.Get("Allow") != ""; auto != proxy {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startNextDev writes the project (its state route only) and runs next
// dev on it, on a reserved port, until it answers.
func startNextDev(node, modules string) *NextDev {
	dir, err := os.MkdirTemp("", "corskit-next-")
	if err != nil {
		return &NextDev{err: err}
	}
	port, err := reservePort()
	if err != nil {
		return &NextDev{err: err}
	}
	n := &NextDev{URL: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir, log: &SyncBuffer{}, files: map[string]string{"next.config.js": nextConfig}, exited: make(chan struct{})}
	os.Symlink(modules, filepath.Join(dir, "node_modules"))
	writeProjectFile(dir, "package.json", "{\"private\": true}\n")
	writeProjectFile(dir, "next.config.js", nextConfig)
	writeProjectFile(dir, nextState, nextStateRoute("0"))
	started := make(chan error, 1)
	next := filepath.Join(modules, "next", "dist", "bin", "next")
	go n.run(started, node, next, "dev", "-p", fmt.Sprint(port), "-H", "127.0.0.1")
	if err := <-started; err != nil {
		return &NextDev{err: err}
	}
	if err := n.waitState("0", 3*time.Minute); err != nil {
		return &NextDev{err: fmt.Errorf("%v; its log:\n%s", err, tail(n.log.String(), 4000))}
	}
	return n
}

// run starts next dev for the rest of the test process (runForProcess),
// and closes n.exited when it ends.
func (n *NextDev) run(started chan<- error, name string, args ...string) {
	runForProcess(name, args, n.dir, []string{"NEXT_TELEMETRY_DISABLED=1"}, n.log, started)
	close(n.exited)
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
