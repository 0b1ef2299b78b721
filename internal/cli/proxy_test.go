package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

func TestParseProxyAndLayering(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "gw.yaml")
	os.WriteFile(file, []byte(`upstream: http://127.0.0.1:1111
listen: 127.0.0.1:7000
allow_origins: [https://file.example.com]
allow_methods: [PUT]
max_age: 60
trusted_proxies: [10.0.0.0/8, 127.0.0.1]
routes:
  - prefix: /assets/
    allow_origins: ["*"]
`), 0o600)
	env := map[string]string{"CORSKIT_UPSTREAM": "http://127.0.0.1:2222", "CORS_MAX_AGE": "120", "CORS_ALLOW_METHODS": "DELETE"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	o, err := parseProxy([]string{"--config", file, "--allow-method", "PATCH"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.load(lookup)
	if err != nil {
		t.Fatal(err)
	}
	c := s.cfg
	if c.Upstream.String() != "http://127.0.0.1:2222" || s.listen != "127.0.0.1:7000" || c.Policy.AllowOrigins[0] != "https://file.example.com" ||
		c.Policy.MaxAge != 120 || c.Policy.AllowMethods[0] != "PATCH" || len(c.Routes) != 1 || c.Routes[0].Policy.AllowOrigins[0] != "*" || len(c.TrustedProxies) != 2 {
		t.Errorf("layering (flags > env > file): got %+v listen %s", c, s.listen)
	}

	for _, tc := range []struct {
		file string
		args []string
		want string
	}{
		{"allowed_origins: [https://a.example.com]\nupstream: http://x\n", nil, `gw.yaml:1:1: unknown key "allowed_origins": did you mean allow_origins?`},
		{"upstrem: http://x\n", nil, "did you mean upstream?"},
		{"upstream: http://x\nallow_origins: [https://a.example.com/]\n", nil, `gw.yaml:2:17: cors: AllowOrigins: "https://a.example.com/" has a trailing slash`},
		{"upstream: http://x\nallow_origins: ['*']\nroutes:\n  - allow_origins: ['*']\n", nil, "gw.yaml:4:5: a route needs a prefix"},
		{"allow_origins: ['*']\n", nil, "no upstream"},
		{"upstream: http://x\nallow_origins: ['*']\n", []string{"--trusted-proxy", "nope"}, `"nope" is not an address or a CIDR prefix`},
	} {
		os.WriteFile(file, []byte(tc.file), 0o600)
		o, err := parseProxy(append([]string{"--config", file}, tc.args...), io.Discard)
		if err == nil {
			_, err = o.load(func(string) (string, bool) { return "", false })
		}
		if err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), dir+"/", ""), tc.want) {
			t.Errorf("%q %q: got %v; want %q", tc.file, tc.args, err, tc.want)
		}
	}
}

