package proxy

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/internal/policyfile"
)

// File is a gateway's configuration file: the policy keys of package policy
// for the default policy, and upstream, listen, admin_listen, report_only,
// preserve_host, trusted_proxies, case_sensitive_routes and routes (a list
// of mappings, each a prefix and policy keys).
type File struct {
	Upstream, Listen, AdminListen string
	ReportOnly, PreserveHost      bool
	TrustedProxies                []netip.Prefix
	Config                        Config // Policy, Routes and CaseSensitiveRoutes
	// Locate names the source (file:line:column) of each value a
	// cors.ConfigError of the default policy refers to.
	Locate func(error) error
}

// FileKeys are the keys a gateway file holds besides the policy's.
func FileKeys() []string { return policyfile.GatewayKeys() }

// ReadFile reads a gateway configuration file. Every error is located.
func ReadFile(path string) (File, error) {
	doc, err := policyfile.ReadDocument(path)
	if err != nil {
		return File{}, err
	}
	f := File{Locate: func(e error) error { return e }}
	if doc.Root() == nil {
		return f, nil
	}
	cfg, extras, locate, err := doc.Policy(doc.Root(), FileKeys()...)
	if err != nil {
		return File{}, err
	}
	f.Config.Policy, f.Locate = cfg, locate
	var errs []error
	str := func(key string, dst *string) {
		if n, ok := extras[key]; ok {
			if n.Kind != yaml.ScalarNode {
				errs = append(errs, fmt.Errorf("%s: %s: want a string", doc.At(n), key))
				return
			}
			*dst = n.Value
		}
	}
	boolean := func(key string, dst *bool) {
		if n, ok := extras[key]; ok {
			b, err := strconv.ParseBool(n.Value)
			if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: got %q; want true or false", doc.At(n), key, n.Value))
				return
			}
			*dst = b
		}
	}
	str("upstream", &f.Upstream)
	str("listen", &f.Listen)
	str("admin_listen", &f.AdminListen)
	boolean("report_only", &f.ReportOnly)
	boolean("preserve_host", &f.PreserveHost)
	boolean("case_sensitive_routes", &f.Config.CaseSensitiveRoutes)
	if n, ok := extras["trusted_proxies"]; ok {
		for _, it := range n.Content {
			p, err := ParsePrefix(it.Value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: trusted_proxies: %w", doc.At(it), err))
				continue
			}
			f.TrustedProxies = append(f.TrustedProxies, p)
		}
	}
	if n, ok := extras["routes"]; ok {
		if n.Kind != yaml.SequenceNode {
			errs = append(errs, fmt.Errorf("%s: routes: want a list of {prefix: /api/, allow_origins: [...], ...}", doc.At(n)))
		}
		for _, rn := range n.Content {
			rcfg, rextras, rlocate, err := doc.Policy(rn, "prefix")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			pn, ok := rextras["prefix"]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: a route needs a prefix, e.g. prefix: /api/", doc.At(rn)))
				continue
			}
			if err := rcfg.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("route %q: %w", pn.Value, rlocate(err)))
				continue
			}
			f.Config.Routes = append(f.Config.Routes, Route{Prefix: pn.Value, Policy: rcfg})
		}
	}
	return f, errors.Join(errs...)
}

// ParsePrefix reads a trusted proxy: a CIDR prefix or a single address.
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or a CIDR prefix, e.g. \"10.0.0.0/8\" or \"127.0.0.1\"", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
