package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/policy"
	"github.com/corskit/corskit/proxy"
)

const genUsage = `Usage: corskit gen TARGET [--config cors.yaml | policy flags] [-o FILE]

Writes the CORS configuration of TARGET from one policy. Targets: %s.
Proxies (nginx, caddy, apache, envoy, traefik) take --upstream and --listen.
Storage services (s3, azure-blob, gcs) have several forms: --format.
Where a target cannot express part of the policy, gen refuses and says why,
unless --best-effort is given.

Flags:
`

func runGen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corskit gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, genUsage, strings.Join(gen.Names(), ", ")); printFlags(stderr, fs) }
	var o proxyOptions
	fs.StringVar(&o.config, "config", "", "policy file (YAML or JSON); a corskit proxy file works too")
	fs.StringVar(&o.upstream, "upstream", "", "the backend a proxy target forwards to")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "a proxy target's address")
	o.policyFlags(fs)
	out := fs.String("o", "", "write to this file instead of standard output")
	format := fs.String("format", "", "the target's form where it has several: s3 sh|json|xml, azure-blob xml|sh, gcs sh|json (default: the first; -o FILE.json, .xml or .sh chooses too)")
	bestEffort := fs.Bool("best-effort", false, "write the closest safe subset when the target cannot express the whole policy")
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		return ExitUsage
	}
	if len(positional) != 1 {
		fmt.Fprintf(stderr, "corskit gen: give one target: %s\n", strings.Join(gen.Names(), ", "))
		return ExitUsage
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })

	// The policy: the file, then CORS_* variables, then the flags.
	var cfgUpstream string
	opts := gen.Options{Version: Version(), Listen: o.listen, BestEffort: *bestEffort, Source: "command-line flags"}
	if o.config != "" {
		f, err := proxy.ReadFile(o.config)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
		opts.Policy, cfgUpstream, opts.Source = f.Config.Policy, f.Upstream, o.config
		if f.Listen != "" && !o.set["listen"] {
			opts.Listen = f.Listen
		}
		if len(f.Config.Routes) > 0 {
			fmt.Fprintf(stderr, "corskit gen: %s has routes; gen writes one policy (the top-level one) and ignores them\n", o.config)
		}
	}
	if err := policy.ApplyEnv(&opts.Policy, os.LookupEnv); err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	o.applyPolicyFlags(&opts.Policy)
	opts.Upstream = pick(o.set["upstream"], o.upstream, cfgUpstream)
	opts.Format = *format
	if t, ok := gen.Lookup(positional[0]); ok && opts.Format == "" && *out != "" {
		if ext := strings.TrimPrefix(filepath.Ext(*out), "."); slices.Contains(t.Formats, ext) {
			opts.Format = ext
		}
	}
	text, omitted, err := gen.Generate(positional[0], opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	for _, om := range omitted {
		fmt.Fprintf(stderr, "corskit gen: left out (--best-effort): %s\n", om)
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
			fmt.Fprintf(stderr, "corskit gen: -o: %v\n", err)
			return ExitUsage
		}
		return ExitOK
	}
	io.WriteString(stdout, text)
	return ExitOK
}