// TestProxyHardeningFlags: --verbose-errors, --std-transport and
// --write-timeout reach the gateway's configuration; by default errors
// stay terse, the lean transport is on and writes time out after 60 s.
func TestProxyHardeningFlags(t *testing.T) {
	t.Parallel()
	none := func(string) (string, bool) { return "", false }
	base := []string{"--upstream", "http://127.0.0.1:1", "--allow-origin", "https://a.example.com"}
	o, err := parseProxy(base, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.load(none)
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.VerboseErrors || s.cfg.StandardTransport || o.writeTimeout != 60*time.Second {
		t.Errorf("defaults: verbose %v, std transport %v, write timeout %v", s.cfg.VerboseErrors, s.cfg.StandardTransport, o.writeTimeout)
	}
	o, err = parseProxy(append(base, "--verbose-errors", "--std-transport", "--write-timeout", "5s"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = o.load(none); err != nil {
		t.Fatal(err)
	}
	if !s.cfg.VerboseErrors || !s.cfg.StandardTransport || o.writeTimeout != 5*time.Second {
		t.Errorf("set: verbose %v, std transport %v, write timeout %v", s.cfg.VerboseErrors, s.cfg.StandardTransport, o.writeTimeout)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// corskitBinary builds cmd/corskit once for the tests that run it.
func corskitBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corskit-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "corskit")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/corskit/corskit/cmd/corskit").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freeAddr is a loopback address for a server the test starts: a port
// reserved below the kernel's ephemeral range (servertest.FreePort), which
// no other test's :0 listener can take before the server binds it (a port
// taken from :0 and closed was, once: TestDevCommand got another test's
// answers).
func freeAddr(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", servertest.FreePort(t))
}

// TestProxyCommand runs the real command: it serves, reloads on SIGHUP and on
// a file change, keeps the old policy when the file breaks, and exits 0 on
// SIGTERM.
func TestProxyCommand(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	defer up.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "gw.yaml")
	write := func(origin string) {
		os.WriteFile(file, []byte("upstream: "+up.URL+"\nallow_origins: ["+origin+"]\n"), 0o600)
	}
	write("https://one.example.com")
	listen, admin := freeAddr(t), freeAddr(t)
	gw := startCorskit(t, "proxy", "--config", file, "--listen", listen, "--admin-listen", admin, "--log-format", "json")
	cmd := gw.cmd
	allowed := func(origin string) bool {
		req, _ := http.NewRequest("GET", "http://"+listen+"/data", nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.Header.Get("Access-Control-Allow-Origin") == origin
	}
	eventually := gw.eventually
	eventually("start", func() bool { return allowed("https://one.example.com") })
	if resp, err := http.Get("http://" + admin + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/readyz: %v %v", resp, err)
	}

	write("https://two.example.com")
	eventually("reload on file change", func() bool { return allowed("https://two.example.com") && !allowed("https://one.example.com") })

	os.WriteFile(file, []byte("upstream: "+up.URL+"\nallow_origins: [https://broken.example.com/]\n"), 0o600)
	eventually("report the broken file", func() bool {
		logs := gw.logs()
		return strings.Contains(logs, "reload failed; the old policy stays") && strings.Contains(logs, "trailing slash")
	})
	if !allowed("https://two.example.com") {
		t.Error("after a broken file, the old policy must stay")
	}

	write("https://three.example.com")
	cmd.Process.Signal(syscall.SIGHUP)
	eventually("reload on SIGHUP", func() bool { return allowed("https://three.example.com") })

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("no exit 10 s after SIGTERM")
	}
}

// running is a corskit process a test started, with what it logs.
type running struct {
	t   *testing.T
	cmd *exec.Cmd
	log servertest.SyncBuffer
}

// startCorskit runs the corskit binary with args until the test ends.
func startCorskit(t *testing.T, args ...string) *running {
	t.Helper()
	r := &running{t: t, cmd: exec.Command(corskitBinary(t), args...)}
	r.cmd.Stderr = &r.log
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill(); r.cmd.Wait() })
	return r
}

// logs returns what the process logged so far.
func (r *running) logs() string { return r.log.String() }

// eventually waits up to 15 s for cond, failing the test with the logs.
func (r *running) eventually(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	r.t.Fatalf("%s: timed out; corskit logged:\n%s", what, r.logs())
}

// TestProxyServerChoice: by default the gateway's fast path serves bodiless
// requests and hands the connection to net/http's server at a request with a
// body; --std-server serves everything with net/http's, with no hand-off.
func TestProxyServerChoice(t *testing.T) {
	t.Parallel()
	bin := corskitBinary(t)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(w, r.Body) }))
	defer up.Close()
	for _, tc := range []struct {
		flags    []string
		handoffs string
	}{
		{nil, "corskit_proxy_handoffs_total 1"},
		{[]string{"--std-server"}, "corskit_proxy_handoffs_total 0"},
	} {
		listen, admin := freeAddr(t), freeAddr(t)
		cmd := exec.Command(bin, append([]string{"proxy", "--upstream", up.URL, "--listen", listen, "--admin-listen", admin,
			"--allow-origin", "https://app.example.com", "--log-level", "error"}, tc.flags...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		var echoed []string
		for _, body := range []string{"", "payload", ""} {
			var resp *http.Response
			var err error
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if resp, err = client.Post("http://"+listen+"/echo", "text/plain", strings.NewReader(body)); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("%v: %v", tc.flags, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			echoed = append(echoed, string(b))
		}
		resp, err := http.Get("http://" + admin + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		client.CloseIdleConnections()
		if strings.Join(echoed, "|") != "|payload|" || !strings.Contains(string(metrics), tc.handoffs) {
			t.Errorf("%v: echoed %q; want \"|payload|\" and %q in /metrics", tc.flags, echoed, tc.handoffs)
		}
	}
}
