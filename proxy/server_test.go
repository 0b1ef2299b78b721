package proxy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serveGateway runs g.Serve until the returned stop is called.
func serveGateway(t testing.TB, g *Gateway, o ServerOptions) (addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	served := make(chan error, 1)
	o.Listen = "127.0.0.1:0"
	o.Started = func(a, _ string) { addrc <- a }
	go func() { served <- g.Serve(ctx, o) }()
	select {
	case addr = <-addrc:
	case err := <-served:
		t.Fatalf("Serve: %v", err)
	}
	return addr, func() error { cancel(); return <-served }
}

func TestTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)

	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "over tls") })
	u, _ := url.Parse(up.URL)
	g, err := New(Config{Upstream: u, Policy: credentialed})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := serveGateway(t, g, ServerOptions{TLSCert: certFile, TLSKey: keyFile})
	defer stop()
	pool := x509.NewCertPool()
	cert, _ := x509.ParseCertificate(der)
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", "https://"+addr+"/data", nil)
	req.Header.Set("Origin", app)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "over tls" || resp.Header.Get("Access-Control-Allow-Origin") != app {
		t.Errorf("got %q %v", body, resp.Header)
	}
	if err := (&Gateway{}).Serve(context.Background(), ServerOptions{TLSCert: certFile}); err == nil {
		t.Error("a certificate without a key: got no error")
	}
}

// TestShutdownUnderLoad stops the gateway while clients keep it busy: every
// request that started before the shutdown must succeed. It has no clock in
// it: the shutdown begins once many requests have succeeded and some are held
// at the upstream, one per client, and the held ones are let go once the
// gateway has closed its listener, so they finish during the shutdown,
// whatever the machine's load.
func TestShutdownUnderLoad(t *testing.T) {
	t.Parallel()
	onEachServer(t, func(t *testing.T, srv server) {
		var holding atomic.Bool
		held := make(chan struct{}, 64)
		release := make(chan struct{})
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			if holding.Load() {
				held <- struct{}{}
				<-release
			}
			io.WriteString(w, "ok")
		})
		u, _ := url.Parse(up.URL)
		g, err := New(Config{Upstream: u, Policy: credentialed})
		if err != nil {
			t.Fatal(err)
		}
		addr, stop := serveGateway(t, g, ServerOptions{StandardServer: srv.standard})
		const clients = 16
		var stopping atomic.Bool
		var ok, failed atomic.Int64
		var wg sync.WaitGroup
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
		for range clients {
			wg.Go(func() {
				for !stopping.Load() {
					// POST: the Transport does not retry it on another
					// connection, which would hide a request cut off.
					req, _ := http.NewRequest("POST", "http://"+addr+"/data", nil)
					req.Header.Set("Origin", app)
					resp, err := client.Do(req)
					var op *net.OpError
					if err != nil && stopping.Load() && errors.As(err, &op) && op.Op == "dial" {
						// The loop checked stopping, then the listener
						// closed before the dial: this request never
						// reached the gateway, so it did not start
						// before the shutdown (seen under -race).
						continue
					}
					if err != nil {
						failed.Add(1)
						t.Errorf("a request started before the shutdown failed: %v", err)
						continue
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if string(b) != "ok" {
						failed.Add(1)
						t.Errorf("got %q", b)
					} else {
						ok.Add(1)
					}
				}
			})
		}
		defer wg.Wait()
		defer stopping.Store(true)
		waitFor(t, "50 requests through the gateway", func() bool { return ok.Load() >= 50 })
		holding.Store(true)
		// Every client's request is held at the upstream: none is between
		// requests on an idle connection, which the shutdown may close as
		// the client writes to it (a race no server can win).
		for i := range clients {
			select {
			case <-held:
			case <-time.After(30 * time.Second):
				t.Fatalf("%d of %d requests reached the upstream in 30 s", i, clients)
			}
		}
		stopping.Store(true)
		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		waitListenerClosed(t, addr)
		close(release)
		if err := <-stopped; err != nil {
			t.Errorf("shutdown: %v", err)
		}
		wg.Wait()
		if failed.Load() != 0 {
			t.Errorf("%d requests succeeded, %d failed; want none failed", ok.Load(), failed.Load())
		}
	})
}
