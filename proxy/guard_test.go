package proxy

// Tests of issue 20's findings 3 (request bodies without a timeout), 4
// (routes dodged by case and ambiguous segments) and 7b (client-IP headers
// forwarded as the client wrote them), each on both servers.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/netutil"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/servertest"
)

const adminOrigin = "https://admin.example.com"

// adminRoutes is the configuration: /admin/ open to the admin
// origin alone, everything else to the app's, with credentials.
var adminRoutes = Config{Policy: credentialed, Routes: []Route{{Prefix: "/admin/", Policy: cors.Config{
	AllowOrigins: []string{adminOrigin}, AllowMethods: []string{"PUT"}, AllowCredentials: true}}}}

// serveWith serves cfg's gateway in front of up on srv with o, and returns
// it and its address.
func serveWith(t *testing.T, srv server, cfg Config, up string, o ServerOptions) (*Gateway, string) {
	t.Helper()
	u, _ := url.Parse(up)
	cfg.Upstream = u
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	o.StandardServer = srv.standard
	addr, stop := serveGateway(t, g, o)
	t.Cleanup(func() { stop() })
	return g, addr
}

// rawRequest sends one request, written as given, on a connection of its
// own and returns the answer and its body.
func rawRequest(t *testing.T, addr, method, target string, lines ...string) (*http.Response, string) {
	t.Helper()
	c := servertest.DialRaw(t, addr)
	io.WriteString(c.Conn, method+" "+target+" HTTP/1.1\r\nHost: gw\r\n"+strings.Join(lines, "\r\n")+"\r\n\r\n")
	return c.Read(t, method)
}

