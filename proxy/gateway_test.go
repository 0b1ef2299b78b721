package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/servertest"
)

const app = "https://app.example.com"

var credentialed = cors.Config{
	AllowOrigins: []string{app}, AllowMethods: []string{"PUT", "DELETE"}, AllowHeaders: []string{"Content-Type"},
	ExposeHeaders: []string{"X-Request-Id"}, AllowCredentials: true, MaxAge: 600,
}

// upstreamServer is a scripted backend that counts the requests it sees.
type upstreamServer struct {
	*httptest.Server
	options atomic.Int32
	last    atomic.Pointer[http.Request]
}

func newUpstream(t *testing.T, h http.HandlerFunc) *upstreamServer {
	u := &upstreamServer{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "OPTIONS" {
			u.options.Add(1)
		}
		u.last.Store(r)
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

// server is one of the two HTTP/1.1 servers a gateway serves with: the fast
// path, or net/http's alone (ServerOptions.StandardServer).
type server struct {
	name     string
	standard bool
}

var servers = []server{{"fast", false}, {"net-http", true}}

// onEachServer runs a behaviour test on each server: both must behave alike.
func onEachServer(t *testing.T, test func(t *testing.T, srv server)) {
	for _, srv := range servers {
		t.Run("server="+srv.name, func(t *testing.T) {
			t.Parallel()
			test(t, srv)
		})
	}
}

// gateway serves cfg's gateway, in front of up, on srv; it returns the
// gateway's URL.
func gateway(t *testing.T, srv server, cfg Config, up string) (*Gateway, string) {
	t.Helper()
	u, _ := url.Parse(up)
	cfg.Upstream = u
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := serveGateway(t, g, ServerOptions{StandardServer: srv.standard})
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return g, "http://" + addr
}

func do(t *testing.T, method, url string, hdr ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestPreflightsStayAtTheGateway(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
		var logs servertest.SyncBuffer
		g, gw := gateway(t, srv, Config{Policy: credentialed, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, up.URL)
		resp := do(t, "OPTIONS", gw+"/data", "Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type")
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != app || up.options.Load() != 0 {
			t.Errorf("got %d %v, upstream saw %d OPTIONS; want 204 with the origin, none upstream", resp.StatusCode, resp.Header, up.options.Load())
		}
		if v := resp.Header.Get("Vary"); v != "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" || resp.Header.Get("Access-Control-Max-Age") != "600" ||
			resp.Header.Get("Date") == "" || resp.ContentLength > 0 {
			t.Errorf("allowed preflight: got %v", resp.Header)
		}
		resp = do(t, "OPTIONS", gw+"/data", "Origin", "https://evil.test", "Access-Control-Request-Method", "PUT")
		if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" || up.options.Load() != 0 {
			t.Errorf("refused preflight: got %d %v", resp.StatusCode, resp.Header)
		}
		m := scrape(t, g)
		for _, want := range []string{`corskit_proxy_requests_total{outcome="preflight_allowed"} 1`, `corskit_proxy_requests_total{outcome="preflight_denied"} 1`} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if !strings.Contains(logs.String(), "origin=https://evil.test") {
			t.Errorf("the refused preflight is not logged: %q", logs.String())
		}
		pass := credentialed
		pass.PreflightPassthrough = true
		_, gw2 := gateway(t, srv, Config{Policy: pass}, up.URL)
		do(t, "OPTIONS", gw2+"/data", "Origin", app, "Access-Control-Request-Method", "PUT")
		if up.options.Load() != 1 {
			t.Errorf("passthrough: upstream saw %d OPTIONS; want 1", up.options.Load())
		}
	})
}

func TestUpstreamCORSHeadersAreReplaced(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Credentials", "false")
			w.Header().Set("Access-Control-Expose-Headers", "X-Internal")
			w.Header().Set("Vary", "Accept-Encoding")
			w.Header().Set("X-Request-Id", "7")
		})
		_, gw := gateway(t, srv, Config{Policy: credentialed}, up.URL)
		resp := do(t, "GET", gw+"/data", "Origin", app)
		h := resp.Header
		if strings.Join(h.Values("Access-Control-Allow-Origin"), "|") != app || h.Get("Access-Control-Allow-Credentials") != "true" ||
			h.Get("Access-Control-Expose-Headers") != "X-Request-Id" || strings.Join(h.Values("Vary"), ", ") != "Origin, Accept-Encoding" {
			t.Errorf("got %v; want the policy's headers once, and Vary merged", h)
		}
	})
}

