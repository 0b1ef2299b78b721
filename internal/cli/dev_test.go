package cli

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
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
