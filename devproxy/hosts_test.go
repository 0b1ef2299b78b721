package devproxy

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corskit/corskit/internal/servertest"
)

// TestHostCheck is issue 20's DNS rebinding: a request for a foreign Host
// got the app's source and a login cookie. Only the proxy's own names are
// answered now; a foreign one gets a plain 403 naming the flag, and nothing
// reaches the frontend.
func TestHostCheck(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	front := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s3cret"})
		io.WriteString(w, "app source")
	})
	logs := &servertest.SyncBuffer{}
	_, dev := start(t, Config{Frontend: mustURL(front.URL), Log: logs, AllowedHosts: []string{"app.test", ".dev.example", "Straße.example"}})
	addr := strings.TrimPrefix(dev, "http://")
	_, port, _ := net.SplitHostPort(addr)
	ask := func(target, host string) (*http.Response, string) {
		c := servertest.DialRaw(t, addr)
		return c.RoundTrip(t, "GET", "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
	}
	for _, host := range []string{
		"localhost:" + port, "LOCALHOST:" + port, "localhost", "localhost.:" + port, "app.localhost:" + port,
		"127.0.0.1:" + port, "127.9.8.7:" + port, "[::1]:" + port, "192.0.2.10:" + port, "[2001:db8::1]",
		"app.test:" + port, "APP.test.", "dev.example:1", "a.b.dev.example", "xn--strae-oqa.example",
	} {
		before := hits.Load()
		if resp, body := ask("/", host); resp.StatusCode != 200 || body != "app source" || hits.Load() != before+1 {
			t.Errorf("Host %q: got %d %q; want the frontend's answer", host, resp.StatusCode, body)
		}
	}
	for _, tc := range []struct{ target, host, named, fix string }{
		{"/", "evil.example:" + port, "evil.example:" + port, "--allowed-host evil.example"},
		{"/", "EVIL.example.", "EVIL.example.", "--allowed-host evil.example"},
		{"/", "localhost.evil.example", "localhost.evil.example", "--allowed-host localhost.evil.example"},
		{"/", "evil-localhost", "evil-localhost", "--allowed-host evil-localhost"},
		{"/", "app.test.evil.example", "app.test.evil.example", "--allowed-host app.test.evil.example"},
		{"/", "xdev.example", "xdev.example", "--allowed-host xdev.example"},
		{"/", "127.0.0.1.nip.io:" + port, "127.0.0.1.nip.io:" + port, "--allowed-host 127.0.0.1.nip.io"},
		{"/", "::1", "::1", ""},
		{"/", "[::1", "[::1", ""},
		{"/", "localhost:http", "localhost:http", ""},
		// Absolute form: the target's host is the one that counts.
		{"http://evil.example/src/main.js", "localhost:" + port, "evil.example", "--allowed-host evil.example"},
	} {
		before := hits.Load()
		resp, body := ask(tc.target, tc.host)
		if resp.StatusCode != 403 || hits.Load() != before || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s Host %q: got %d %q; want 403 and nothing sent to the frontend", tc.target, tc.host, resp.StatusCode, body)
			continue
		}
		if resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("Host %q: the 403 is %q (nosniff %q); want plain text, never HTML", tc.host, resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-Type-Options"))
		}
		if !strings.Contains(body, fmt.Sprintf("refused a request for host %q", tc.named)) || !strings.Contains(body, "DNS rebinding") || tc.fix != "" && !strings.Contains(body, "    "+tc.fix+"\n") {
			t.Errorf("Host %q: the 403 says %q; want it to name the host and %q", tc.host, body, tc.fix)
		}
	}
	if want := "GET / refused 403: a request for host \"evil.example:" + port + "\" is not allowed (--allowed-host evil.example)"; !strings.Contains(logs.String(), want) {
		t.Errorf("the log does not say what was refused (%q):\n%s", want, logs.String())
	}
	// "*" answers every host, as the opt-out says.
	_, open := start(t, Config{Frontend: mustURL(front.URL), AllowedHosts: []string{AnyHost}})
	c := servertest.DialRaw(t, strings.TrimPrefix(open, "http://"))
	if resp, _ := c.RoundTrip(t, "GET", "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"); resp.StatusCode != 200 {
		t.Errorf("AllowedHosts [*]: got %d; want 200", resp.StatusCode)
	}
}

