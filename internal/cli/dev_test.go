package cli

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestDevCommand(t *testing.T) {
	t.Parallel()
	bin := corskitBinary(t)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "frontend") }))
	defer front.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api "+r.URL.Path) }))
	defer api.Close()
	dir := t.TempDir()
	vite := filepath.Join(dir, "vite.config.js")
	os.WriteFile(vite, []byte("export default { server: { proxy: {\n  '/auth': {\n    target: '"+api.URL+"',\n    rewrite: (p) => p.replace(/^\\/auth/, ''),\n  },\n} } }\n"), 0o600)
	listen := freeAddr(t)
	cmd := exec.Command(bin, "dev", "--listen", listen, "--frontend", front.URL, "--api", "/api="+api.URL, "--rewrite", "/api/=/v1/", "--from", vite)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var banner []string
	for len(banner) < 4 && sc.Scan() {
		banner = append(banner, sc.Text())
	}
	go io.Copy(io.Discard, stdout)
	text := strings.Join(banner, "\n")
	if !strings.Contains(text, "open http://"+listen) || !strings.Contains(text, "target "+api.URL+" -> 127.0.0.1") {
		t.Errorf("banner:\n%s", text)
	}
	for path, want := range map[string]string{"/": "frontend", "/api/users": "api /v1/users", "/auth/login": "api /login"} {
		var body string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if resp, err := http.Get("http://" + listen + path); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
				break
			}
		}
		if body != want {
			t.Errorf("%s: got %q; want %q", path, body, want)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"dev"}, "exactly one of --frontend"},
		{[]string{"dev", "--frontend", front.URL, "--api", "/api"}, `--api "/api" is not PREFIX=URL`},
		{[]string{"dev", "--frontend", front.URL, "--api", "/api=" + api.URL, "--rewrite", "/v2/=/"}, `--rewrite "/v2/=/" names no route`},
		{[]string{"dev", "--frontend", front.URL, "--api", "/api=" + api.URL, "--change-origin", "/v2"}, `--change-origin "/v2" names no route`},
		{[]string{"dev", "--static", filepath.Join(dir, "nope")}, "is not a folder"},
	} {
		var out, errb bytes.Buffer
		if code := Run(tc.args, &out, &errb); code != ExitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: got %d %q; want %q", tc.args, code, errb.String(), tc.want)
		}
	}
	conf := filepath.Join(dir, "dev.yaml")
	os.WriteFile(conf, []byte("frontend: "+front.URL+"\napis: []\n"), 0o600)
	var errb bytes.Buffer
	if code := Run([]string{"dev", "--config", conf}, io.Discard, &errb); code != ExitUsage || !strings.Contains(errb.String(), "field apis not found") {
		t.Errorf("unknown key: got %d %q", code, errb.String())
	}
}

