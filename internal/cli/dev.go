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
	"strconv"
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
	f, code, ok := parseDevFlags(args, stderr)
	if !ok {
		return code
	}
	cfg, notes, err := f.devConfig(stdout)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	p, err := devproxy.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		fmt.Fprintf(stderr, "corskit dev: listen on %s: %v; pick another with --listen\n", f.listen, err)
		return ExitFail
	}
	for _, w := range devWarnings(f.listen, ln.Addr(), cfg.AllowedHosts) {
		fmt.Fprintln(stderr, w)
	}
	printDevBanner(stdout, ln.Addr(), p, cfg.AllowedHosts, notes)
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

// devFlags are corskit dev's flags as given.
type devFlags struct {
	listen, frontend, static, config, from string
	keepHost, noCookies                    bool
	apis, rewrites, changeOrigin, allowed  []string
	set                                    map[string]bool // the flags given
}

// parseDevFlags reads corskit dev's flags; ok is false when the command ends
// with code (help, or a usage error already printed).
func parseDevFlags(args []string, stderr io.Writer) (f devFlags, code int, ok bool) {
	fs := flag.NewFlagSet("corskit dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, devUsage); printFlags(stderr, fs) }
	fs.StringVar(&f.listen, "listen", "127.0.0.1:3000", "the address the browser opens")
	fs.StringVar(&f.frontend, "frontend", "", "the frontend dev server, e.g. http://localhost:5173")
	fs.StringVar(&f.static, "static", "", "serve this folder instead of a dev server (single-page-app fallback)")
	fs.StringVar(&f.config, "config", "", "configuration file (YAML), the flags' equivalent")
	fs.StringVar(&f.from, "from", "", "translate a Vite config's server.proxy (vite.config.js) or CRA's package.json proxy")
	fs.BoolVar(&f.keepHost, "keep-host", false, "send the browser's Host to targets instead of their own")
	fs.BoolVar(&f.noCookies, "no-cookie-rewrite", false, "leave Set-Cookie as the targets send it")
	list := func(dst *[]string) func(string) error {
		return func(s string) error { *dst = append(*dst, s); return nil }
	}
	fs.Func("api", "route PREFIX=URL, e.g. /api=http://localhost:5000 (repeatable)", list(&f.apis))
	fs.Func("rewrite", "path rewrite FROM=TO for a route, e.g. /api/=/ (repeatable)", list(&f.rewrites))
	fs.Func("change-origin", "rewrite Origin to the target's for the route PREFIX (repeatable)", list(&f.changeOrigin))
	fs.Func("allowed-host", "answer the host `NAME` too, or .NAME for it and its subdomains (repeatable); localhost, *.localhost and IP addresses always are; '*' answers any host, which lets any website read your dev server by DNS rebinding", list(&f.allowed))
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, ExitOK, false
		}
		return f, ExitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corskit dev: unexpected argument %q\n", fs.Arg(0))
		return f, ExitUsage, false
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, ExitOK, true
}