func TestAllowedHostsValidate(t *testing.T) {
	t.Parallel()
	err := (&Config{Static: t.TempDir(), AllowedHosts: []string{"http://app.test", "app.test:3000", "*.example.com", "", "a b", "ok.test", ".ok.test", "[::1]", "10.0.0.1"}}).Validate()
	for _, want := range []string{
		`allowed host "http://app.test" is a URL, not a host name; write a host name alone, e.g. app.test`,
		`allowed host "app.test:3000" has a port`,
		`allowed host "*.example.com": write ".example.com" for the subdomains of example.com`,
		`allowed host "" is empty`,
		`allowed host "a b" is not a host name`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want %q", err, want)
		}
	}
	if err != nil && strings.Count(err.Error(), "\n") != 4 {
		t.Errorf("got %d errors; want 5 (ok.test, .ok.test, [::1] and 10.0.0.1 are fine):\n%v", strings.Count(err.Error(), "\n")+1, err)
	}
}

// wsEcho is a real, minimal WebSocket server (RFC 6455): it completes the
// handshake with Sec-WebSocket-Accept and echoes one short text frame. It
// counts the upgrades that reach it.
func wsEcho(hits *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !isWebSocket(r) || r.Header.Get("Sec-WebSocket-Version") != "13" {
			http.Error(w, "not a WebSocket handshake", 400)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", wsAccept(r.Header.Get("Sec-WebSocket-Key")))
		brw.Flush()
		var head [2]byte
		var mask [4]byte
		if _, err := io.ReadFull(brw, head[:]); err != nil || head[1]&0x80 == 0 || head[1]&0x7f >= 126 {
			return // clients mask; the test sends short frames
		}
		if _, err := io.ReadFull(brw, mask[:]); err != nil {
			return
		}
		payload := make([]byte, head[1]&0x7f)
		if _, err := io.ReadFull(brw, payload); err != nil {
			return
		}
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
		conn.Write(append([]byte{0x81, byte(len(payload))}, payload...))
	}
}

