package gen

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/cors/unstable/origin"
)

// Options are the inputs of a generation.
type Options struct {
	// Policy is the CORS policy; Generate validates it with its Validate method.
	Policy cors.Config
	// Upstream is the backend a proxy target forwards to, e.g.
	// http://127.0.0.1:5000. Required for proxy targets.
	Upstream string
	// Listen is a proxy target's address; default 127.0.0.1:8080.
	Listen string
	// BestEffort writes the closest safe subset instead of refusing.
	BestEffort bool
	// Version and Source name corskit's version and the policy's source in
	// the output's header comment.
	Version, Source string
	// Format chooses among a target's forms, e.g. "json" or "xml" for s3;
	// "" is the target's first (see Target.Formats).
	Format string
}

// Omission is a part of the policy a target cannot express.
type Omission struct {
	Part string `json:"part"`
	Why  string `json:"why"`
}

func (o Omission) String() string { return o.Part + ": " + o.Why }

// Target is one kind of output.
type Target struct {
	Name string
	// Proxy is true for servers that sit in front of an upstream.
	Proxy bool
	// plainUpstream is true for a proxy that cannot reach its upstream
	// over TLS: an https upstream is refused, never written as a line
	// that fails.
	plainUpstream bool
	// Supports says what the target expresses, for the table in docs/gen.md.
	Supports string
	write    func(p *plan, o Options, omitted []Omission) string
	// limits lists what the target cannot express for a plan.
	limits func(p *plan) []Omission
	// check, if set, reports an output its language would refuse: a
	// generation that fails it is an error, never an output.
	check func(out string, format string) error
	// Formats are the forms the target writes, the default first; nil for
	// one form.
	Formats []string
	// whole, for a form that holds no comment (JSON) and so no BEGIN/END
	// marks, says where the whole output goes: Parts returns it as one
	// piece.
	whole string
}

// Lookup returns the target named name.
func Lookup(name string) (Target, bool) {
	return first(targets, func(t Target) bool { return t.Name == name })
}

// first returns the first of xs that match reports, and whether there is one.
func first[T any](xs []T, match func(T) bool) (T, bool) {
	i := slices.IndexFunc(xs, match)
	if i < 0 {
		var none T
		return none, false
	}
	return xs[i], true
}

// Names returns the target names.
func Names() []string {
	var out []string
	for _, t := range targets {
		out = append(out, t.Name)
	}
	return out
}

// plan is the policy in the terms targets need.
type plan struct {
	any         bool             // AllowOrigins has *
	origins     []origin.Pattern // every entry but *, as parsed
	exact       []string         // exact origins (and null)
	patterns    []string         // anchored regular expressions for the patterns
	methods     []string         // explicit, non-safelisted or listed methods
	headers     []string
	expose      []string
	credentials bool
	maxAge      string // "" for none
	status      int
	// What cannot be written as plain lists.
	anyMethod, anyHeader, privateNetwork, passthrough, regexpOrigins bool
	// unwritable are the origin patterns no target but Go writes: they hold
	// characters outside printable ASCII, which no origin holds.
	unwritable []Omission
}

// authListed reports whether Authorization is listed by name, which lets
// allow_headers: * cover it.
func (p *plan) authListed() bool {
	return slices.ContainsFunc(p.headers, func(h string) bool { return strings.EqualFold(h, "authorization") })
}

// asksForAuthorization matches an Access-Control-Request-Headers value that
// names Authorization; the targets write it in their regular-expression
// dialects, all of which read it alike.
const asksForAuthorization = `(^|,)\s*authorization\s*(,|$)`

// anyHeaderComment explains allow_headers: * in generated output.
const anyHeaderComment = "allow_headers: * means every header the preflight asks for, except Authorization unless listed by name (the Fetch standard's rule; Chromium, Firefox and Safari let * cover it, so * is never sent)"

// originRegexp returns one anchored expression matching every allowed origin.
func (p *plan) originRegexp() string {
	var alts []string
	for _, e := range p.exact {
		alts = append(alts, regexp.QuoteMeta(e))
	}
	for _, r := range p.patterns {
		alts = append(alts, strings.TrimSuffix(strings.TrimPrefix(r, "^"), "$"))
	}
	return "^(" + strings.Join(alts, "|") + ")$"
}

// originList is the allowed origins but * as a language's list items:
// each exact origin written by str, each pattern (anchored RE2) by re.
func (p *plan) originList(str, re func(string) string) []string {
	var items []string
	for _, e := range p.exact {
		items = append(items, str(e))
	}
	for _, r := range p.patterns {
		items = append(items, re(r))
	}
	return items
}

