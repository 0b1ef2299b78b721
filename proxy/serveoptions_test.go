package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestServeRefusesBadOptions covers Serve's checks before it listens: each
// bad option is named in the error, and Serve returns at once.
func TestServeRefusesBadOptions(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	u, _ := url.Parse(up.URL)
	g, err := New(Config{Upstream: u, Policy: credentialed})
	if err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, c := range []struct {
		name string
		o    ServerOptions
		want string
	}{
		{"negative timeout", ServerOptions{WriteTimeout: -time.Second}, "WriteTimeout -1s"},
		{"cert without key", ServerOptions{TLSCert: "cert.pem"}, "TLSCert and ServerOptions.TLSKey must be set together"},
		{"admin address taken", ServerOptions{AdminListen: busy.Addr().String()}, "admin listen on " + busy.Addr().String()},
	} {
		o := c.o
		if o.Listen == "" {
			o.Listen = "127.0.0.1:0"
		}
		o.Started = func(string, string) { t.Errorf("%s: Serve started", c.name) }
		err := g.Serve(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Serve = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestServeAdminListener checks that AdminListen serves the admin handler
// at the address Started reports, and stops with the gateway.
func TestServeAdminListener(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	u, _ := url.Parse(up.URL)
	g, err := New(Config{Upstream: u, Policy: credentialed})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	admin := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- g.Serve(ctx, ServerOptions{Listen: "127.0.0.1:0", AdminListen: "127.0.0.1:0",
			Started: func(_, a string) { admin <- a }})
	}()
	var addr string
	select {
	case addr = <-admin:
	case err := <-served:
		t.Fatalf("Serve: %v", err)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("GET /healthz on the admin address = %d %q, want 200 \"ok\\n\"", resp.StatusCode, body)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after cancel = %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Errorf("the admin address %s still accepts after shutdown", addr)
	}
}