func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// wsOpen sends a WebSocket handshake for path to addr with the given Host,
// Origin (none when "") and header pairs, and reads the answer: its body
// unless it is 101, when the frames follow on c.R.
func wsOpen(t *testing.T, addr, path, host, origin string, hdr ...string) (c *servertest.RawClient, resp *http.Response, body string) {
	t.Helper()
	c = servertest.DialRaw(t, addr)
	req := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + wsKey + "\r\nSec-WebSocket-Version: 13\r\n"
	if origin != "" {
		req += "Origin: " + origin + "\r\n"
	}
	for i := 0; i < len(hdr); i += 2 {
		req += hdr[i] + ": " + hdr[i+1] + "\r\n"
	}
	if _, err := io.WriteString(c.Conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(c.R, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 {
		b, _ := io.ReadAll(resp.Body)
		return c, resp, string(b)
	}
	if resp.Header.Get("Sec-WebSocket-Accept") != wsAccept(wsKey) {
		t.Fatalf("the upstream's handshake: Sec-WebSocket-Accept %q", resp.Header.Get("Sec-WebSocket-Accept"))
	}
	return c, resp, ""
}

const wsKey = "dGhlIHNhbXBsZSBub25jZQ=="

// wsDial opens a WebSocket as wsOpen does and, on 101, sends a text frame
// and returns the echo.
func wsDial(t *testing.T, addr, host, origin string) (status int, body, echo string) {
	t.Helper()
	c, resp, body := wsOpen(t, addr, "/@vite/hmr", host, origin)
	if resp.StatusCode != 101 {
		return resp.StatusCode, body, ""
	}
	msg := []byte("hot update")
	mask := [4]byte{1, 2, 3, 4}
	frame := append([]byte{0x81, 0x80 | byte(len(msg))}, mask[:]...)
	for i, b := range msg {
		frame = append(frame, b^mask[i%4])
	}
	c.Conn.Write(frame)
	return 101, "", wsRead(t, c)
}

// wsRead reads one short unmasked text frame from the server.
func wsRead(t *testing.T, c *servertest.RawClient) string {
	t.Helper()
	var head [2]byte
	if _, err := io.ReadFull(c.R, head[:]); err != nil || head[1] >= 126 {
		t.Fatalf("reading a frame: %v (header % x)", err, head)
	}
	payload := make([]byte, head[1])
	if _, err := io.ReadFull(c.R, payload); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	return string(payload)
}

// TestWebSocketOrigin: a page on a foreign site opening a WebSocket (the dev
// server's HMR socket, an API's) through the proxy is refused before
// anything reaches the upstream; the proxy's own pages, local pages, and
// clients that send no Origin get through to a real WebSocket server.
func TestWebSocketOrigin(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	front := newBackend(t, wsEcho(&hits))
	_, dev := start(t, Config{Frontend: mustURL(front.URL), AllowedHosts: []string{"app.test"}})
	addr := strings.TrimPrefix(dev, "http://")
	_, port, _ := net.SplitHostPort(addr)
	for _, tc := range []struct{ host, origin string }{
		{addr, ""},
		{addr, dev},
		{addr, "http://localhost:5173"},
		{"localhost:" + port, "http://localhost:" + port},
		{addr, "https://app.localhost"},
		{addr, "http://[::1]:8080"},
		{"app.test:" + port, "http://app.test:" + port},
		{"192.0.2.10:" + port, "http://192.0.2.10:" + port}, // the page the proxy served on that address
	} {
		before := hits.Load()
		if status, body, echo := wsDial(t, addr, tc.host, tc.origin); status != 101 || echo != "hot update" || hits.Load() != before+1 {
			t.Errorf("Host %q Origin %q: got %d %q echo %q; want the WebSocket open", tc.host, tc.origin, status, body, echo)
		}
	}
	for _, tc := range []struct{ host, origin, fix string }{
		{addr, "https://evil.example", "--allowed-host evil.example"},
		{"localhost:" + port, "http://evil.example:" + port, "--allowed-host evil.example"},
		{addr, "null", ""},
		{addr, "http://203.0.113.7", ""}, // any website may be on an IP address
		{addr, "http://localhost.evil.example", "--allowed-host localhost.evil.example"},
		{addr, "chrome-extension://abcdef", ""},
		{addr, "http://user@localhost", ""},
		{"192.0.2.10:" + port, "http://192.0.2.11:" + port, ""},
	} {
		before := hits.Load()
		status, body, _ := wsDial(t, addr, tc.host, tc.origin)
		if status != 403 || hits.Load() != before {
			t.Errorf("Host %q Origin %q: got %d %q; want 403 before the upstream", tc.host, tc.origin, status, body)
			continue
		}
		if !strings.Contains(body, fmt.Sprintf("refused a WebSocket opened by the page at %q", tc.origin)) || tc.fix != "" && !strings.Contains(body, "    "+tc.fix+"\n") {
			t.Errorf("Origin %q: the 403 says %q; want it to name the origin and %q", tc.origin, body, tc.fix)
		}
	}
	// A foreign Host is refused for WebSockets too.
	if status, _, _ := wsDial(t, addr, "evil.example:"+port, "http://evil.example:"+port); status != 403 {
		t.Errorf("WebSocket for Host evil.example: got %d; want 403", status)
	}
}

// TestChangeOriginKeepsForeignOrigin: --change-origin makes the proxy's own
// pages look same-origin to a backend that checks Origin; a foreign site's
// request (a cross-site form POST, say) keeps its Origin, so that the
// backend's check still refuses it.
func TestChangeOriginKeepsForeignOrigin(t *testing.T) {
	t.Parallel()
	front := newBackend(t, func(w http.ResponseWriter, r *http.Request) {})
	api := newBackend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Header.Get("Origin")) })
	_, dev := start(t, Config{Frontend: mustURL(front.URL), Routes: []Route{{Prefix: "/api", Target: mustURL(api.URL), ChangeOrigin: true}}})
	for origin, want := range map[string]string{dev: api.URL, "http://localhost:5173": api.URL, "https://evil.example": "https://evil.example", "null": "null"} {
		if _, got := get(t, dev+"/api/transfer", "Origin", origin); got != want {
			t.Errorf("Origin %q reached the API as %q; want %q", origin, got, want)
		}
	}
}

