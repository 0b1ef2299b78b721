package cors

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/cors/unstable/origin"
)

// Config is a CORS policy. The zero value of every field is the safe default;
// only AllowOrigins is required.
//
// Write a Config literal with field names, as in the package's example:
// fields will be added, and an unnamed literal (which Config's blank field
// already refuses to compile) would break with each one.
type Config struct {
	// Fields are added in minor releases: this blank field keeps every
	// Config literal keyed. It takes no space.
	_ [0]func()

	// AllowOrigins lists the origins whose pages may read responses. Each entry
	// is one of:
	//   - an exact origin, "https://app.example.com" or "http://localhost:3000";
	//   - "*", every origin (not with AllowCredentials);
	//   - a subdomain pattern, "https://*.example.com": one or more labels
	//     before the domain, never the domain itself;
	//   - a port pattern, "http://localhost:*": any explicit port;
	//   - "re:" and an RE2 expression, anchored by the library, that starts with
	//     its literal scheme: `re:https://(app|admin)\.example\.com`;
	//   - "null", only with DangerouslyAllowNullOrigin.
	// Required.
	AllowOrigins []string `json:"allow_origins,omitempty" yaml:"allow_origins,omitempty"`

	// AllowMethods lists the methods allowed besides the safelisted GET, HEAD
	// and POST, which need no listing. Methods are case-sensitive, as in
	// browsers, except DELETE, GET, HEAD, OPTIONS, POST and PUT, which browsers
	// upper-case: list "PATCH" for fetch(url, {method: "PATCH"}). "*" allows
	// every method. Default: none.
	AllowMethods []string `json:"allow_methods,omitempty" yaml:"allow_methods,omitempty"`

	// AllowHeaders lists the request headers that page script may send
	// (case-insensitive). List Content-Type to allow JSON bodies. "*" allows
	// every header except Authorization, which must be listed by name, as the
	// Fetch standard reads the wildcard; the middleware enforces that itself,
	// since Chromium, Firefox and Safari still let `*` cover Authorization.
	// Default: none.
	AllowHeaders []string `json:"allow_headers,omitempty" yaml:"allow_headers,omitempty"`

	// ExposeHeaders lists the response headers, beyond the safelisted
	// Cache-Control, Content-Language, Content-Length, Content-Type, Expires,
	// Last-Modified and Pragma, that page script may read. "*" exposes all
	// (not with AllowCredentials). Default: none.
	ExposeHeaders []string `json:"expose_headers,omitempty" yaml:"expose_headers,omitempty"`

	// AllowCredentials lets pages send cookies and HTTP authentication
	// (fetch's credentials: "include") and read the response. Default: false.
	AllowCredentials bool `json:"allow_credentials,omitempty" yaml:"allow_credentials,omitempty"`

	// MaxAge is how long, in seconds, a browser may cache a preflight's answer:
	// 1 to 86400 (Chromium caps it at 7200). 0, the default, sends no
	// Access-Control-Max-Age (browsers then cache for 5 seconds); -1 sends 0,
	// which disables caching.
	MaxAge int `json:"max_age,omitempty" yaml:"max_age,omitempty"`

	// AllowPrivateNetwork answers a Private Network Access preflight
	// (Access-Control-Request-Private-Network: true) with
	// Access-Control-Allow-Private-Network: true. Default: false.
	AllowPrivateNetwork bool `json:"allow_private_network,omitempty" yaml:"allow_private_network,omitempty"`

	// PreflightStatus is the status of an answered preflight: 204 by default;
	// set 200 for old clients that mishandle 204. Any 2xx is accepted.
	PreflightStatus int `json:"preflight_status,omitempty" yaml:"preflight_status,omitempty"`

	// PreflightPassthrough makes the middleware set the preflight's CORS
	// headers and then call the next handler, which writes the answer, instead
	// of answering the preflight itself. Default: false.
	PreflightPassthrough bool `json:"preflight_passthrough,omitempty" yaml:"preflight_passthrough,omitempty"`

	// DangerouslyAllowNullOrigin permits "null" in AllowOrigins. Sandboxed
	// iframes and data: pages of any site send Origin: null, so allowing it
	// lets any site read the responses. Default: false.
	DangerouslyAllowNullOrigin bool `json:"dangerously_allow_null_origin,omitempty" yaml:"dangerously_allow_null_origin,omitempty"`

	// DangerouslyAllowInsecureOriginsWithCredentials permits http:// origins
	// other than loopback ones together with AllowCredentials. A network
	// attacker can inject script into such an origin and read credentialed
	// responses. Default: false.
	DangerouslyAllowInsecureOriginsWithCredentials bool `json:"dangerously_allow_insecure_origins_with_credentials,omitempty" yaml:"dangerously_allow_insecure_origins_with_credentials,omitempty"`

	// Logger, if set, receives a debug-level record for each denied preflight
	// and each request from a disallowed origin, saying which origin, method or
	// header was refused and why. Default: nil, no logging.
	Logger *slog.Logger `json:"-" yaml:"-"`
}

