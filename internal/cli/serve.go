package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/corskit/corskit/internal/web"
)

const serveUsage = `Usage: corskit serve [--listen 127.0.0.1:7070] [--open]

Serves the doctor as a page on this machine: paste a console line, a Copy as
cURL or a Copy as fetch, or drop a HAR, and see each engine's verdict, the
timeline, every problem and the fix for your stack. The first line printed is
the page's URL, with the token every call of the page needs.

The page makes corskit send requests to the addresses typed into it, so it
listens on loopback only, unless --allow-remote says otherwise.

Flags:
`

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corskit serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(stderr, serveUsage)
		printFlags(stderr, fs)
	}
	listen := fs.String("listen", "127.0.0.1:7070", "address to listen on (loopback unless --allow-remote)")
	open := fs.Bool("open", false, "open the page in the default browser (xdg-open, open)")
	remote := fs.Bool("allow-remote", false, "let --listen be an address other machines reach: anyone who reaches it with the token can make corskit send requests from this machine to any address, inside your network included")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit of each HTTP exchange of a check")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corskit serve: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		fmt.Fprintf(stderr, "corskit serve: --listen %q is not host:port, e.g. 127.0.0.1:7070\n", *listen)
		return ExitUsage
	}
	if ip := net.ParseIP(host); !*remote && !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "corskit serve: --listen %q is not a loopback address: other machines could make corskit send requests from here; use 127.0.0.1 or [::1], or add --allow-remote if that is what you want\n", *listen)
		return ExitUsage
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "corskit serve: listen on %s: %v; pick another with --listen\n", *listen, err)
		return ExitUsage
	}
	s, err := web.New(ln.Addr())
	if err != nil {
		fmt.Fprintln(stderr, "corskit serve:", err)
		return ExitUsage
	}
	s.Timeout = *timeout
	fmt.Fprintln(stdout, s.URL())
	fmt.Fprintln(stdout, "corskit serve: open the URL above; Ctrl-C stops it")
	if *remote {
		fmt.Fprintf(stdout, "corskit serve: --allow-remote: anyone who reaches %s with the token can make corskit send requests from this machine to any address, your internal network included; it answers to the Hosts %s\n", ln.Addr(), strings.Join(s.Hosts(), ", "))
	}
	if *open {
		openBrowser(s.URL(), stderr)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "corskit serve:", err)
		return ExitFail
	}
	return ExitOK
}

// openBrowser opens url with the system's opener, saying so when none runs.
func openBrowser(url string, stderr io.Writer) {
	for _, name := range []string{"xdg-open", "open"} {
		if path, err := exec.LookPath(name); err == nil {
			if err := exec.Command(path, url).Start(); err == nil {
				return
			}
		}
	}
	fmt.Fprintln(stderr, "corskit serve: --open: no xdg-open or open here; open the URL above by hand")
}