// TestViteBehindDev is issue 20's scenario on the real Vite: Vite refuses a
// foreign Host itself, and corskit dev, which sends Vite its own host, must
// not undo that; nor may a foreign page open Vite's HMR socket through it,
// even with the token a rebinding page could have read.
func TestViteBehindDev(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	node := servertest.NPMInstall(t, dir, servertest.VitePackage)
	for name, text := range map[string]string{
		"index.html":     `<!doctype html><title>app</title><script type="module" src="/main.js"></script>`,
		"main.js":        `console.log("app source")` + "\n",
		"vite.config.js": `export default { cacheDir: "vite-cache", clearScreen: false }` + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	port := servertest.FreePort(t)
	servertest.Start(t, dir, port, nil, node, filepath.Join(dir, "node_modules", "vite", "bin", "vite.js"), "--port", fmt.Sprint(port), "--strictPort", "--host", "127.0.0.1")
	vite := fmt.Sprintf("127.0.0.1:%d", port)
	direct := servertest.DialRaw(t, vite)
	if resp, body := direct.RoundTrip(t, "GET", "GET / HTTP/1.1\r\nHost: evil.example:"+fmt.Sprint(port)+"\r\n\r\n"); resp.StatusCode != 403 || !strings.Contains(body, `This host ("evil.example") is not allowed`) {
		t.Fatalf("Vite itself: a foreign Host got %d %q; want its 403", resp.StatusCode, body)
	}
	_, dev := start(t, Config{Frontend: mustURL("http://" + vite)})
	addr := strings.TrimPrefix(dev, "http://")
	_, devPort, _ := net.SplitHostPort(addr)
	c := servertest.DialRaw(t, addr)
	if resp, body := c.RoundTrip(t, "GET", "GET /main.js HTTP/1.1\r\nHost: evil.example:"+devPort+"\r\n\r\n"); resp.StatusCode != 403 || !strings.HasPrefix(body, "corskit dev: refused a request for host \"evil.example:"+devPort+"\"") {
		t.Errorf("through corskit dev: a foreign Host got %d %q; want corskit dev's 403", resp.StatusCode, body)
	}
	if _, body := get(t, dev+"/main.js"); !strings.Contains(body, `console.log("app source")`) {
		t.Fatalf("through corskit dev: /main.js got %q; want the app's source", body)
	}
	_, client := get(t, dev+"/@vite/client")
	m := regexp.MustCompile(`wsToken = "([^"]+)"`).FindStringSubmatch(client)
	if m == nil {
		t.Fatalf("no HMR token in /@vite/client:\n%.500s", client)
	}
	hmr := "/?token=" + m[1]
	if _, resp, body := wsOpen(t, addr, hmr, addr, "https://evil.example", "Sec-WebSocket-Protocol", "vite-hmr"); resp.StatusCode != 403 || !strings.HasPrefix(body, `corskit dev: refused a WebSocket opened by the page at "https://evil.example"`) {
		t.Errorf("HMR from a foreign page: got %d %q; want corskit dev's 403", resp.StatusCode, body)
	}
	ws, resp, body := wsOpen(t, addr, hmr, addr, dev, "Sec-WebSocket-Protocol", "vite-hmr")
	if resp.StatusCode != 101 {
		t.Fatalf("HMR from the app's own page: got %d %q; want 101", resp.StatusCode, body)
	}
	if msg := wsRead(t, ws); !strings.Contains(msg, `"connected"`) {
		t.Errorf("HMR: Vite's first message is %q; want its connected message", msg)
	}
}