func newPlan(c cors.Config) (*plan, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	p := &plan{credentials: c.AllowCredentials, status: c.PreflightStatus, privateNetwork: c.AllowPrivateNetwork, passthrough: c.PreflightPassthrough}
	if p.status == 0 {
		p.status = 204
	}
	for _, o := range c.AllowOrigins {
		pat, _ := origin.Parse(o)
		if pat.Kind != origin.Any {
			p.origins = append(p.origins, pat)
		}
		switch pat.Kind {
		case origin.Any:
			p.any = true
		case origin.Null:
			p.exact = append(p.exact, "null")
		case origin.Exact:
			if pat.Port == "*" {
				p.patterns = append(p.patterns, "^"+regexp.QuoteMeta(pat.Scheme+"://"+pat.Host)+":[0-9]{1,5}$")
			} else {
				p.exact = append(p.exact, o)
			}
		case origin.Subdomains:
			port := ""
			switch pat.Port {
			case "*":
				port = ":[0-9]{1,5}"
			case "":
			default:
				port = regexp.QuoteMeta(":" + pat.Port)
			}
			p.patterns = append(p.patterns, "^"+regexp.QuoteMeta(pat.Scheme+"://")+"([a-z0-9_-]+\\.)+"+regexp.QuoteMeta(pat.Host)+port+"$")
		case origin.Regexp:
			if strings.IndexFunc(o, func(r rune) bool { return r < 0x20 || r >= 0x7f }) >= 0 {
				p.unwritable = append(p.unwritable, Omission{"origin " + strconv.QuoteToASCII(o), "it holds control or non-ASCII characters, which no origin holds (browsers send hosts in punycode); write them as escapes (\\x{...}) or leave them out"})
				continue
			}
			p.regexpOrigins = true
			p.patterns = append(p.patterns, "^(?:"+strings.TrimPrefix(o, "re:")+")$")
		}
	}
	for _, m := range c.AllowMethods {
		if m == "*" {
			p.anyMethod = true
			continue
		}
		if m = headers.NormalizeMethod(m); !slices.Contains(p.methods, m) {
			p.methods = append(p.methods, m)
		}
	}
	for _, h := range c.AllowHeaders {
		if h == "*" {
			p.anyHeader = true
			continue
		}
		p.headers = append(p.headers, h)
	}
	p.expose = slices.Clone(c.ExposeHeaders)
	switch {
	case c.MaxAge > 0:
		p.maxAge = fmt.Sprint(c.MaxAge)
	case c.MaxAge == -1:
		p.maxAge = "0"
	}
	return p, nil
}

// nonPortable finds RE2 syntax that PCRE, JavaScript or Python read
// differently or not at all.
var nonPortable = regexp.MustCompile(`\(\?[^:]|\\[pPAzQE]|\[\[:`)

// commonLimits are the parts no target but corskit's own expresses exactly.
func commonLimits(p *plan) []Omission {
	out := anyHeaderLimits(p)
	if p.anyHeader {
		out = append(out, Omission{"allow_headers: *", "corskit allows every header but Authorization, which must be listed by name (Chromium, Firefox and Safari let * cover Authorization, the Fetch standard does not); this target cannot answer * for some requests and not for others, so list the headers"})
	}
	return out
}

// exactOriginsOnly lists what a target that takes exact origins (or *)
// leaves out: each origin pattern, with why, and the whole origin list
// when nothing is left, with none.
func exactOriginsOnly(p *plan, why, none string) []Omission {
	var out []Omission
	for _, r := range p.patterns {
		out = append(out, Omission{"origin pattern " + r, why})
	}
	if !p.any && len(p.exact) == 0 {
		out = append(out, Omission{noOriginLeft, none})
	}
	return out
}

// anyHeaderLimits are the parts the targets that can look at
// Access-Control-Request-Headers (nginx, Caddy, Express, Flask, PHP) do not
// express.
func anyHeaderLimits(p *plan) []Omission {
	var out []Omission
	if p.anyMethod {
		out = append(out, Omission{"allow_methods: *", "corskit echoes the requested method; this target would need per-request logic it does not have, so only the listed methods are written"})
	}
	if p.privateNetwork {
		out = append(out, Omission{"allow_private_network", "this target cannot answer Access-Control-Request-Private-Network conditionally"})
	}
	if p.passthrough {
		out = append(out, Omission{"preflight_passthrough", "this target answers preflights itself"})
	}
	for _, r := range p.patterns {
		if nonPortable.MatchString(r) {
			out = append(out, Omission{"origin pattern " + r, "it uses regular-expression syntax (flags, named groups, \\p, \\A, \\z, [[:class:]]) that RE2 and this target's engine read differently; write it with plain groups, classes and escapes"})
		}
	}
	return out
}