// Validate reports every problem with c, exactly as [New] and
// [Middleware.Reconfigure] would: nil when they accept c, otherwise an error
// that joins one [*ConfigError] per problem. A program that builds its
// middleware later, or never (a linter, a config generator), validates with
// it; one that builds it now needs only New.
func (c Config) Validate() error {
	_, err := compile(c)
	return err
}

// MaxMaxAge is the largest MaxAge accepted, one day.
const MaxMaxAge = 86400

// policy is a Config compiled for the hot path: immutable, with every header
// value that does not depend on the request precomputed.
type policy struct {
	cfg         Config
	origins     *origin.Set
	anyOrigin   bool // `*` without credentials: Access-Control-Allow-Origin: *
	credentials bool

	methods      map[string]struct{}
	anyMethod    bool
	methodsValue string // Access-Control-Allow-Methods, unless echoed

	headers       map[string]struct{} // lower-case names
	anyHeader     bool
	authListed    bool   // Authorization listed by name
	headersValue  string // Access-Control-Allow-Headers, unless echoed
	echoHeaders   bool   // `*` with credentials: echo the allowed requested names
	exposeValue   string
	maxAgeValue   string
	privateNet    bool
	status        int
	passthrough   bool
	varyActual    bool // the actual response depends on Origin
	varyPreflight string
	logger        *slog.Logger
}

// compile validates cfg and builds its policy, reporting every problem in
// field order: origins, methods, request headers, exposed headers, max age,
// preflight answer.
func compile(cfg Config) (*policy, error) {
	cfg = cloneConfig(cfg)
	c := &compiler{cfg: cfg, p: &policy{cfg: cfg, credentials: cfg.AllowCredentials, logger: cfg.Logger}}
	c.origins()
	c.methods()
	c.requestHeaders()
	c.exposeHeaders()
	c.maxAge()
	c.preflight()
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	return c.p, nil
}

// compiler holds one compile's input, the policy it builds and the problems
// it found so far; each step below fills in one part of the policy.
type compiler struct {
	cfg  Config
	p    *policy
	errs []error
}

// bad records a problem: reason is the whole sentence after the value, fix
// its remedy, which ends it.
func (c *compiler) bad(field, value string, kind ConfigErrorKind, reason, fix string) {
	c.errs = append(c.errs, &ConfigError{Field: field, Value: value, Kind: kind, Reason: reason, Fix: fix})
}

// origins compiles AllowOrigins into p.origins, rejecting unparsable and
// unsafe entries.
func (c *compiler) origins() {
	cfg, p := c.cfg, c.p
	if len(cfg.AllowOrigins) == 0 {
		fix := `list the origins of the pages that call this server, e.g. "https://app.example.com", or "*" for a public API`
		c.bad("AllowOrigins", "", KindMissing, "is empty; "+fix, fix)
	}
	var patterns []origin.Pattern
	for _, o := range cfg.AllowOrigins {
		pat, err := origin.Parse(o)
		if err != nil {
			c.badOrigin(o, err)
			continue
		}
		if c.unsafeOrigin(o, pat) {
			continue
		}
		patterns = append(patterns, pat)
	}
	p.origins = origin.NewSet(patterns)
	p.anyOrigin = p.origins.AllowsAll()
	p.varyActual = !p.anyOrigin
}

