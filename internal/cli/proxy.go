package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/policy"
	"github.com/corskit/corskit/proxy"
)

// proxyOptions are corskit proxy's flags; a field is applied only when its
// flag was given (flags override the environment, which overrides the file).
type proxyOptions struct {
	config, upstream, listen, admin      string
	origins, methods, headers, expose    []string
	credentials, passPreflight           bool
	preserveHost, reportOnly, stdServer  bool
	verboseErrors, stdTransport          bool
	caseSensitiveRoutes                  bool
	maxAge                               int
	trusted                              []string
	upstreamTimeout, writeTimeout        time.Duration
	bodyReadTimeout                      time.Duration
	tlsCert, tlsKey, logFormat, logLevel string
	set                                  map[string]bool
}

const proxyUsage = `Usage: corskit proxy --upstream URL [flags]

A CORS gateway in front of any HTTP backend. Flags override the environment
(CORSKIT_UPSTREAM, CORSKIT_LISTEN, CORS_*), which overrides --config's file.
SIGHUP, or a change of the file, reloads the policy; SIGTERM shuts down
gracefully.

Flags:
`

func parseProxy(args []string, stderr io.Writer) (proxyOptions, error) {
	var o proxyOptions
	fs := flag.NewFlagSet("corskit proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, proxyUsage); printFlags(stderr, fs) }
	list := func(dst *[]string) func(string) error {
		return func(s string) error { *dst = append(*dst, s); return nil }
	}
	fs.StringVar(&o.config, "config", "", "configuration file (YAML or JSON): policy keys, upstream, listen, routes...")
	fs.StringVar(&o.upstream, "upstream", "", "the backend's URL, e.g. http://127.0.0.1:5000")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "the gateway's address")
	fs.StringVar(&o.admin, "admin-listen", "127.0.0.1:9090", "address of /healthz, /readyz and /metrics; empty for none")
	o.policyFlags(fs)
	fs.BoolVar(&o.passPreflight, "pass-preflight", false, "send preflights on to the upstream instead of answering them")
	fs.BoolVar(&o.preserveHost, "preserve-host", false, "send the client's Host header to the upstream")
	fs.Func("trusted-proxy", "address or CIDR whose X-Forwarded-For, X-Real-IP, Forwarded and other client-IP headers are kept (repeatable)", list(&o.trusted))
	fs.BoolVar(&o.caseSensitiveRoutes, "case-sensitive-routes", false, "match route prefixes case by case, for an upstream that tells /ADMIN/ from /admin/; by default a route covers its prefix in any case")
	fs.BoolVar(&o.reportOnly, "report-only", false, "enforce nothing; log and count what the policy would deny")
	fs.BoolVar(&o.stdServer, "std-server", false, "serve every request with Go's net/http server (slower); by default a lean HTTP/1.1 path serves plain-HTTP requests without a body")
	fs.DurationVar(&o.upstreamTimeout, "upstream-timeout", 30*time.Second, "wait for the upstream's response headers (then 504)")
	fs.DurationVar(&o.bodyReadTimeout, "body-read-timeout", 60*time.Second, "cut off a client that sends nothing of its request body for this long (408); bodies up to 64 KiB are read before the request goes upstream")
	fs.DurationVar(&o.writeTimeout, "write-timeout", 60*time.Second, "cut off a client that reads nothing of its answer for this long")
	fs.BoolVar(&o.stdTransport, "std-transport", false, "send every request upstream with Go's net/http Transport (slower); by default a lean pool carries every request but upgrades, to http and https upstreams, and never reuses a connection with bytes past an answer")
	fs.BoolVar(&o.verboseErrors, "verbose-errors", false, "put the upstream's address and the error in the bodies of the gateway's 502 and 504 (they are always logged)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "certificate file, to serve HTTPS (with --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "private key file")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("corskit proxy: unexpected argument %q; the upstream is given with --upstream", fs.Arg(0))
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.bodyReadTimeout <= 0 {
		return o, fmt.Errorf("corskit proxy: --body-read-timeout %v: want a positive duration, e.g. 60s", o.bodyReadTimeout)
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return o, fmt.Errorf("corskit proxy: --log-format %q: use text or json", o.logFormat)
	}
	return o, nil
}

// proxySetup is a loaded configuration.
type proxySetup struct {
	cfg           proxy.Config
	listen, admin string
}

// load builds the configuration from the file, the environment and the flags.
func (o proxyOptions) load(lookup func(string) (string, bool)) (proxySetup, error) {
	s := proxySetup{listen: o.listen, admin: o.admin}
	locate := func(e error) error { return e }
	if o.config != "" {
		f, err := proxy.ReadFile(o.config)
		if err != nil {
			return s, err
		}
		s.cfg, locate = f.Config, f.Locate
		s.cfg.ReportOnly, s.cfg.PreserveHost, s.cfg.TrustedProxies = f.ReportOnly, f.PreserveHost, f.TrustedProxies
		if f.Upstream != "" {
			o.upstream = pick(o.set["upstream"], o.upstream, f.Upstream)
		}
		if f.Listen != "" && !o.set["listen"] {
			s.listen = f.Listen
		}
		if f.AdminListen != "" && !o.set["admin-listen"] {
			s.admin = f.AdminListen
		}
	}
	if v, ok := lookup("CORSKIT_UPSTREAM"); ok && !o.set["upstream"] {
		o.upstream = v
	}
	if v, ok := lookup("CORSKIT_LISTEN"); ok && !o.set["listen"] {
		s.listen = v
	}
	if err := policy.ApplyEnv(&s.cfg.Policy, lookup); err != nil {
		return s, err
	}
	o.applyPolicyFlags(&s.cfg.Policy)
	if o.set["pass-preflight"] {
		s.cfg.Policy.PreflightPassthrough = o.passPreflight
	}
	if o.set["preserve-host"] {
		s.cfg.PreserveHost = o.preserveHost
	}
	if o.set["case-sensitive-routes"] {
		s.cfg.CaseSensitiveRoutes = o.caseSensitiveRoutes
	}
	if o.set["report-only"] {
		s.cfg.ReportOnly = o.reportOnly
	}
	for _, t := range o.trusted {
		pr, err := proxy.ParsePrefix(t)
		if err != nil {
			return s, fmt.Errorf("--trusted-proxy: %w", err)
		}
		s.cfg.TrustedProxies = append(s.cfg.TrustedProxies, pr)
	}
	s.cfg.UpstreamTimeout = o.upstreamTimeout
	s.cfg.VerboseErrors = o.verboseErrors
	s.cfg.StandardTransport = o.stdTransport
	if o.upstream != "" {
		u, err := url.Parse(o.upstream)
		if err != nil {
			return s, fmt.Errorf("--upstream %q: %v; write e.g. http://127.0.0.1:5000", o.upstream, err)
		}
		s.cfg.Upstream = u
	}
	if err := s.cfg.Validate(); err != nil {
		return s, locate(err)
	}
	return s, nil
}

// policyFlags declares the policy flags that proxy and gen share; applyPolicyFlags
// applies those given.
func (o *proxyOptions) policyFlags(fs *flag.FlagSet) {
	list := func(dst *[]string) func(string) error {
		return func(s string) error { *dst = append(*dst, s); return nil }
	}
	fs.Func("allow-origin", "allowed origin (repeatable)", list(&o.origins))
	fs.Func("allow-method", "allowed method besides GET, HEAD, POST (repeatable)", list(&o.methods))
	fs.Func("allow-header", "allowed request header (repeatable)", list(&o.headers))
	fs.Func("expose-header", "response header pages may read (repeatable)", list(&o.expose))
	fs.BoolVar(&o.credentials, "allow-credentials", false, "allow cookies and HTTP auth")
	fs.IntVar(&o.maxAge, "max-age", 0, "seconds browsers may cache a preflight (1-86400)")
}

// applyPolicyFlags overrides p with the policy flags that were given.
func (o proxyOptions) applyPolicyFlags(p *cors.Config) {
	if o.set["allow-origin"] {
		p.AllowOrigins = o.origins
	}
	if o.set["allow-method"] {
		p.AllowMethods = o.methods
	}
	if o.set["allow-header"] {
		p.AllowHeaders = o.headers
	}
	if o.set["expose-header"] {
		p.ExposeHeaders = o.expose
	}
	if o.set["allow-credentials"] {
		p.AllowCredentials = o.credentials
	}
	if o.set["max-age"] {
		p.MaxAge = o.maxAge
	}
}

func pick(flagSet bool, flagValue, other string) string {
	if flagSet {
		return flagValue
	}
	return other
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func runProxy(args []string, stdout, stderr io.Writer) int {
	o, err := parseProxy(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	logger, err := newLogger(o.logFormat, o.logLevel, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "corskit proxy:", err)
		return ExitUsage
	}
	setup, err := o.load(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	setup.cfg.Logger = logger
	g, err := proxy.New(setup.cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	reload := func(why string) {
		next, err := o.load(os.LookupEnv)
		if err == nil {
			err = g.Reload(next.cfg)
		}
		if err != nil {
			logger.Error("reload failed; the old policy stays", "trigger", why, "error", err.Error())
			return
		}
		logger.Info("policy reloaded", "trigger", why)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				reload("SIGHUP")
			case <-ctx.Done():
				return
			}
		}
	}()
	if o.config != "" {
		go watchFile(ctx, o.config, time.Second, func() { reload("file changed") })
	}
	err = g.Serve(ctx, proxy.ServerOptions{
		Listen: setup.listen, AdminListen: setup.admin, TLSCert: o.tlsCert, TLSKey: o.tlsKey, StandardServer: o.stdServer, WriteTimeout: o.writeTimeout,
		BodyReadTimeout: o.bodyReadTimeout,
		Started: func(addr, admin string) {
			logger.Info("corskit proxy listening", "addr", addr, "admin", admin, "upstream", setup.cfg.Upstream.String(),
				"report_only", setup.cfg.ReportOnly, "origins", fmt.Sprint(setup.cfg.Policy.AllowOrigins))
		},
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitFail
	}
	logger.Info("corskit proxy stopped")
	return ExitOK
}

// watchFile calls changed when the file's modification time or size changes,
// polling every interval (no dependency, works on every file system).
func watchFile(ctx context.Context, path string, interval time.Duration, changed func()) {
	stamp := func() string {
		st, err := os.Stat(path)
		if err != nil {
			return "missing"
		}
		return st.ModTime().String() + "/" + strconv.FormatInt(st.Size(), 10)
	}
	last := stamp()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if now := stamp(); now != last {
				last = now
				changed()
			}
		}
	}
}
