package devproxy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func str(s string) *string { return &s }

// backend records the last request it saw.
type backend struct {
	*httptest.Server
	mu   sync.Mutex
	last *http.Request
	seen []string
}

func newBackend(t *testing.T, h http.HandlerFunc) *backend {
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.last = r
		b.seen = append(b.seen, r.Method+" "+r.URL.Path)
		b.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *backend) lastRequest() *http.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func start(t *testing.T, cfg Config) (*Proxy, string) {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	return p, s.URL
}

func get(t *testing.T, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestRoutingRewriteHostAndOrigin(t *testing.T) {
	t.Parallel()
	front := newBackend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "frontend") })
	api := newBackend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	auth := newBackend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "auth") })
	logs := &servertest.SyncBuffer{}
	_, dev := start(t, Config{Frontend: mustURL(front.URL), Log: logs, Routes: []Route{
		{Prefix: "/api", Target: mustURL(api.URL), Rewrite: str("/"), ChangeOrigin: true},
		{Prefix: "/api/auth", Target: mustURL(auth.URL)},
	}})
	for path, want := range map[string]string{"/": "frontend", "/src/main.js": "frontend", "/apiary": "frontend", "/api/users": "api", "/api/auth/login": "auth"} {
		if _, body := get(t, dev+path, "Origin", dev); body != want {
			t.Errorf("%s: served by %q; want %q", path, body, want)
		}
	}
	get(t, dev+"/api/users?x=1", "Origin", dev)
	r := api.lastRequest()
	if r.URL.Path != "/users" || r.URL.RawQuery != "x=1" || r.Host != strings.TrimPrefix(api.URL, "http://") || r.Header.Get("Origin") != api.URL {
		t.Errorf("api got path %q query %q host %q origin %q; want /users, x=1, its own host and origin", r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Get("Origin"))
	}
	get(t, dev+"/api/auth/login", "Origin", dev)
	if r := auth.lastRequest(); r.URL.Path != "/api/auth/login" || r.Header.Get("Origin") != dev {
		t.Errorf("auth got %q with Origin %q; want the path and Origin unchanged", r.URL.Path, r.Header.Get("Origin"))
	}
	// The line is written once the response is done: wait for it.
	want := "GET /api/users?x=1 /api -> " + api.URL + " 200"
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), want) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log lines:\n%s", logs.String())
	}
}

func TestCookies(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Add("Set-Cookie", "sid=1; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=None")
	h.Add("Set-Cookie", "theme=dark; Max-Age=60")
	rewriteCookies(h, DefaultCookies)
	got := h.Values("Set-Cookie")
	if got[0] != "sid=1; Path=/; HttpOnly; SameSite=Lax" || got[1] != "theme=dark; Max-Age=60" {
		t.Errorf("got %q", got)
	}
	h2 := http.Header{"Set-Cookie": {"sid=1; Domain=example.com; Secure"}}
	rewriteCookies(h2, CookieRewrite{StripDomain: true})
	if h2.Get("Set-Cookie") != "sid=1; Secure" {
		t.Errorf("only Domain: got %q", h2.Get("Set-Cookie"))
	}
}

func TestStreamsAndWebSockets(t *testing.T) {
	t.Parallel()
	// The event stream sends an event only once the client has read the
	// one before: a proxy that holds events back stalls it, and the stream
	// then goes on after 10 s, noting that it was held.
	read := make(chan struct{})
	var held atomic.Bool
	front := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "websocket" { // the HMR socket
			servertest.EchoUpgrade(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			if i == 2 {
				break
			}
			select {
			case <-read:
			case <-time.After(10 * time.Second):
				held.Store(true)
			}
		}
	})
	logs := &servertest.SyncBuffer{}
	_, dev := start(t, Config{Frontend: mustURL(front.URL), Log: logs})
	// SSE: each event arrives when sent.
	resp, err := http.Get(dev + "/events")
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(resp.Body)
	var got []string
	for i := range 3 {
		line, _ := rd.ReadString('\n')
		rd.ReadString('\n')
		got = append(got, strings.TrimSpace(line))
		if i < 2 {
			select {
			case read <- struct{}{}:
			case <-time.After(15 * time.Second):
			}
		}
	}
	resp.Body.Close()
	if held.Load() || strings.Join(got, ",") != "data: 0,data: 1,data: 2" {
		t.Errorf("events %q, held back by the proxy: %v; want each as sent", got, held.Load())
	}
	// WebSocket (HMR): both ways.
	conn, err := net.Dial("tcp", strings.TrimPrefix(dev, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprint(conn, "GET /@vite/hmr HTTP/1.1\r\nHost: "+strings.TrimPrefix(dev, "http://")+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	status, _ := br.ReadString('\n')
	for {
		if l, err := br.ReadString('\n'); err != nil || l == "\r\n" {
			break
		}
	}
	fmt.Fprint(conn, "hot update\n")
	echo, _ := br.ReadString('\n')
	if want := "WebSocket /@vite/hmr frontend -> " + front.URL + " opened"; !strings.Contains(logs.String(), want) {
		t.Errorf("the log does not say the WebSocket opened (%q):\n%s", want, logs.String())
	}
	if !strings.Contains(status, "101") || echo != "hot update\n" {
		t.Errorf("websocket: got %q, echo %q", status, echo)
	}
}

func TestLocalhostOnEitherStack(t *testing.T) {
	t.Parallel()
	ln6, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here")
	}
	v6 := &httptest.Server{Listener: ln6, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "v6") })}}
	v6.Start()
	defer v6.Close()
	v4 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "v4") }))
	defer v4.Close()
	port6 := ln6.Addr().(*net.TCPAddr).Port
	port4 := v4.Listener.Addr().(*net.TCPAddr).Port
	p, dev := start(t, Config{Frontend: mustURL(fmt.Sprintf("http://localhost:%d", port4)), Routes: []Route{{Prefix: "/api", Target: mustURL(fmt.Sprintf("http://localhost:%d", port6))}}})
	if _, body := get(t, dev+"/api/x"); body != "v6" {
		t.Errorf("a target only on ::1: got %q", body)
	}
	if _, body := get(t, dev+"/"); body != "v4" {
		t.Errorf("a target only on 127.0.0.1: got %q", body)
	}
	res := strings.Join(p.Resolve(t.Context()), "\n")
	if !strings.Contains(res, fmt.Sprintf("-> [::1]:%d", port6)) || !strings.Contains(res, fmt.Sprintf("-> 127.0.0.1:%d", port4)) {
		t.Errorf("Resolve: %s", res)
	}
}