// badOrigin records the parse error err of the origin o.
func (c *compiler) badOrigin(o string, err error) {
	var oe *origin.Error
	if !errors.As(err, &oe) {
		return
	}
	reason, fix := oe.Reason, ""
	if oe.Fix != "" {
		fix = `use "` + oe.Fix + `"`
		reason += ": " + fix
	} else if _, after, ok := strings.Cut(reason, "; "); ok {
		fix = after
	}
	c.bad("AllowOrigins", o, KindInvalid, reason, fix)
}

// unsafeOrigin records and reports whether the parsed origin pat, written o,
// is unsafe under cfg: `*` with credentials, "null" without its opt-in, or a
// non-loopback http:// origin with credentials without its opt-in.
func (c *compiler) unsafeOrigin(o string, pat origin.Pattern) bool {
	cfg := c.cfg
	switch {
	case pat.Kind == origin.Any && cfg.AllowCredentials:
		c.bad("AllowOrigins", o, KindUnsafe, "cannot be used with AllowCredentials: browsers refuse Access-Control-Allow-Origin: * on credentialed requests, and allowing every origin with credentials would let any site read your users' data; list the origins instead", "list the origins instead")
		return true
	case pat.Kind == origin.Null && !cfg.DangerouslyAllowNullOrigin:
		c.bad("AllowOrigins", o, KindUnsafe, "is sent by sandboxed iframes and data: pages of any site, so allowing it lets any site read the responses; remove it, or set DangerouslyAllowNullOrigin if you accept that", "remove it, or set DangerouslyAllowNullOrigin if you accept that")
		return true
	case cfg.AllowCredentials && pat.Scheme == "http" && !pat.IsLocal() && !cfg.DangerouslyAllowInsecureOriginsWithCredentials:
		fix := `use https://, or set DangerouslyAllowInsecureOriginsWithCredentials (loopback origins such as "http://localhost:3000" need no opt-in)`
		c.bad("AllowOrigins", o, KindUnsafe, "is an insecure http:// origin with AllowCredentials: anyone on the network path can inject script into it and read credentialed responses; "+fix, fix)
		return true
	}
	return false
}

// methods compiles AllowMethods into p.methods and the
// Access-Control-Allow-Methods value.
func (c *compiler) methods() {
	cfg, p := c.cfg, c.p
	p.methods = map[string]struct{}{}
	var methodList []string
	for _, m := range cfg.AllowMethods {
		switch {
		case m == "*":
			p.anyMethod = true
			continue
		case !headers.IsToken(m):
			c.bad("AllowMethods", m, KindInvalid, "is not a valid method name; write it as an HTTP token: letters, digits and !#$%&'*+-.^_`|~", "write it as an HTTP token: letters, digits and !#$%&'*+-.^_`|~")
			continue
		case headers.IsForbiddenMethod(m):
			c.bad("AllowMethods", m, KindIneffective, "is a forbidden method that browsers never send; remove it", "remove it")
			continue
		}
		m = headers.NormalizeMethod(m)
		if _, dup := p.methods[m]; !dup {
			p.methods[m] = struct{}{}
			methodList = append(methodList, m)
		}
	}
	switch {
	case p.anyMethod && !cfg.AllowCredentials:
		p.methodsValue = "*"
	case !p.anyMethod:
		p.methodsValue = strings.Join(methodList, ", ")
	}
}

// requestHeaders compiles AllowHeaders into p.headers and the
// Access-Control-Allow-Headers value (or echoing, for `*` with credentials).
func (c *compiler) requestHeaders() {
	cfg, p := c.cfg, c.p
	p.headers = map[string]struct{}{}
	var headerList []string
	for _, h := range cfg.AllowHeaders {
		switch {
		case h == "*":
			p.anyHeader = true
			continue
		case !headers.IsToken(h):
			c.bad("AllowHeaders", h, KindInvalid, "is not a valid header name; write it as an HTTP token: letters, digits and !#$%&'*+-.^_`|~", "write it as an HTTP token: letters, digits and !#$%&'*+-.^_`|~")
			continue
		case headers.IsForbiddenRequestHeader(h):
			reason := "is a forbidden request header: browsers set it themselves and page script cannot, so listing it has no effect; remove it"
			if headers.EqualFold(h, "cookie") {
				reason += " (to let pages send cookies, set AllowCredentials)"
			}
			_, fix, _ := strings.Cut(reason, "; ")
			c.bad("AllowHeaders", h, KindIneffective, reason, fix)
			continue
		}
		lower := headers.ToLower(h)
		if lower == "authorization" {
			p.authListed = true
		}
		if _, dup := p.headers[lower]; !dup {
			p.headers[lower] = struct{}{}
			headerList = append(headerList, h)
		}
	}
	switch {
	case p.anyHeader && cfg.AllowCredentials:
		p.echoHeaders = true
	case p.anyHeader:
		p.headersValue = "*"
		if p.authListed {
			p.headersValue = "*, Authorization"
		}
	default:
		p.headersValue = strings.Join(headerList, ", ")
	}
}