func TestEveryResponseCarriesCORS(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/404":
				http.NotFound(w, r)
			case "/500":
				w.WriteHeader(500)
			case "/302":
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			case "/slow":
				time.Sleep(2 * time.Second)
			}
		})
		_, gw := gateway(t, srv, Config{Policy: credentialed, UpstreamTimeout: 200 * time.Millisecond}, up.URL)
		for path, status := range map[string]int{"/404": 404, "/500": 500, "/302": 302, "/slow": 504} {
			resp := do(t, "GET", gw+path, "Origin", app)
			if resp.StatusCode != status || resp.Header.Get("Access-Control-Allow-Origin") != app {
				t.Errorf("%s: got %d with Access-Control-Allow-Origin %q; want %d with %q", path, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), status, app)
			}
		}
		// Upstream down: 502 with a JSON body saying what failed.
		down := fmt.Sprintf("http://127.0.0.1:%d", servertest.FreePort(t)) // reserved: nothing listens
		_, gw2 := gateway(t, srv, Config{Policy: credentialed}, down)
		resp := do(t, "GET", gw2+"/data", "Origin", app)
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != 502 || resp.Header.Get("Access-Control-Allow-Origin") != app || body["error"] != "the upstream is unreachable" || strings.Contains(body["detail"], down) {
			t.Errorf("upstream down: got %d %v %v", resp.StatusCode, resp.Header, body)
		}
	})
}

// TestStreaming: each event reaches the client while the upstream holds
// the next one back: the upstream sends event i+1 only once the client has
// read event i (or after 5 s, which a gateway that buffers the answer
// makes it wait, and the test then fails). No clock is read, so a loaded
// machine cannot fail it.
func TestStreaming(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		read := map[string]chan struct{}{"/events": make(chan struct{}, 3), "/chunked": make(chan struct{}, 3)}
		var held atomic.Int32
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/events" {
				w.Header().Set("Content-Type", "text/event-stream")
			}
			for i := range 3 {
				fmt.Fprintf(w, "data: %d\n\n", i)
				w.(http.Flusher).Flush()
				if i == 2 {
					return
				}
				select {
				case <-read[r.URL.Path]:
				case <-time.After(5 * time.Second):
					held.Add(1)
				}
			}
		})
		_, gw := gateway(t, srv, Config{Policy: credentialed}, up.URL)
		for _, path := range []string{"/events", "/chunked"} {
			before := held.Load()
			resp := do(t, "GET", gw+path, "Origin", app)
			rd := bufio.NewReader(resp.Body)
			for i := range 3 {
				line, err := rd.ReadString('\n')
				if err != nil || line != fmt.Sprintf("data: %d\n", i) {
					t.Fatalf("%s: event %d: %q, %v", path, i, line, err)
				}
				rd.ReadString('\n')
				read[path] <- struct{}{}
			}
			if n := held.Load() - before; n > 0 {
				t.Errorf("%s: %d of 2 events reached the client only after the upstream waited 5 s for it: the gateway holds a streamed answer back", path, n)
			}
		}
	})
}

// TestWebSocketUpgrade proxies an upgrade both ways (a raw echo after the
// 101 suffices: the gateway copies bytes) and refuses other origins.
func TestWebSocketUpgrade(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, servertest.EchoUpgrade)
		_, gw := gateway(t, srv, Config{Policy: credentialed}, up.URL)
		dial := func(origin string) (string, string) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(gw, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: %s\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", origin)
			rd := bufio.NewReader(conn)
			status, _ := rd.ReadString('\n')
			for {
				l, err := rd.ReadString('\n')
				if err != nil || l == "\r\n" {
					break
				}
			}
			if !strings.Contains(status, "101") {
				return status, ""
			}
			fmt.Fprint(conn, "ping\n")
			echo, _ := rd.ReadString('\n')
			return status, echo
		}
		if status, echo := dial(app); !strings.Contains(status, "101") || echo != "ping\n" {
			t.Errorf("allowed origin: got %q, echo %q; want 101 and the echo", status, echo)
		}
		if status, _ := dial("https://evil.test"); !strings.Contains(status, "403") {
			t.Errorf("other origin: got %q; want 403 (cross-site WebSocket hijacking)", status)
		}
	})
}