func TestTargetDown(t *testing.T) {
	t.Parallel()
	down := fmt.Sprintf("http://127.0.0.1:%d", servertest.FreePort(t)) // reserved: nothing listens
	front := newBackend(t, func(w http.ResponseWriter, r *http.Request) {})
	_, dev := start(t, Config{Frontend: mustURL(front.URL), Routes: []Route{{Prefix: "/api", Target: mustURL(down)}}})
	resp, body := get(t, dev+"/api/me", "Accept", "application/json")
	var j struct{ Error, Route, Target, Hint string }
	if err := json.Unmarshal([]byte(body), &j); err != nil || resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "application/json" || j.Route != "route /api" || j.Target != down || !strings.Contains(j.Error, "connection refused") {
		t.Errorf("fetch: got %d %q (%v)", resp.StatusCode, body, err)
	}
	resp, body = get(t, dev+"/api/page", "Accept", "text/html", "Sec-Fetch-Mode", "navigate")
	if resp.StatusCode != 502 || !strings.Contains(body, "<h1>route /api is not answering</h1>") || !strings.Contains(body, "connection refused") {
		t.Errorf("navigation: got %d %q", resp.StatusCode, body)
	}
}

func TestStaticSPA(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<div id=app></div>"), 0o600)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("console.log(1)"), 0o600)
	_, dev := start(t, Config{Static: dir})
	for path, want := range map[string]string{"/": "<div id=app></div>", "/users/42": "<div id=app></div>", "/app.js": "console.log(1)"} {
		if _, body := get(t, dev+path); body != want {
			t.Errorf("%s: got %q", path, body)
		}
	}
	if resp, _ := get(t, dev+"/missing.js"); resp.StatusCode != 404 {
		t.Errorf("a missing asset: got %d; want 404", resp.StatusCode)
	}
	// Dotfiles hold a project's secrets: never served, however spelled.
	os.WriteFile(filepath.Join(dir, ".env"), []byte("SECRET=1"), 0o600)
	os.MkdirAll(filepath.Join(dir, ".git"), 0o700)
	os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("[remote]SECRET"), 0o600)
	os.MkdirAll(filepath.Join(dir, "sub", ".well-known"), 0o700)
	os.WriteFile(filepath.Join(dir, "sub", ".well-known", "x"), []byte("SECRET"), 0o600)
	for _, p := range []string{"/.env", "/.git/config", "/%2eenv", "/sub/../.env", "/x/..%2f.env", "/sub/.well-known/x", "/.git/"} {
		resp, body := get(t, dev+p)
		if resp.StatusCode != 404 || strings.Contains(body, "SECRET") {
			t.Errorf("%s: %d %q; want 404 and no content", p, resp.StatusCode, body)
		}
	}
	os.MkdirAll(filepath.Join(dir, ".well-known"), 0o700)
	os.WriteFile(filepath.Join(dir, ".well-known", "security.txt"), []byte("Contact: x"), 0o600)
	if _, body := get(t, dev+"/.well-known/security.txt"); body != "Contact: x" {
		t.Errorf("/.well-known/security.txt: got %q; want it served", body)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	err := (&Config{Routes: []Route{{Prefix: "api", Target: mustURL("ftp://x")}, {Prefix: "api", Target: mustURL("http://x")}}}).Validate()
	for _, want := range []string{"exactly one of Config.Frontend", `"ftp://x" is not an http`, `prefix "api" does not start with /`, "appears twice"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want %q", err, want)
		}
	}
}