// startDev runs the real corskit dev until the test ends; it returns the
// banner (stdout up to the allowed-hosts line), and stop, which ends it and
// returns what it wrote on stderr.
func startDev(t *testing.T, args ...string) (banner string, stop func() string) {
	t.Helper()
	cmd := exec.Command(corskitBinary(t), append([]string{"dev"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	stop = func() string {
		if !done {
			done = true
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
		return stderr.String()
	}
	t.Cleanup(func() { stop() })
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "  allowed hosts:") {
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	return strings.Join(lines, "\n"), stop
}

// askHost sends GET / to addr (a loopback address) with the given Host.
func askHost(t *testing.T, addr, host string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
	req.Host = host
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDevAllowedHosts: the real command answers its own names, the ones
// given with --allowed-host and allowed_hosts, and refuses others with the
// flag to add them; listening beyond loopback and '*' are warned about at
// start, and a plain loopback start warns about nothing.
func TestDevAllowedHosts(t *testing.T) {
	t.Parallel()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "frontend") }))
	defer front.Close()
	conf := filepath.Join(t.TempDir(), "dev.yaml")
	os.WriteFile(conf, []byte("frontend: "+front.URL+"\nallowed_hosts: [cfg.test]\n"), 0o600)

	// Beyond loopback: it binds every interface, the test talks to loopback.
	_, port, _ := strings.Cut(freeAddr(t), ":")
	banner, stop := startDev(t, "--listen", "0.0.0.0:"+port, "--config", conf, "--allowed-host", ".app.test")
	addr := "127.0.0.1:" + port
	for _, host := range []string{"localhost:" + port, addr, "cfg.test:" + port, "app.test", "www.app.test:" + port} {
		if code, body := askHost(t, addr, host); code != 200 || body != "frontend" {
			t.Errorf("Host %q: got %d %q; want the frontend", host, code, body)
		}
	}
	if code, body := askHost(t, addr, "evil.example:"+port); code != 403 || !strings.Contains(body, "--allowed-host evil.example") {
		t.Errorf("Host evil.example: got %d %q; want 403 naming the flag", code, body)
	}
	if !strings.Contains(banner, "  allowed hosts: localhost, *.localhost, IP addresses, cfg.test, .app.test (add one with --allowed-host NAME)") {
		t.Errorf("the banner does not list the allowed hosts:\n%s", banner)
	}
	warn := stop()
	if want := "corskit dev: WARNING: listening on 0.0.0.0:" + port + ", beyond loopback: anyone on your network can reach your dev server"; !strings.Contains(warn, want) || !strings.Contains(warn, "--listen 127.0.0.1:"+port) || !strings.Contains(warn, "--allowed-host NAME") {
		t.Errorf("stderr:\n%s\nwant a warning %q naming --listen 127.0.0.1:%s and --allowed-host", warn, want, port)
	}

	// '*' is named at start; loopback alone is not warned about.
	listen := freeAddr(t)
	_, stop = startDev(t, "--listen", listen, "--frontend", front.URL, "--allowed-host", "*")
	if code, _ := askHost(t, listen, "evil.example"); code != 200 {
		t.Errorf("--allowed-host '*': Host evil.example got %d; want 200", code)
	}
	if warn := stop(); !strings.Contains(warn, "corskit dev: WARNING: allowed host '*' (--allowed-host or allowed_hosts): corskit dev answers any host") || strings.Contains(warn, "beyond loopback") {
		t.Errorf("--allowed-host '*' on loopback: stderr:\n%s", warn)
	}
	listen = freeAddr(t)
	_, stop = startDev(t, "--listen", listen, "--frontend", front.URL)
	if code, _ := askHost(t, listen, "evil.example"); code != 403 {
		t.Errorf("by default: Host evil.example got %d; want 403", code)
	}
	if warn := stop(); warn != "" {
		t.Errorf("a loopback start warned:\n%s", warn)
	}

	var errb bytes.Buffer
	if code := Run([]string{"dev", "--frontend", front.URL, "--allowed-host", "http://app.test:3000"}, io.Discard, &errb); code != ExitUsage || !strings.Contains(errb.String(), `allowed host "http://app.test:3000" is a URL, not a host name; write a host name alone, e.g. app.test`) {
		t.Errorf("a URL as --allowed-host: got %d %q", code, errb.String())
	}
}

// TestDevListenNameAllowed: the name given to --listen is one the user
// opens, so it is answered. It needs a name of this machine that resolves
// to loopback only (its host name, on most machines).
func TestDevListenNameAllowed(t *testing.T) {
	t.Parallel()
	name, err := os.Hostname()
	addrs, lerr := net.LookupHost(name)
	if err != nil || lerr != nil || len(addrs) == 0 || slices.ContainsFunc(addrs, func(a string) bool { ip := net.ParseIP(a); return ip == nil || !ip.IsLoopback() }) {
		t.Skipf("\n\n*** this machine's host name %q does not resolve to loopback only (%v %v): test SKIPPED ***\n\n", name, addrs, lerr)
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "frontend") }))
	defer front.Close()
	_, port, _ := strings.Cut(freeAddr(t), ":")
	banner, stop := startDev(t, "--listen", name+":"+port, "--frontend", front.URL)
	defer stop()
	addr := "127.0.0.1:" + port
	if code, body := askHost(t, addr, name+":"+port); code != 200 || body != "frontend" || !strings.Contains(banner, "IP addresses, "+name+" (add one") {
		t.Errorf("--listen %s:%s: Host %s got %d %q; want the frontend, and the banner to list it:\n%s", name, port, name, code, body, banner)
	}
	if code, _ := askHost(t, addr, "evil.example:"+port); code != 403 {
		t.Errorf("Host evil.example: got %d; want 403", code)
	}
}

// TestDevBannerOpensAWildcardListenerAsLocalhost: a listener on every
// address is announced as an address the browser can open, not [::].
func TestDevBannerOpensAWildcardListenerAsLocalhost(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 3000}, "localhost:3000"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 3001}, "localhost:3001"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3002}, "127.0.0.1:3002"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 3003}, "[::1]:3003"},
	} {
		if got := openable(tc.addr); got != tc.want {
			t.Errorf("openable(%v) = %q; want %q", tc.addr, got, tc.want)
		}
	}
}