// Generate writes the configuration of target for o.Policy.
func Generate(target string, o Options) (string, []Omission, error) {
	t, ok := Lookup(target)
	if !ok {
		return "", nil, fmt.Errorf("gen: unknown target %q; the targets are %s", target, strings.Join(Names(), ", "))
	}
	p, err := newPlan(o.Policy)
	if err != nil {
		return "", nil, err
	}
	if t.Proxy && o.Upstream == "" {
		return "", nil, fmt.Errorf("gen: %s is a proxy: set Options.Upstream, e.g. http://127.0.0.1:5000", target)
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	switch {
	case o.Format == "" && len(t.Formats) > 0:
		o.Format = t.Formats[0]
	case o.Format != "" && !slices.Contains(t.Formats, o.Format):
		if len(t.Formats) == 0 {
			return "", nil, fmt.Errorf("gen: %s has one form; drop the format %q", target, o.Format)
		}
		return "", nil, fmt.Errorf("gen: %s has no format %q; its formats are %s", target, o.Format, strings.Join(t.Formats, ", "))
	}
	if t.Proxy {
		if err := checkProxyAddrs(o); err != nil {
			return "", nil, err
		}
	}
	if t.plainUpstream && strings.HasPrefix(o.Upstream, "https:") {
		return "", nil, fmt.Errorf("gen: upstream %s is https, and %s cannot proxy to a backend over TLS; give the API's plain-HTTP address (e.g. http://127.0.0.1:5000), or use a target that can (nginx, caddy, haproxy)", strconv.Quote(o.Upstream), target)
	}
	var omitted []Omission
	if t.limits != nil {
		omitted = t.limits(p)
	}
	if t.Name != "go" && len(p.unwritable) > 0 {
		// Go writes the policy as it is, as Go string literals.
		omitted = append(omitted, p.unwritable...)
		if !p.any && len(p.origins) == 0 && !slices.ContainsFunc(omitted, func(om Omission) bool { return om.Part == noOriginLeft }) {
			omitted = append(omitted, Omission{noOriginLeft, "none of the policy's origins can be written"})
		}
	}
	var parts []string
	for _, om := range omitted {
		parts = append(parts, om.String())
	}
	if slices.ContainsFunc(omitted, func(om Omission) bool { return om.Part == noOriginLeft }) {
		return "", omitted, fmt.Errorf("gen: %s cannot express any of the policy's origins, and not even Options.BestEffort writes a rule that allows nothing:\n  %s", target, strings.Join(parts, "\n  "))
	}
	if len(omitted) > 0 && !o.BestEffort {
		return "", omitted, fmt.Errorf("gen: %s cannot express part of the policy (set Options.BestEffort to write the closest safe subset):\n  %s", target, strings.Join(parts, "\n  "))
	}
	out := markUnproved(t.Name, t.write(p, o, omitted))
	if t.check != nil {
		if err := t.check(out, o.Format); err != nil {
			return "", omitted, fmt.Errorf("gen: the %s output does not parse (%v); this is a corskit bug, please report it with the policy", target, err)
		}
	}
	return out, omitted, nil
}

// listenAddr is a proxy's listen address as every target can write it:
// [host:]port with a DNS name, an IPv4 address or a bracketed IPv6 one
// (or no host).
var listenAddr = regexp.MustCompile(`^(([A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):)?[0-9]{1,5}$`)

// upstreamURL is an upstream as every proxy target can write it: http or
// https, a host as above, an optional port, and an optional path of
// unreserved characters.
var upstreamURL = regexp.MustCompile(`^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$`)

// checkProxyAddrs refuses a listen address or upstream a proxy target's
// configuration cannot hold as a plain word: they are written unquoted
// where the servers take no quotes (nginx's listen, Envoy's port_value).
func checkProxyAddrs(o Options) error {
	if !listenAddr.MatchString(o.Listen) {
		return fmt.Errorf("gen: listen address %s is not host:port, e.g. 127.0.0.1:8080 or :8080", strconv.Quote(o.Listen))
	}
	if !upstreamURL.MatchString(o.Upstream) {
		return fmt.Errorf("gen: upstream %s is not http(s)://host[:port][/path] (letters, digits and -._~/ in the path), e.g. http://127.0.0.1:5000", strconv.Quote(o.Upstream))
	}
	return nil
}

// header writes the comment that opens every output: esc is the
// language's quoting of text for a line comment (quote.Comment, or
// quote.PHPComment for PHP), through which every value in it goes.
func header(comment string, esc func(string) string, o Options, omitted []Omission, what string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s Generated by corskit %s (corskit gen) from %s.\n", comment, esc(cmp.Or(o.Version, "devel")), esc(cmp.Or(o.Source, "the policy given on the command line")))
	fmt.Fprintf(&b, "%s %s\n", comment, what)
	for _, om := range omitted {
		fmt.Fprintf(&b, "%s LEFT OUT (best effort): %s\n", comment, esc(om.String()))
	}
	return b.String()
}