func TestFromViteAndCRA(t *testing.T) {
	t.Parallel()
	vite := `import { defineConfig } from 'vite'
export default defineConfig({
  server: {
    port: 5173,
    proxy: {
      '/foo': 'http://localhost:4567',
      '/api': {
        target: 'http://jsonplaceholder.typicode.com',
        changeOrigin: true,
        rewrite: (path) => path.replace(/^\/api/, ''),
      },
      '/socket.io': {
        target: 'ws://localhost:5174',
        ws: true,
      },
      '/odd': {
        target: 'http://localhost:9000',
        configure: (proxy, options) => {},
      },
    },
  },
})`
	tr, err := FromFile("vite.config.js", []byte(vite))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tr.Routes {
		s := r.Prefix + "=" + r.Target.String()
		if r.ChangeOrigin {
			s += " changeOrigin"
		}
		if r.Rewrite != nil {
			s += " rewrite=" + *r.Rewrite
		}
		got = append(got, s)
	}
	want := []string{"/foo=http://localhost:4567", "/api=http://jsonplaceholder.typicode.com changeOrigin rewrite=/", "/socket.io=ws://localhost:5174", "/odd=http://localhost:9000"}
	if !slices.Equal(got, want) {
		t.Errorf("vite: got %q; want %q", got, want)
	}
	if len(tr.Untranslated) != 1 || !strings.Contains(tr.Untranslated[0], "/odd: option configure has no equivalent") {
		t.Errorf("untranslated: %q", tr.Untranslated)
	}
	cra, err := FromFile("package.json", []byte(`{"name": "app", "proxy": "http://localhost:5000"}`))
	if err != nil || len(cra.Routes) != 1 || cra.Routes[0].Target.String() != "http://localhost:5000" || len(cra.Untranslated) != 1 {
		t.Errorf("CRA: %v %+v", err, cra)
	}
	if _, err := FromFile("package.json", []byte(`{"name": "app"}`)); err == nil {
		t.Error("no proxy field: got no error")
	}
}

// TestInChromium: a page served through corskit dev calls the API with
// credentials and a custom header: same origin, so no preflight; a cookie the
// API sets with Domain, Secure and SameSite=None is kept and sent back.
func TestInChromium(t *testing.T) {
	t.Parallel()
	b := browsertest.Start(t)
	front := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>app</title>")
	})
	api := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s3cret", Domain: "api.example.com", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteNoneMode})
			io.WriteString(w, `{"ok": true}`)
		case "/me":
			c, err := r.Cookie("sid")
			if err != nil {
				w.WriteHeader(401)
				return
			}
			fmt.Fprintf(w, `{"sid": %q, "debug": %q}`, c.Value, r.Header.Get("X-Debug"))
		}
	})
	_, dev := start(t, Config{Frontend: mustURL(front.URL), Cookies: DefaultCookies, Routes: []Route{{Prefix: "/api", Target: mustURL(api.URL), Rewrite: str("/")}}})
	b.Navigate(t, dev+"/")
	login := b.Fetch(t, browsertest.Request{URL: "/api/login", Method: "POST", Credentials: "include", Headers: map[string]string{"X-Debug": "1", "Content-Type": "application/json"}, Body: "{}"})
	me := b.Fetch(t, browsertest.Request{URL: "/api/me", Credentials: "include", Headers: map[string]string{"X-Debug": "2"}})
	if !login.OK || login.Status != 200 || !me.OK || me.Status != 200 {
		t.Fatalf("login %+v, me %+v", login, me)
	}
	// Without the rewriting the browser drops the cookie (Domain and Secure
	// do not fit http://127.0.0.1): the rewriting is what makes it work.
	_, raw := start(t, Config{Frontend: mustURL(front.URL), Routes: []Route{{Prefix: "/api", Target: mustURL(api.URL), Rewrite: str("/")}}})
	// On another host name, so that the cookie kept above does not apply.
	b.Navigate(t, strings.Replace(raw, "127.0.0.1", "localhost", 1)+"/")
	b.Fetch(t, browsertest.Request{URL: "/api/login", Method: "POST", Credentials: "include", Body: "{}"})
	if res := b.Fetch(t, browsertest.Request{URL: "/api/me", Credentials: "include"}); res.Status != 401 {
		t.Errorf("without cookie rewriting: /api/me got %d; want 401 (the control shows the test can fail)", res.Status)
	}
	api.mu.Lock()
	seen := slices.Clone(api.seen)
	api.mu.Unlock()
	if slices.ContainsFunc(seen, func(s string) bool { return strings.HasPrefix(s, "OPTIONS") }) {
		t.Errorf("the API saw a preflight (%q): the requests were not same-origin", seen)
	}
}