func TestForwardedHeadersAndHost(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
		_, gw := gateway(t, srv, Config{Policy: credentialed}, up.URL)
		do(t, "GET", gw+"/x", "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Host", "evil.test")
		got := up.last.Load()
		if xff := got.Header.Get("X-Forwarded-For"); xff != "127.0.0.1" || got.Header.Get("X-Forwarded-Host") == "evil.test" || got.Host != strings.TrimPrefix(up.URL, "http://") {
			t.Errorf("untrusted client: upstream got X-Forwarded-For %q, X-Forwarded-Host %q, Host %q", xff, got.Header.Get("X-Forwarded-Host"), got.Host)
		}
		_, gw2 := gateway(t, srv, Config{Policy: credentialed, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, PreserveHost: true}, up.URL)
		do(t, "GET", gw2+"/x", "X-Forwarded-For", "203.0.113.9")
		got = up.last.Load()
		if xff := got.Header.Get("X-Forwarded-For"); xff != "203.0.113.9, 127.0.0.1" || got.Host != strings.TrimPrefix(gw2, "http://") {
			t.Errorf("trusted proxy: upstream got X-Forwarded-For %q, Host %q", xff, got.Host)
		}
	})
}

func TestRoutesAndReload(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
		cfg := Config{Policy: credentialed, Routes: []Route{
			{Prefix: "/assets/", Policy: cors.Config{AllowOrigins: []string{"*"}}},
			{Prefix: "/api/admin/", Policy: cors.Config{AllowOrigins: []string{"https://admin.example.com"}, AllowCredentials: true}},
		}}
		g, gw := gateway(t, srv, cfg, up.URL)
		acao := func(path, origin string) string {
			return do(t, "GET", gw+path, "Origin", origin).Header.Get("Access-Control-Allow-Origin")
		}
		if acao("/assets/x.css", "https://anyone.test") != "*" || acao("/api/admin/users", app) != "" ||
			acao("/api/admin/users", "https://admin.example.com") != "https://admin.example.com" || acao("/api/data", app) != app {
			t.Error("routes: the longest prefix does not decide")
		}
		bad := cfg
		bad.Policy.AllowOrigins = []string{"https://app.example.com/"}
		if err := g.Reload(bad); err == nil || !strings.Contains(err.Error(), "trailing slash") {
			t.Errorf("Reload(invalid): got %v", err)
		}
		if acao("/api/data", app) != app {
			t.Error("after a failed reload the old policy must stay")
		}
		good := cfg
		good.Policy.AllowOrigins = []string{"https://new.example.com"}
		if err := g.Reload(good); err != nil || acao("/api/data", "https://new.example.com") != "https://new.example.com" || acao("/api/data", app) != "" {
			t.Errorf("Reload(valid): %v", err)
		}
		metrics := scrape(t, g)
		for _, want := range []string{`corskit_proxy_reloads_total{result="error"} 1`, `corskit_proxy_reloads_total{result="ok"} 1`, `corskit_proxy_requests_total{outcome="actual_allowed"}`} {
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
	})
}

// TestHandoffsCounted: the fast path serves bodiless requests itself and
// counts the connections it hands to net/http's server.
func TestHandoffsCounted(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.Copy(w, r.Body) })
	g, gw := gateway(t, servers[0], Config{Policy: credentialed}, up.URL)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	for _, body := range []string{"", "", "hello", ""} {
		req, _ := http.NewRequest("POST", gw+"/echo", strings.NewReader(body))
		if body == "" {
			req, _ = http.NewRequest("GET", gw+"/echo", nil)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != body {
			t.Errorf("got %q; want %q", b, body)
		}
	}
	if m := scrape(t, g); !strings.Contains(m, "corskit_proxy_handoffs_total 1") {
		t.Errorf("two GETs, a POST and a GET on one connection: want one hand-off counted:\n%s", m)
	}
}

