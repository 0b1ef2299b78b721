// Command mixed measures issue 20's finding 1: how many answers a gateway
// hands to another client than the one that asked, in front of an upstream
// that writes bytes past some answers' framing. bench/mixed.sh runs it
// against corskit proxy (default and --std-transport) and nginx.
//
//	mixed upstream -listen 127.0.0.1:20100 [-https -cert-out cert.pem]
//	mixed load -url http://127.0.0.1:20110 -method POST -duration 15s -label corskit
//
// The upstream answers /victim/C/N with a body and a session cookie that
// name the request, and /attack/KIND/C/N with bytes past the answer: a
// whole second response with its own cookie (KIND smuggle), a body on a
// 204 (204) or a Content-Length too small (short). The load sends requests
// from victims and attackers, each client on kept-alive connections of its
// own, and counts every answer that is not the asker's: a victim's with
// another body or cookie, an attacker's with a victim's.
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: mixed upstream|load [flags]")
	}
	switch os.Args[1] {
	case "upstream":
		upstream(os.Args[2:])
	case "load":
		load(os.Args[2:])
	default:
		fail("mixed: %q: give upstream or load", os.Args[1])
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(2)
}

// loopback refuses an address off loopback.
func loopback(host string) {
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fail("mixed: %q: loopback addresses only (127.0.0.0/8, ::1)", host)
	}
}

func upstream(args []string) {
	fs := flag.NewFlagSet("upstream", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:20100", "address (loopback)")
	https := fs.Bool("https", false, "serve over TLS, with a certificate made now for 127.0.0.1")
	certOut := fs.String("cert-out", "", "with -https, write the certificate (PEM) there, for the gateways to trust")
	fs.Parse(args)
	host, _, _ := net.SplitHostPort(*listen)
	loopback(host)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	if *https {
		cert, pemBytes := selfSigned()
		if *certOut != "" {
			if err := os.WriteFile(*certOut, pemBytes, 0o644); err != nil {
				log.Fatal(err)
			}
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c)
	}
}

// selfSigned makes a certificate for 127.0.0.1.
func selfSigned() (tls.Certificate, []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// serve answers the requests on c in turn, as a kept-alive HTTP/1.1 server
// does, each once its body is read.
func serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		c.SetDeadline(time.Now().Add(2 * time.Minute))
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		if r.Header.Get("Expect") == "100-continue" {
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		}
		io.Copy(io.Discard, r.Body)
		if _, err := io.WriteString(c, answer(r.URL.Path)); err != nil {
			return
		}
	}
}

func answer(path string) string {
	const smuggled = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nSet-Cookie: session=smuggled\r\n\r\n[smuggled]"
	body := "[for " + path + "]"
	rest, attack := strings.CutPrefix(path, "/attack/")
	if !attack {
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nSet-Cookie: session=%s\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
	}
	switch kind, _, _ := strings.Cut(rest, "/"); kind {
	case "204":
		return "HTTP/1.1 204 No Content\r\n\r\n" + smuggled
	case "short":
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s%s", len(body)-1, body, smuggled)
	}
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s%s", len(body), body, smuggled)
}

func load(args []string) {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	target := fs.String("url", "", "the gateway's base URL, e.g. http://127.0.0.1:20110 (loopback)")
	method := fs.String("method", "POST", "the request method; a body goes with all but GET and HEAD")
	victims := fs.Int("victims", 12, "victim clients")
	attackers := fs.Int("attackers", 4, "attacker clients")
	duration := fs.Duration("duration", 15*time.Second, "how long to send")
	label := fs.String("label", "", "the first column of the result row")
	fs.Parse(args)
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "http" {
		fail("-url %q: give the gateway's http URL", *target)
	}
	loopback(u.Hostname())
	var sent, victimSent, mixed, errs atomic.Int64
	var firstOnce sync.Once
	first := ""
	end := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := range *victims + *attackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			attacker := c >= *victims
			for n := 0; time.Now().Before(end); n++ {
				path := fmt.Sprintf("/victim/%d/%d", c, n)
				if attacker {
					path = fmt.Sprintf("/attack/%s/%d/%d", []string{"smuggle", "204", "short"}[n%3], c, n)
				} else {
					victimSent.Add(1)
				}
				sent.Add(1)
				var body io.Reader
				if *method != "GET" && *method != "HEAD" {
					body = strings.NewReader("payload of " + path)
				}
				req, _ := http.NewRequest(*method, *target+path, body)
				req.Header.Set("Origin", "https://app.example.com")
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				resp, err := tr.RoundTrip(req.WithContext(ctx))
				var got []byte
				if err == nil {
					got, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				cancel()
				switch {
				case err != nil || resp.StatusCode >= 500:
					if !attacker {
						errs.Add(1)
					}
				case attacker && (strings.Contains(string(got), "[for /victim/") || strings.Contains(resp.Header.Get("Set-Cookie"), "/victim/")),
					!attacker && (string(got) != "[for "+path+"]" || resp.Header.Get("Set-Cookie") != "session="+path):
					mixed.Add(1)
					firstOnce.Do(func() {
						first = fmt.Sprintf("%s %s got %.60q, Set-Cookie %q", *method, path, got, resp.Header.Values("Set-Cookie"))
					})
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("| %s | %s | %d | %d | %d | %d | %s |\n", *label, *method, sent.Load(), victimSent.Load(), mixed.Load(), errs.Load(), first)
}
