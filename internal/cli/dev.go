package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/corskit/corskit/devproxy"
)

const devUsage = `Usage: corskit dev --frontend URL | --static DIR [--api PREFIX=URL]... [flags]

One local origin for a frontend dev server and its APIs: the page's requests
are same-origin, so CORS never comes up. It answers only its own names
(localhost, *.localhost, IP addresses, those given with --allowed-host), so
that no website can reach your dev server through it by DNS rebinding.

  corskit dev --frontend http://localhost:5173 --api /api=http://localhost:5000

Flags:
`

func runDev(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corskit dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, devUsage); printFlags(stderr, fs) }
	listen := fs.String("listen", "127.0.0.1:3000", "the address the browser opens")
	frontend := fs.String("frontend", "", "the frontend dev server, e.g. http://localhost:5173")
	static := fs.String("static", "", "serve this folder instead of a dev server (single-page-app fallback)")
	config := fs.String("config", "", "configuration file (YAML), the flags' equivalent")
	from := fs.String("from", "", "translate a Vite config's server.proxy (vite.config.js) or CRA's package.json proxy")
	keepHost := fs.Bool("keep-host", false, "send the browser's Host to targets instead of their own")
	noCookies := fs.Bool("no-cookie-rewrite", false, "leave Set-Cookie as the targets send it")
	var apis, rewrites, changeOrigin, allowedHosts []string
	list := func(dst *[]string) func(string) error {
		return func(s string) error { *dst = append(*dst, s); return nil }
	}
	fs.Func("api", "route PREFIX=URL, e.g. /api=http://localhost:5000 (repeatable)", list(&apis))
	fs.Func("rewrite", "path rewrite FROM=TO for a route, e.g. /api/=/ (repeatable)", list(&rewrites))
	fs.Func("change-origin", "rewrite Origin to the target's for the route PREFIX (repeatable)", list(&changeOrigin))
	fs.Func("allowed-host", "answer the host `NAME` too, or .NAME for it and its subdomains (repeatable); localhost, *.localhost and IP addresses always are; '*' answers any host, which lets any website read your dev server by DNS rebinding", list(&allowedHosts))
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corskit dev: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg := devproxy.Config{Cookies: devproxy.DefaultCookies, Log: stdout}
	var notes []string
	if *config != "" {
		f, err := devproxy.ReadFile(*config)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
		l, err := f.Apply(&cfg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
		if l != "" && !set["listen"] {
			*listen = l
		}
	}
	if *from != "" {
		data, err := os.ReadFile(*from)
		if err == nil {
			var tr devproxy.Translation
			tr, err = devproxy.FromFile(*from, data)
			cfg.Routes = append(cfg.Routes, tr.Routes...)
			notes = append(notes, tr.Untranslated...)
		}
		if err != nil {
			fmt.Fprintf(stderr, "corskit dev: --from %s: %v\n", *from, err)
			return ExitUsage
		}
	}
	if *frontend != "" {
		u, err := url.Parse(*frontend)
		if err != nil || u.Host == "" {
			fmt.Fprintf(stderr, "corskit dev: --frontend %q is not a URL, e.g. http://localhost:5173\n", *frontend)
			return ExitUsage
		}
		cfg.Frontend = u
	}
	if *static != "" {
		cfg.Static = *static
	}
	for _, a := range apis {
		prefix, target, ok := strings.Cut(a, "=")
		u, err := url.Parse(target)
		if !ok || err != nil || u.Host == "" {
			fmt.Fprintf(stderr, "corskit dev: --api %q is not PREFIX=URL, e.g. /api=http://localhost:5000\n", a)
			return ExitUsage
		}
		cfg.Routes = append(cfg.Routes, devproxy.Route{Prefix: prefix, Target: u})
	}
	for _, rw := range rewrites {
		fromP, to, ok := strings.Cut(rw, "=")
		found := false
		for i := range cfg.Routes {
			if r := &cfg.Routes[i]; ok && strings.TrimRight(r.Prefix, "/") == strings.TrimRight(fromP, "/") {
				to := to
				r.Rewrite, found = &to, true
			}
		}
		if !found {
			fmt.Fprintf(stderr, "corskit dev: --rewrite %q names no route; write FROM=TO with FROM a route's prefix, e.g. /api/=/\n", rw)
			return ExitUsage
		}
	}
	for _, co := range changeOrigin {
		for i := range cfg.Routes {
			if strings.TrimRight(cfg.Routes[i].Prefix, "/") == strings.TrimRight(co, "/") {
				cfg.Routes[i].ChangeOrigin = true
			}
		}
	}
	cfg.KeepHost = cfg.KeepHost || *keepHost
	cfg.AllowedHosts = append(cfg.AllowedHosts, allowedHosts...)
	if host, _, err := net.SplitHostPort(strings.ToLower(*listen)); err == nil && host != "" && net.ParseIP(host) == nil && host != "localhost" && !strings.HasSuffix(host, ".localhost") {
		// The name given to --listen is one the user opens.
		cfg.AllowedHosts = append(cfg.AllowedHosts, host)
	}
	if *noCookies {
		cfg.Cookies = devproxy.CookieRewrite{}
	}
	p, err := devproxy.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "corskit dev: listen on %s: %v; pick another with --listen\n", *listen, err)
		return ExitFail
	}
	for _, w := range devWarnings(*listen, ln.Addr(), cfg.AllowedHosts) {
		fmt.Fprintln(stderr, w)
	}
	fmt.Fprintf(stdout, "corskit dev: open http://%s\n", ln.Addr())
	for _, r := range p.Resolve(context.Background()) {
		fmt.Fprintf(stdout, "  target %s\n", r)
	}
	fmt.Fprintf(stdout, "  allowed hosts: %s (add one with --allowed-host NAME)\n", strings.Join(append([]string{"localhost", "*.localhost", "IP addresses"}, cfg.AllowedHosts...), ", "))
	for _, n := range notes {
		fmt.Fprintf(stdout, "  not translated: %s\n", n)
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, err)
		return ExitFail
	}
	return ExitOK
}

// devWarnings are the start's warnings about what reaches beyond this
// machine's own pages: a listener beyond loopback, and the host check off.
func devWarnings(listen string, addr net.Addr, allowed []string) []string {
	var out []string
	if ta, ok := addr.(*net.TCPAddr); ok && !ta.IP.IsLoopback() {
		_, port, _ := net.SplitHostPort(addr.String())
		out = append(out, fmt.Sprintf("corskit dev: WARNING: listening on %s, beyond loopback: anyone on your network can reach your dev server (your source, and the files it serves) and your APIs through corskit dev. Unless you mean to, listen on this machine only: --listen 127.0.0.1:%s. Other devices can open it by IP address; a name they use needs --allowed-host NAME.", listen, port))
	}
	if slices.Contains(allowed, devproxy.AnyHost) {
		out = append(out, "corskit dev: WARNING: allowed host '*' (--allowed-host or allowed_hosts): corskit dev answers any host and accepts WebSockets from any page, so any website you visit can read your dev server and APIs through it by DNS rebinding. Name the hosts you use instead: --allowed-host NAME (or .NAME for its subdomains).")
	}
	return out
}