func scrape(t *testing.T, g *Gateway) string {
	rec := httptest.NewRecorder()
	g.AdminHandler(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestReportOnly(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		})
		var logs bytes.Buffer
		g, gw := gateway(t, srv, Config{Policy: credentialed, ReportOnly: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, up.URL)
		resp := do(t, "GET", gw+"/data", "Origin", "https://evil.test")
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("report-only changed the answer: %v", resp.Header)
		}
		do(t, "OPTIONS", gw+"/data", "Origin", "https://evil.test", "Access-Control-Request-Method", "PUT")
		if up.options.Load() != 1 {
			t.Error("report-only must pass preflights to the upstream")
		}
		m := scrape(t, g)
		if !strings.Contains(m, `corskit_proxy_requests_total{outcome="actual_denied"} 1`) || !strings.Contains(m, `corskit_proxy_requests_total{outcome="preflight_denied"} 1`) ||
			!strings.Contains(logs.String(), "report_only=true") || !strings.Contains(logs.String(), "origin=https://evil.test") {
			t.Errorf("report-only must count and log what it would deny:\n%s\n%s", m, logs.String())
		}
	})
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	g, _ := gateway(t, server{"fast", false}, Config{Policy: credentialed}, up.URL)
	admin := httptest.NewServer(g.AdminHandler(g.upstreamReady))
	defer admin.Close()
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200} {
		if got := do(t, "GET", admin.URL+path).StatusCode; got != want {
			t.Errorf("%s: got %d; want %d", path, got, want)
		}
	}
	up.Close()
	if got := do(t, "GET", admin.URL+"/readyz").StatusCode; got != 503 {
		t.Errorf("/readyz with the upstream down: got %d; want 503", got)
	}
}

func TestGracefulShutdownAndSlowClients(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		// The upstream holds the request until the shutdown has begun.
		arrived, release := make(chan struct{}, 1), make(chan struct{})
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-release
			w.Write([]byte("done"))
		})
		u, _ := url.Parse(up.URL)
		g, err := New(Config{Upstream: u, Policy: credentialed})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		addrc := make(chan string, 1)
		served := make(chan error, 1)
		go func() {
			served <- g.Serve(ctx, ServerOptions{Listen: "127.0.0.1:0", StandardServer: srv.standard, ReadHeaderTimeout: 300 * time.Millisecond,
				Started: func(addr, _ string) { addrc <- addr }})
		}()
		addr := <-addrc

		// A client that never finishes its headers is cut off.
		slow, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(slow, "GET / HTTP/1.1\r\nHost: x\r\n")
		slow.SetReadDeadline(time.Now().Add(3 * time.Second))
		if _, err := io.ReadAll(slow); err != nil {
			t.Errorf("slow-header client: got %v; want the server to close the connection", err)
		}
		slow.Close()

		// A request in flight when shutdown starts still completes.
		result := make(chan string, 1)
		go func() {
			resp, err := http.Get("http://" + addr + "/slow")
			if err != nil {
				result <- err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			result <- string(b)
		}()
		select {
		case <-arrived:
		case <-time.After(30 * time.Second):
			t.Fatal("the request did not reach the upstream in 30 s")
		}
		cancel()
		waitListenerClosed(t, addr)
		close(release)
		if got := <-result; got != "done" {
			t.Errorf("in-flight request during shutdown: got %q; want done", got)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("ftp://x")
	cfg := Config{Upstream: u, Policy: cors.Config{AllowOrigins: []string{"*"}, AllowCredentials: true},
		Routes: []Route{{Prefix: "api/", Policy: cors.Config{AllowOrigins: []string{"https://a.example.com/"}}}}}
	err := cfg.Validate()
	for _, want := range []string{`upstream "ftp://x" is not an http or https URL`, `cors: AllowOrigins: "*" cannot be used with AllowCredentials`,
		`route prefix "api/" does not start with /`, `route "api/": cors: AllowOrigins: "https://a.example.com/" has a trailing slash`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: got %v; want %q", err, want)
		}
	}
}