// devConfig builds the dev proxy's configuration: the file's (--config) first,
// then what --from translates, then the flags. notes are the parts of a
// --from file left untranslated.
func (f *devFlags) devConfig(log io.Writer) (cfg devproxy.Config, notes []string, err error) {
	cfg = devproxy.Config{Cookies: devproxy.DefaultCookies, Log: log}
	if f.config != "" {
		file, err := devproxy.ReadFile(f.config)
		if err != nil {
			return cfg, nil, err
		}
		l, err := file.Apply(&cfg)
		if err != nil {
			return cfg, nil, err
		}
		if l != "" && !f.set["listen"] {
			f.listen = l
		}
	}
	if f.from != "" {
		data, err := os.ReadFile(f.from)
		if err == nil {
			var tr devproxy.Translation
			tr, err = devproxy.FromFile(f.from, data)
			cfg.Routes = append(cfg.Routes, tr.Routes...)
			notes = append(notes, tr.Untranslated...)
		}
		if err != nil {
			return cfg, nil, fmt.Errorf("corskit dev: --from %s: %v", f.from, err)
		}
	}
	if f.frontend != "" {
		u, err := url.Parse(f.frontend)
		if err != nil || u.Host == "" {
			return cfg, nil, fmt.Errorf("corskit dev: --frontend %q is not a URL, e.g. http://localhost:5173", f.frontend)
		}
		cfg.Frontend = u
	}
	if f.static != "" {
		cfg.Static = f.static
	}
	if err := f.routes(&cfg); err != nil {
		return cfg, nil, err
	}
	cfg.KeepHost = cfg.KeepHost || f.keepHost
	cfg.AllowedHosts = append(cfg.AllowedHosts, f.allowed...)
	if host, _, err := net.SplitHostPort(strings.ToLower(f.listen)); err == nil && host != "" && net.ParseIP(host) == nil && host != "localhost" && !strings.HasSuffix(host, ".localhost") {
		// The name given to --listen is one the user opens.
		cfg.AllowedHosts = append(cfg.AllowedHosts, host)
	}
	if f.noCookies {
		cfg.Cookies = devproxy.CookieRewrite{}
	}
	return cfg, notes, nil
}

// routes adds the --api routes to cfg and applies --rewrite and
// --change-origin to the routes they name, refusing a name that matches none.
func (f *devFlags) routes(cfg *devproxy.Config) error {
	for _, a := range f.apis {
		prefix, target, ok := strings.Cut(a, "=")
		u, err := url.Parse(target)
		if !ok || err != nil || u.Host == "" {
			return fmt.Errorf("corskit dev: --api %q is not PREFIX=URL, e.g. /api=http://localhost:5000", a)
		}
		cfg.Routes = append(cfg.Routes, devproxy.Route{Prefix: prefix, Target: u})
	}
	samePrefix := func(a, b string) bool { return strings.TrimRight(a, "/") == strings.TrimRight(b, "/") }
	for _, rw := range f.rewrites {
		from, to, ok := strings.Cut(rw, "=")
		found := false
		for i := range cfg.Routes {
			if r := &cfg.Routes[i]; ok && samePrefix(r.Prefix, from) {
				to := to
				r.Rewrite, found = &to, true
			}
		}
		if !found {
			return fmt.Errorf("corskit dev: --rewrite %q names no route; write FROM=TO with FROM a route's prefix, e.g. /api/=/", rw)
		}
	}
	for _, co := range f.changeOrigin {
		found := false
		for i := range cfg.Routes {
			if samePrefix(cfg.Routes[i].Prefix, co) {
				cfg.Routes[i].ChangeOrigin, found = true, true
			}
		}
		if !found {
			return fmt.Errorf("corskit dev: --change-origin %q names no route; give a route's prefix, e.g. --api /api=http://localhost:5000 --change-origin /api", co)
		}
	}
	return nil
}

// printDevBanner tells where to open corskit dev, where each route goes, the
// hosts it answers and what a --from file left untranslated.
func printDevBanner(w io.Writer, addr net.Addr, p *devproxy.Proxy, allowed []string, notes []string) {
	fmt.Fprintf(w, "corskit dev: open http://%s\n", openable(addr))
	for _, r := range p.Resolve(context.Background()) {
		fmt.Fprintf(w, "  target %s\n", r)
	}
	fmt.Fprintf(w, "  allowed hosts: %s (add one with --allowed-host NAME)\n", strings.Join(append([]string{"localhost", "*.localhost", "IP addresses"}, allowed...), ", "))
	for _, n := range notes {
		fmt.Fprintf(w, "  not translated: %s\n", n)
	}
}

// openable is an address a browser on this machine can open for a listener:
// a wildcard listener ([::] or 0.0.0.0) is opened as localhost.
func openable(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("localhost", strconv.Itoa(ta.Port))
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