// expressUpstream runs a real Express 4 app, which routes ignoring case (its
// default, as ASP.NET Core's and IIS's), and returns its URL.
func expressUpstream(t *testing.T) string {
	t.Helper()
	dir, port := t.TempDir(), servertest.FreePort(t)
	node := servertest.NPMInstall(t, dir, "express@4")
	os.WriteFile(filepath.Join(dir, "app.js"), []byte(fmt.Sprintf(`const express = require('express');
const app = express();
app.get('/admin/secret', (req, res) => res.send('admin data'));
app.get('/public', (req, res) => res.send('public'));
app.listen(%d, '127.0.0.1');
`, port)), 0o600)
	servertest.Start(t, dir, port, nil, node, "app.js")
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// Finding 4: on an upstream that routes ignoring case, /ADMIN/secret is
// the admin route's resource, so it gets the admin route's policy.
func TestRoutesIgnoreCaseAsExpressDoes(t *testing.T) {
	t.Parallel()
	up := expressUpstream(t)
	onEachServer(t, func(t *testing.T, srv server) {
		_, gw := serveWith(t, srv, adminRoutes, up, ServerOptions{})
		for _, target := range []string{"/ADMIN/secret", "/Admin/Secret", "/aDmIn/secret"} {
			resp, body := rawRequest(t, gw, "GET", target, "Origin: "+app)
			if resp.StatusCode != 200 || body != "admin data" {
				t.Fatalf("GET %s: Express answered %d %q; want its admin data (the test's premise: Express ignores case)", target, resp.StatusCode, body)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("GET %s from %s: Access-Control-Allow-Origin %q, credentials %q; want the admin route's policy (no access)",
					target, app, got, resp.Header.Get("Access-Control-Allow-Credentials"))
			}
			resp, _ = rawRequest(t, gw, "GET", target, "Origin: "+adminOrigin)
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != adminOrigin {
				t.Errorf("GET %s from %s: Access-Control-Allow-Origin %q; want %s", target, adminOrigin, got, adminOrigin)
			}
			// Preflights too, which the fast path answers itself.
			resp, _ = rawRequest(t, gw, "OPTIONS", target, "Origin: "+app, "Access-Control-Request-Method: PUT")
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("preflight %s from %s: status %d, Access-Control-Allow-Origin %q; want no access", target, app, resp.StatusCode, got)
			}
		}
		for _, target := range []string{"/admin./secret", "/admin%20/secret", "/admin%00/secret", "/admin%09/secret", "/ADMIN.%20/secret"} {
			resp, _ := rawRequest(t, gw, "GET", target, "Origin: "+app)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Access-Control-Allow-Origin") == app {
				t.Errorf("GET %s from %s: status %d, Access-Control-Allow-Origin %q; want 400", target, app, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
		}
		// The control: the default policy still covers the default's paths.
		if resp, body := rawRequest(t, gw, "GET", "/PUBLIC", "Origin: "+app); body != "public" || resp.Header.Get("Access-Control-Allow-Origin") != app {
			t.Errorf("GET /PUBLIC: %q, Access-Control-Allow-Origin %q; want public and %s", body, resp.Header.Get("Access-Control-Allow-Origin"), app)
		}
	})
}

// Finding 4: every reading an upstream may make of a path (ignoring case,
// stripping a segment's trailing dots and spaces as Windows does, decoding
// once more) picks the same route, or the request is refused; control
// characters are refused.
func TestRoutesAgreeWithEveryReadingOfThePath(t *testing.T) {
	t.Parallel()
	const refused, admin, def = "400", "admin", "default"
	cases := map[string]string{
		"/admin/secret": admin, "/x/secret": def, "/ADMIN/SECRET": admin, "/Admin/x": admin,
		"/%41DMIN/x":                 admin,
		"/adm%C4%B1n/x":              admin, // dotless i: its upper case is I (.NET's OrdinalIgnoreCase)
		"/ADM%C4%B0N/x":              admin, // dotted capital I: its lower case is i
		"/admin./secret":             refused,
		"/admin../secret":            refused,
		"/admin%2e/secret":           refused,
		"/admin%20/secret":           refused,
		"/admin%20./secret":          refused,
		"/admin%2520/secret":         refused, // decoded twice
		"/%2561dmin/secret":          refused, // decoded twice, it is /admin/secret
		"/x/..%252Fadmin/secret":     refused,
		"/admin%00/secret":           refused,
		"/admin%09/secret":           refused,
		"/x/%0d%0aSet-Cookie:%20a=b": refused,
		"/x/a%7fb":                   refused,
		"/x/a%2500b":                 refused,
		"/x/.../secret":              refused,
		// Trailing dots that change no route are an application's business
		// (a wiki's /wiki/Washington,_D.C.).
		"/wiki/Washington,_D.C.": def, "/admin/v1.": admin, "/x/a%20b": def, "/files/100%25": def,
	}
	onEachServer(t, func(t *testing.T, srv server) {
		up := rawUpstream(t, func(r *http.Request) (string, bool) { return plainAnswer(r), false })
		_, gw := serveWith(t, srv, adminRoutes, up, ServerOptions{})
		for target, want := range cases {
			route := func(method string, lines ...string) string {
				resp, _ := rawRequest(t, gw, method, target, lines...)
				if resp.StatusCode == http.StatusBadRequest {
					return refused
				}
				if resp.Header.Get("Access-Control-Allow-Origin") == app {
					return def
				}
				if resp.Header.Get("Access-Control-Allow-Origin") == "" {
					// The admin origin must be allowed there.
					resp, _ := rawRequest(t, gw, method, target, "Origin: "+adminOrigin, "Access-Control-Request-Method: PUT")
					if resp.Header.Get("Access-Control-Allow-Origin") == adminOrigin {
						return admin
					}
				}
				return fmt.Sprintf("status %d, Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
			if got := route("GET", "Origin: "+app); got != want {
				t.Errorf("GET %s: %s; want %s", target, got, want)
			}
			if got := route("OPTIONS", "Origin: "+app, "Access-Control-Request-Method: PUT"); got != want {
				t.Errorf("preflight %s: %s; want %s", target, got, want)
			}
		}
	})
}

// Finding 4: with case_sensitive_routes, for an upstream that routes by
// case (Go's ServeMux), /ADMIN/secret is another resource than
// /admin/secret, and gets the default policy; without it, the admin
// route's.
func TestCaseSensitiveRoutes(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/secret", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "admin data") })
	up := newUpstream(t, mux.ServeHTTP)
	onEachServer(t, func(t *testing.T, srv server) {
		sensitive := adminRoutes
		sensitive.CaseSensitiveRoutes = true
		for _, tc := range []struct {
			cfg  Config
			acao string
		}{{adminRoutes, ""}, {sensitive, app}} {
			_, gw := serveWith(t, srv, tc.cfg, up.URL, ServerOptions{})
			resp, body := rawRequest(t, gw, "GET", "/ADMIN/secret", "Origin: "+app)
			if resp.StatusCode != 404 || strings.Contains(body, "admin data") {
				t.Fatalf("GET /ADMIN/secret: ServeMux answered %d %q; want 404 (the test's premise)", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.acao {
				t.Errorf("case-sensitive %v: GET /ADMIN/secret from %s: Access-Control-Allow-Origin %q; want %q", tc.cfg.CaseSensitiveRoutes, app, got, tc.acao)
			}
			resp, body = rawRequest(t, gw, "GET", "/admin/secret", "Origin: "+adminOrigin)
			if body != "admin data" || resp.Header.Get("Access-Control-Allow-Origin") != adminOrigin {
				t.Errorf("case-sensitive %v: GET /admin/secret from %s: %q, Access-Control-Allow-Origin %q", tc.cfg.CaseSensitiveRoutes, adminOrigin, body, resp.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	})
}

// Finding 4: route prefixes that differ only in case are one route when
// routes ignore case.
func TestRoutePrefixesDifferingInCase(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("http://127.0.0.1:1")
	cfg := Config{Upstream: u, Policy: credentialed, Routes: []Route{{Prefix: "/api/", Policy: credentialed}, {Prefix: "/API/", Policy: credentialed}}}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), `"/API/"`) || !strings.Contains(err.Error(), "case_sensitive_routes") {
		t.Errorf("routes /api/ and /API/: %v; want an error naming both and case_sensitive_routes", err)
	}
	cfg.CaseSensitiveRoutes = true
	if err := cfg.Validate(); err != nil {
		t.Errorf("routes /api/ and /API/ with case-sensitive routes: %v", err)
	}
	for _, prefix := range []string{"/api//", "/a/../b/", "/api;v=1/", "/x\\y/", "/a\x00/"} {
		cfg := Config{Upstream: u, Policy: credentialed, Routes: []Route{{Prefix: prefix, Policy: credentialed}}}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "can never match") {
			t.Errorf("route prefix %q: %v; want it refused as one that can never match", prefix, err)
		}
	}
}

// Finding 7b: the client-IP headers applications trust are the gateway's,
// not the client's, unless the client is a trusted proxy.
func TestClientIPHeaders(t *testing.T) {
	t.Parallel()
	spoofed := []string{"X-Real-IP", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP", "Fastly-Client-IP", "X-Cluster-Client-IP", "Forwarded"}
	onEachServer(t, func(t *testing.T, srv server) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
		send := func(gw string) *http.Request {
			var hdr []string
			for _, h := range spoofed {
				hdr = append(hdr, h, "203.0.113.9")
			}
			hdr[len(hdr)-1] = "for=203.0.113.9"
			do(t, "GET", gw+"/x", hdr...)
			return up.last.Load()
		}
		_, gw := gateway(t, srv, Config{Policy: credentialed}, up.URL)
		got := send(gw)
		if v := got.Header.Values("X-Real-IP"); len(v) != 1 || v[0] != "127.0.0.1" {
			t.Errorf("untrusted client: upstream got X-Real-IP %q; want the client's address, 127.0.0.1", v)
		}
		for _, h := range spoofed[1:] {
			if v := got.Header.Values(h); len(v) > 0 {
				t.Errorf("untrusted client: upstream got %s %q; want it dropped", h, v)
			}
		}
		_, gw = gateway(t, srv, Config{Policy: credentialed, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, up.URL)
		got = send(gw)
		for _, h := range spoofed {
			if v := got.Header.Values(h); len(v) != 1 || !strings.Contains(v[0], "203.0.113.9") {
				t.Errorf("trusted proxy: upstream got %s %q; want the proxy's value kept", h, v)
			}
		}
	})
}

// oneAtATime is a real net/http upstream that serves one connection at a
// time (as a single-threaded server does): /health answers ok, /upload
// reads its body and answers its length, as Content-Length or chunked.
func oneAtATime(t *testing.T) (string, *upstreamLog) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := &upstreamLog{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			io.WriteString(w, "ok")
			return
		}
		b, err := io.ReadAll(r.Body)
		log.add(fmt.Sprintf("%s %s length=%d te=%v read=%d err=%v", r.Method, r.URL.Path, r.ContentLength, r.TransferEncoding, len(b), err))
		fmt.Fprintf(w, "read %d", len(b))
	}), ConnState: func(c net.Conn, s http.ConnState) {
		if s == http.StateClosed || s == http.StateHijacked {
			log.add("closed")
		}
	}}
	go srv.Serve(netutil.LimitListener(ln, 1))
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), log
}

// upstreamLog is what an upstream saw, in order.
type upstreamLog struct {
	mu     sync.Mutex
	events []string
}

func (l *upstreamLog) add(e string) { l.mu.Lock(); l.events = append(l.events, e); l.mu.Unlock() }

func (l *upstreamLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.events, "; ")
}

