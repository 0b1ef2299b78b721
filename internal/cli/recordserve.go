package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/corskit/corskit/internal/web"
)

// recordServe serves the doctor's page on a loopback address for
// corskit record --serve: the page shows the session as it happens.
// stop ends the server.
func recordServe(listen string, stdout, stderr io.Writer) (s *web.Server, stop func(), ok bool) {
	host, _, err := net.SplitHostPort(listen)
	if ip := net.ParseIP(host); err != nil || (!strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback())) {
		fmt.Fprintf(stderr, "corskit record: --listen %q is not a loopback host:port, e.g. 127.0.0.1:7070: the page can make corskit send requests, so it stays on this machine\n", listen)
		return nil, nil, false
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(stderr, "corskit record: --serve: listen on %s: %v; pick another with --listen\n", listen, err)
		return nil, nil, false
	}
	s, err = web.New(ln.Addr())
	if err != nil {
		ln.Close()
		fmt.Fprintln(stderr, "corskit record: --serve:", err)
		return nil, nil, false
	}
	s.Recording()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(stdout, "the session, as it happens: %s\n", s.URL())
	return s, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, true
}