// exposeHeaders compiles ExposeHeaders into the
// Access-Control-Expose-Headers value, dropping case-insensitive repeats.
func (c *compiler) exposeHeaders() {
	cfg := c.cfg
	var exposeList []string
	for _, h := range cfg.ExposeHeaders {
		switch {
		case h == "*" && cfg.AllowCredentials:
			c.bad("ExposeHeaders", h, KindIneffective, "is read literally by browsers on credentialed requests, as a header named *, so it exposes nothing; list the headers by name", "list the headers by name")
			continue
		case h != "*" && !headers.IsToken(h):
			c.bad("ExposeHeaders", h, KindInvalid, "is not a valid header name; write it as an HTTP token: letters, digits and !#$%&'*+-.^_`|~", "write it as an HTTP token: letters, digits and !#$%&'*+-.^_`|~")
			continue
		case headers.IsForbiddenResponseHeader(h):
			c.bad("ExposeHeaders", h, KindIneffective, "can never be read by page script, whatever the server sends; remove it", "remove it")
			continue
		}
		if !slices.ContainsFunc(exposeList, func(e string) bool { return headers.EqualFold(e, h) }) {
			exposeList = append(exposeList, h)
		}
	}
	c.p.exposeValue = strings.Join(exposeList, ", ")
}

// maxAge compiles MaxAge into the Access-Control-Max-Age value.
func (c *compiler) maxAge() {
	cfg := c.cfg
	switch {
	case cfg.MaxAge == -1:
		c.p.maxAgeValue = "0"
	case cfg.MaxAge < -1:
		fix := "use a number of seconds from 1 to 86400, 0 for the browser's default (5 s), or -1 to disable preflight caching"
		c.bad("MaxAge", strconv.Itoa(cfg.MaxAge), KindOutOfRange, "is negative; "+fix, fix)
	case cfg.MaxAge > MaxMaxAge:
		c.bad("MaxAge", strconv.Itoa(cfg.MaxAge), KindOutOfRange, "is more than 86400 (one day); browsers cap it anyway (Chromium at 7200): use 7200", "use 7200")
	case cfg.MaxAge > 0:
		c.p.maxAgeValue = strconv.Itoa(cfg.MaxAge)
	}
}

// preflight compiles how a preflight is answered: its status, passthrough,
// Private Network Access and Vary.
func (c *compiler) preflight() {
	cfg, p := c.cfg, c.p
	p.status = http.StatusNoContent
	if cfg.PreflightStatus != 0 {
		if cfg.PreflightStatus < 200 || cfg.PreflightStatus > 299 {
			c.bad("PreflightStatus", strconv.Itoa(cfg.PreflightStatus), KindOutOfRange, "is not a 2xx status; browsers fail a preflight without an ok status: use 204 or 200", "use 204 or 200")
		}
		p.status = cfg.PreflightStatus
	}
	p.passthrough = cfg.PreflightPassthrough
	p.privateNet = cfg.AllowPrivateNetwork
	p.varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	if p.privateNet {
		p.varyPreflight += ", Access-Control-Request-Private-Network"
	}
}

// cloneConfig copies cfg's slices so that neither the caller nor the
// middleware can change the other's.
func cloneConfig(cfg Config) Config {
	cfg.AllowOrigins = slices.Clone(cfg.AllowOrigins)
	cfg.AllowMethods = slices.Clone(cfg.AllowMethods)
	cfg.AllowHeaders = slices.Clone(cfg.AllowHeaders)
	cfg.ExposeHeaders = slices.Clone(cfg.ExposeHeaders)
	return cfg
}