// Finding 3: a POST whose body stalls holds no upstream connection: on an
// upstream that serves one connection at a time, GET /health is answered at
// once, as nginx (which reads a request's body before it goes upstream)
// answers it.
func TestStalledBodyHoldsNoUpstreamConnection(t *testing.T) {
	t.Parallel()
	t.Run("nginx", func(t *testing.T) {
		// The reference: nginx, in front of the same kind of upstream.
		t.Parallel()
		up, log := oneAtATime(t)
		port := servertest.FreePort(t)
		servertest.Nginx(t, port, fmt.Sprintf("server { listen 127.0.0.1:%d; location / { proxy_pass %s; } }", port, up))
		c := servertest.DialRaw(t, fmt.Sprintf("127.0.0.1:%d", port))
		io.WriteString(c.Conn, "POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n0123456789")
		start := time.Now()
		resp, body, err := freshGet(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/health", port))
		if err != nil || resp.StatusCode != 200 || body != "ok" || time.Since(start) > 2*time.Second {
			t.Errorf("nginx, a POST stalled: GET /health: %v %q after %v (the upstream saw: %s); want 200 ok at once", err, body, time.Since(start), log)
		}
	})
	onEachServer(t, func(t *testing.T, srv server) {
		for _, framing := range []string{"Content-Length: 100\r\n\r\n0123456789", "Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"} {
			up, log := oneAtATime(t)
			g, gw := serveWith(t, srv, Config{Policy: credentialed, UpstreamTimeout: 4 * time.Second}, up, ServerOptions{BodyReadTimeout: time.Minute})
			c := servertest.DialRaw(t, gw)
			io.WriteString(c.Conn, "POST /upload HTTP/1.1\r\nHost: gw\r\nOrigin: "+app+"\r\n"+framing)
			waitFor(t, "the gateway to take the POST", func() bool {
				return strings.Contains(scrape(t, g), `corskit_proxy_requests_total{outcome="actual_allowed"} 1`)
			})
			start := time.Now()
			resp, body, err := freshGet(t, "GET", "http://"+gw+"/health", "Origin", app)
			if err != nil || resp.StatusCode != 200 || body != "ok" || time.Since(start) > 2*time.Second {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Errorf("%q stalled: GET /health answered %d %q (%v) after %v; want 200 ok at once (the upstream saw: %s)",
					framing, status, body, err, time.Since(start).Round(time.Millisecond), log)
			}
		}
	})
}

// Finding 3: a body that stops coming is cut off after the timeout between
// reads (408, the connection closed), whether it would be read before the
// request goes upstream (64 KiB at most) or streamed; a streamed one's
// upstream connection is closed with it.
func TestStalledBodyIsCutOff(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	big := strings.Repeat("b", 100<<10)
	cases := []struct{ desc, head, sent string }{
		{"small, Content-Length", "Content-Length: 100", "0123456789"},
		{"small, chunked", "Transfer-Encoding: chunked", "a\r\n0123456789\r\n"},
		{"large, Content-Length", "Content-Length: 1048576", big},
		{"large, chunked", "Transfer-Encoding: chunked", fmt.Sprintf("%x\r\n%s\r\n", len(big), big)},
	}
	onEachServerAndTransport(t, func(t *testing.T, srv server, std bool) {
		for _, tc := range cases {
			up, log := oneAtATime(t)
			_, gw := serveWith(t, srv, Config{Policy: credentialed, StandardTransport: std}, up, ServerOptions{BodyReadTimeout: timeout})
			c := servertest.DialRaw(t, gw)
			start := time.Now()
			io.WriteString(c.Conn, "POST /upload HTTP/1.1\r\nHost: gw\r\nOrigin: "+app+"\r\n"+tc.head+"\r\n\r\n"+tc.sent)
			c.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(c.R, nil)
			took := time.Since(start)
			if err != nil {
				t.Errorf("%s: %v after %v; want a 408 after %v", tc.desc, err, took.Round(time.Millisecond), timeout)
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestTimeout || took < timeout || took > timeout+2*time.Second {
				t.Errorf("%s: %d %q after %v; want 408 after %v", tc.desc, resp.StatusCode, b, took.Round(time.Millisecond), timeout)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != app {
				t.Errorf("%s: the 408 has Access-Control-Allow-Origin %q; want %s", tc.desc, resp.Header.Get("Access-Control-Allow-Origin"), app)
			}
			if !c.Closed() {
				t.Errorf("%s: the connection stayed open after the 408", tc.desc)
			}
			// The upstream's connection, if the request reached it, is
			// closed: a fresh request is served at once.
			if resp, body, err := freshGet(t, "GET", "http://"+gw+"/health"); err != nil || body != "ok" {
				t.Errorf("%s: then GET /health: %v %q %v (the upstream saw: %s)", tc.desc, resp, body, err, log)
			}
			if strings.HasPrefix(tc.desc, "small") && strings.Contains(log.String(), "POST") {
				t.Errorf("%s: the upstream saw %s; want nothing (a small body is read before the request goes upstream)", tc.desc, log)
			}
		}
	})
}

// Finding 3: a trickle slower than the timeout is cut off too.
func TestTrickledBodyIsCutOff(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	onEachServer(t, func(t *testing.T, srv server) {
		for _, head := range []string{"Content-Length: 1048576", "Transfer-Encoding: chunked"} {
			up, _ := oneAtATime(t)
			_, gw := serveWith(t, srv, Config{Policy: credentialed}, up, ServerOptions{BodyReadTimeout: timeout})
			c := servertest.DialRaw(t, gw)
			io.WriteString(c.Conn, "POST /upload HTTP/1.1\r\nHost: gw\r\n"+head+"\r\n\r\n")
			start := time.Now()
			answered := make(chan error, 1)
			go func() {
				c.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				resp, err := http.ReadResponse(c.R, nil)
				if err == nil && resp.StatusCode != http.StatusRequestTimeout {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
				answered <- err
			}()
			tick := time.NewTicker(2 * timeout)
			b := "x"
			if head == "Transfer-Encoding: chunked" {
				b = "1\r\nx\r\n"
			}
			for done := false; !done; {
				io.WriteString(c.Conn, b)
				select {
				case err := <-answered:
					if err != nil {
						t.Errorf("%s trickled: %v; want a 408", head, err)
					}
					done = true
				case <-tick.C:
				}
				if !done && time.Since(start) > 20*timeout {
					t.Errorf("%s trickled at a byte every %v: still open after %v; want a 408 after %v", head, 2*timeout, time.Since(start), timeout)
					done = true
				}
			}
			tick.Stop()
		}
	})
}

// Finding 3: a body up to 64 KiB goes upstream with its Content-Length,
// however the client framed it; a larger one streams through intact.
func TestBodiesReachTheUpstream(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		up, log := oneAtATime(t)
		_, gw := serveWith(t, srv, Config{Policy: credentialed}, up, ServerOptions{})
		for _, n := range []int{1000, 64 << 10, 64<<10 + 1, 1 << 20} {
			for _, chunked := range []bool{false, true} {
				body := io.Reader(bytes.NewReader(bytes.Repeat([]byte("z"), n)))
				if chunked {
					body = io.MultiReader(body) // no length known: chunked
				}
				req, _ := http.NewRequest("POST", "http://"+gw+"/upload", body)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != fmt.Sprintf("read %d", n) {
					t.Errorf("%d bytes, chunked %v: the upstream %q", n, chunked, b)
				}
			}
		}
		got := log.String()
		for _, want := range []string{"length=1000 te=[] read=1000", "length=65536 te=[] read=65536", "read=65537 err=<nil>", "read=1048576 err=<nil>"} {
			if !strings.Contains(got, want) {
				t.Errorf("the upstream saw %s; want %q among them", got, want)
			}
		}
		if strings.Count(got, "length=1000 te=[] ") != 2 || strings.Count(got, "length=65536 te=[] ") != 2 {
			t.Errorf("the upstream saw %s; want bodies up to 64 KiB sent with their Content-Length, chunked or not", got)
		}
	})
}

// Finding 3, over HTTP/2 (TLS): a stalled body's stream gets a 408 after
// the timeout, and the connection's other streams go on.
func TestStalledBodyOverHTTP2(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	pool := x509.NewCertPool()
	cert, _ := x509.ParseCertificate(der)
	pool.AddCert(cert)

	up, log := oneAtATime(t)
	_, gw := serveWith(t, servers[1], Config{Policy: credentialed}, up, ServerOptions{TLSCert: certFile, TLSKey: keyFile, BodyReadTimeout: timeout})
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	go pw.Write([]byte("0123456789")) // then nothing
	req, _ := http.NewRequest("POST", "https://"+gw+"/upload", pr)
	req.ContentLength = 100
	req.Header.Set("Origin", app)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("stalled POST: %v after %v; want a 408 after %v", err, time.Since(start), timeout)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusRequestTimeout || time.Since(start) > timeout+2*time.Second {
		t.Errorf("stalled POST: %s %d after %v; want HTTP/2 and 408 after %v", resp.Proto, resp.StatusCode, time.Since(start), timeout)
	}
	resp, err = client.Get("https://" + gw + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("then GET /health: %v %v (the upstream saw: %s)", resp, err, log)
	}
	resp.Body.Close()
	if strings.Contains(log.String(), "POST") {
		t.Errorf("the upstream saw %s; want no POST", log)
	}
}
