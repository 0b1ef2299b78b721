package check

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors/unstable/origin"
	"github.com/corskit/corskit/internal/buckets"
)

// Options describe the request to check, with curl-like names.
type Options struct {
	// URL is the absolute http or https URL the page fetches.
	URL string
	// Origin is the page's origin, e.g. "http://localhost:3000".
	Origin string
	// AlsoOrigins are the app's other origins, which the fix must keep
	// allowing; the request is checked from each of them too.
	AlsoOrigins []string
	// Method is fetch()'s method; default GET.
	Method string
	// Headers are the headers the page sets.
	Headers []browser.Header
	// Credentials is fetch()'s credentials mode; default same-origin.
	Credentials browser.Credentials
	// Body is the body the page sends, sent exactly (never with GET or
	// HEAD). When it is "" and NoBody is false, the evidence does not tell
	// the body: the doctor then sends {} with a JSON Content-Type and no
	// body otherwise, and the report says so (Report.BodyAssumed).
	Body string
	// NoBody says the page sends no body, as the evidence tells (a copied
	// request or a HAR entry without one, -d ''): none is sent, whatever
	// the Content-Type.
	NoBody bool
	// Read names response headers the page needs to read.
	Read []string
	// Stack names the server stack for the fix ("express", "nginx"...), or
	// "auto" (default) to detect it from the answer's Server and
	// X-Powered-By headers.
	Stack string
	// Rules are a storage bucket's current CORS rules, as its service's
	// tools print them (aws s3api get-bucket-cors, the Get Blob Service
	// Properties XML, gcloud storage buckets describe --format=json): the
	// fix for that service keeps them and adds its own rule after them.
	Rules []byte
	// RulesFile is the file Rules were read from, for Command; when it is
	// "" and Rules are set, Command writes RULES_FILE in its place.
	RulesFile string
	// Timeout bounds each HTTP exchange; default 10 s.
	Timeout time.Duration
	// Insecure skips TLS certificate verification.
	Insecure bool
	// PageAddressSpace is the address space of the page's server: public,
	// private or loopback; default inferred from Origin (an IP address by
	// its range, localhost as loopback, other names as public).
	PageAddressSpace browser.AddressSpace
	// SendActual sends a request that may change data (any method but GET,
	// HEAD and OPTIONS) after its preflight failed, to find the problems of
	// its own answer too; the browser would not send it, so by default the
	// doctor does not either.
	SendActual bool
	// Browser names the engine to judge with: chromium, firefox, safari, or
	// all (default), which judges with every engine and reports Chromium's
	// verdict first.
	Browser string

	// probeHeader is the custom header name the probe sends, when one
	// name must serve several judgements (RunBothCredentials); "" draws
	// a new one.
	probeHeader string
}

// Report is the doctor's finding.
type Report struct {
	Options Options
	// Verdict is the verdict of the engine Options.Browser names (Chromium
	// for all).
	Verdict browser.Verdict
	// Engines are the verdicts of every engine judged, in the order of
	// browser.Engines().
	Engines []EngineVerdict
	// Problems are every problem on the request's path, in the order the
	// engine the fix is for meets them, each with its cause.
	Problems []Problem
	// ActualNotSent is true when the search for problems stopped before a
	// request that may change data, which its failed preflight keeps the
	// browser from sending (see Options.SendActual).
	ActualNotSent bool
	// Fix is what the server must send, and a snippet for its stack.
	Fix Fix
	// Others are the verdicts for the same request from Options.AlsoOrigins,
	// before the fix; none when judged from a recording.
	Others []OtherOrigin
	// BodySent is the body the doctor sends with the request, "" for none.
	BodySent string
	// BodyAssumed is true when the evidence did not tell the page's body
	// (Options.Body and NoBody unset) and BodySent is the doctor's guess:
	// {} for a JSON Content-Type, else none.
	BodyAssumed bool
	// CredentialsUnknown is true when the evidence did not tell the
	// page's credentials mode (a cURL or fetch copy, a HAR entry without
	// a cookie) and both modes were judged: this report is for
	// Options.Credentials, OtherCredentials for the other mode.
	CredentialsUnknown bool
	// OtherCredentials is, when CredentialsUnknown, the other mode's
	// verdict, causes and fix, when they differ from this report's: the
	// user picks the one for the page's mode. Nil when both modes get the
	// same verdict and fix.
	OtherCredentials *CredentialsAlternative
}

// OtherOrigin is the verdict for the request from another of the app's
// origins.
type OtherOrigin struct {
	Origin  string `json:"origin"`
	Allowed bool   `json:"allowed"`
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// Validate checks the options and fills in defaults. Every error names the bad
// value and how to fix it.
func (o *Options) Validate() error {
	var errs []error
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("URL %q is not an absolute http or https URL, e.g. \"http://127.0.0.1:5000/data\"", o.URL))
	}
	if o.Origin == "" {
		errs = append(errs, errors.New("Options.Origin is missing: give the origin of the page that calls the API, e.g. http://localhost:3000"))
	} else if p, err := origin.Parse(o.Origin); err != nil || p.Kind != origin.Exact || p.Port == "*" {
		msg := fmt.Sprintf("Options.Origin %q is not an origin (scheme://host[:port], as the browser's address bar shows it without the path)", o.Origin)
		var oe *origin.Error
		if errors.As(err, &oe) && oe.Fix != "" {
			msg += fmt.Sprintf(": use %q", oe.Fix)
		}
		errs = append(errs, errors.New(msg))
	}
	for _, a := range o.AlsoOrigins {
		if p, err := origin.Parse(a); err != nil || p.Kind != origin.Exact || p.Port == "*" {
			errs = append(errs, fmt.Errorf("Options.AlsoOrigins: %q is not an origin: give one like http://localhost:3000 (scheme://host[:port], no path)", a))
		}
	}
	if o.Method == "" {
		o.Method = "GET"
	}
	if !isToken(o.Method) {
		errs = append(errs, fmt.Errorf("method %q is not an HTTP method: a method is one word of letters (GET, POST, PUT, DELETE, PATCH...), without spaces; fetch() refuses it, so corskit does not send it", o.Method))
	}
	if o.Credentials == "" {
		o.Credentials = browser.SameOrigin
	}
	if !o.Credentials.Valid() {
		errs = append(errs, fmt.Errorf("Options.Credentials %q is not a credentials mode: use omit, same-origin or include", o.Credentials))
	}
	if o.Stack == "" {
		o.Stack = "auto"
	}
	if o.Stack != "auto" && !slices.Contains(doctorStacks(), o.Stack) {
		errs = append(errs, fmt.Errorf("Options.Stack %q is not known: use auto or one of %s", o.Stack, strings.Join(Stacks(), ", ")))
	}
	if len(o.Rules) > 0 {
		if svc, ok := buckets.Detect(o.Rules); !ok {
			errs = append(errs, fmt.Errorf("Options.Rules: not the CORS rules of S3 (JSON with CORSRules, or <CORSConfiguration>), Azure Blob Storage (<Cors>) or Cloud Storage (a JSON list with origin)"))
		} else if _, err := buckets.Parse(svc, o.Rules); err != nil {
			errs = append(errs, fmt.Errorf("Options.Rules: %v", err))
		}
	}
	m := strings.ToUpper(o.Method)
	if o.Body != "" && (m == "GET" || m == "HEAD") {
		errs = append(errs, fmt.Errorf("Options.Body with Options.Method %s: fetch() refuses a body on GET and HEAD; set Options.Method to POST (or PUT, PATCH)", o.Method))
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Browser == "" {
		o.Browser = "all"
	}
	if o.PageAddressSpace != "" && !o.PageAddressSpace.Valid() {
		errs = append(errs, fmt.Errorf("Options.PageAddressSpace %q is not an address space: use public, private or loopback", o.PageAddressSpace))
	}
	if _, err := o.engines(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Run checks the request. Its error is for invalid options only; a network
// error is part of the verdict (Reason browser.NetworkError).
func Run(ctx context.Context, o Options) (Report, error) {
	return judge(ctx, o, Transport(ctx, o), true)
}

// Judge checks the request against the answers rt gives, e.g. answers
// recorded in a HAR (see [HAR.Replay]), without the network. Its error is
// for invalid options only.
func Judge(ctx context.Context, o Options, rt browser.RoundTripper) (Report, error) {
	return judge(ctx, o, rt, false)
}

// judge runs the engines on the answers send gives; live resolves the
// URL's host for Local Network Access and probes the server through send.
func judge(ctx context.Context, o Options, send browser.RoundTripper, live bool) (Report, error) {
	return judgeProbing(ctx, o, send, send, live)
}

// judgeProbing is judge with the probe's requests sent through probe: a
// HAR's live fill answers the request from the file where it holds the
// answers and probes the server itself.
func judgeProbing(ctx context.Context, o Options, send, probe browser.RoundTripper, live bool) (Report, error) {
	if err := o.Validate(); err != nil {
		return Report{}, err
	}
	req := o.request()
	if page, _ := browser.SpaceOfURL(o.Origin); live && (o.PageAddressSpace == browser.Public || o.PageAddressSpace == "" && page == browser.Public) {
		// Only a public page meets Local Network Access.
		req.TargetAddressSpace = targetSpace(ctx, o)
	}
	// A loopback or private URL with an origin on another address is most
	// often the API tested before it is deployed: unless the page's address
	// space is given, judge its CORS headers and warn about the rest.
	req.StandIn = o.PageAddressSpace == "" && isLocal(req)
	engines, _ := o.engines()
	var answers []http.Header
	rt := browser.Memo(func(out browser.Outgoing) (browser.Incoming, error) {
		in, err := send(out)
		if err == nil {
			answers = append(answers, in.Header)
		}
		return in, err
	})
	r := Report{Options: o}
	r.BodySent, _, r.BodyAssumed = o.sentBody()
	for _, e := range engines {
		r.Engines = append(r.Engines, EngineVerdict{Engine: e, Verdict: e.Fetch(req, rt)})
	}
	r.Verdict = r.Engines[0].Verdict
	// The fix answers the first engine that blocks for a reason the
	// server's headers can fix.
	target := r.target()
	if !target.Verdict.Allowed {
		r.Problems, r.ActualNotSent = findProblems(req, target.Engine, rt, o.SendActual)
	}
	for _, a := range o.AlsoOrigins {
		if !live {
			break // a recording holds no answer for another origin
		}
		other := req
		other.Origin = a
		oo := OtherOrigin{Origin: a, Allowed: true}
		for _, e := range engines {
			if v := e.Fetch(other, rt); !v.Allowed && oo.Allowed {
				oo = OtherOrigin{Origin: a, Code: string(v.Reason), Message: v.Message}
			}
		}
		r.Others = append(r.Others, oo)
	}
	var learned *Learned
	if live && headerFixable(target.Verdict) {
		// What the server allows today, for a fix that keeps it.
		l := Probe(o, probe)
		learned = &l
		r.Problems = refineProblems(r.Problems, learned, o)
	}
	r.Fix = fixFor(o, target.Verdict, answers, learned)
	for i := range r.Engines {
		r.Engines[i].Verdict.Warnings = append(r.Engines[i].Verdict.Warnings, storageWarnings(o, r.Engines[i].Verdict)...)
	}
	r.Verdict = r.Engines[0].Verdict
	return r, nil
}

// request is the page's fetch() for the model.
func (o Options) request() browser.Request {
	_, body, _ := o.sentBody()
	return browser.Request{
		Origin: o.Origin, URL: o.URL, Method: o.Method, Headers: o.Headers,
		Credentials: o.Credentials, Body: body, Read: o.Read, PageAddressSpace: o.PageAddressSpace,
	}
}

// sentBody is the body the doctor sends for the page's request: the page's
// own (Body) when the evidence gives it; none when it says there is none
// (NoBody) or for GET and HEAD; else, assumed, {} for a JSON Content-Type
// (what a JSON body parser accepts) and none for any other.
func (o Options) sentBody() (body string, has, assumed bool) {
	switch {
	case isBodyless(o.Method):
		return "", false, false
	case o.Body != "":
		return o.Body, true, false
	case o.NoBody:
		return "", false, false
	case isJSONType(o.header("Content-Type")):
		return "{}", true, true
	}
	return "", false, true
}

// header returns the value of the page's header name, or "".
func (o Options) header(name string) string {
	for _, h := range o.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// isJSONType reports whether a Content-Type is JSON: application/json or
// a +json type such as application/merge-patch+json.
func isJSONType(ct string) bool {
	t, _, _ := strings.Cut(ct, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "application/json" || strings.HasPrefix(t, "application/") && strings.HasSuffix(t, "+json")
}

// allowedOffline reports whether every engine o selects lets the page read
// the answers rt gives: the verdict alone, without the search for
// problems and the fix, to sort a HAR's requests.
func allowedOffline(o Options, rt browser.RoundTripper) (bool, error) {
	if err := o.Validate(); err != nil {
		return false, err
	}
	req := o.request()
	req.StandIn = o.PageAddressSpace == "" && isLocal(req)
	engines, _ := o.engines()
	rt = browser.Memo(rt)
	for _, e := range engines {
		if !e.Fetch(req, rt).Allowed {
			return false, nil
		}
	}
	return true, nil
}

// targetSpace resolves the URL's host and returns the most private address
// space among its addresses, for Local Network Access; "" (inferred by the
// model) for an IP address, localhost, or a name that does not resolve.
func targetSpace(ctx context.Context, o Options) browser.AddressSpace {
	u, err := url.Parse(o.URL)
	if _, certain := browser.SpaceOfURL(o.URL); err != nil || certain {
		return ""
	}
	host := u.Hostname()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return ""
	}
	space := browser.Public
	for _, a := range addrs {
		if s := browser.SpaceOfIP(a); s == browser.Loopback || s == browser.Private && space == browser.Public {
			space = s
		}
	}
	return space
}

// isLocal reports whether the request's URL is on a loopback or private
// address, resolved or inferred.
func isLocal(req browser.Request) bool {
	if req.TargetAddressSpace != "" {
		return req.TargetAddressSpace != browser.Public
	}
	space, certain := browser.SpaceOfURL(req.URL)
	return certain && space != browser.Public
}

// EngineVerdict is one engine's verdict.
type EngineVerdict struct {
	Engine  *browser.Engine
	Verdict browser.Verdict
}

// target is the engine the problems and the fix are for: the first that
// blocks for a reason the server's headers can fix, or the first engine.
func (r Report) target() EngineVerdict {
	for _, e := range r.Engines {
		if headerFixable(e.Verdict) {
			return e
		}
	}
	return r.Engines[0]
}

// Allowed reports whether every engine judged lets the page read the answer.
func (r Report) Allowed() bool {
	for _, e := range r.Engines {
		if !e.Verdict.Allowed {
			return false
		}
	}
	return len(r.Engines) > 0
}

// Blocked reports whether every engine judged blocks the request: what a
// request that must never be allowed (another site's origin) needs.
func (r Report) Blocked() bool {
	for _, e := range r.Engines {
		if e.Verdict.Allowed {
			return false
		}
	}
	return true
}

// Agree reports whether the engines judged reach the same verdict for the
// same reason.
func (r Report) Agree() bool {
	for _, e := range r.Engines[1:] {
		if e.Verdict.Allowed != r.Engines[0].Verdict.Allowed || e.Verdict.Reason != r.Engines[0].Verdict.Reason {
			return false
		}
	}
	return true
}

// engines returns the engines Browser selects, the named (or Chromium) first.
func (o Options) engines() ([]*browser.Engine, error) {
	engines, ok := browser.Select(o.Browser)
	if !ok {
		return nil, fmt.Errorf("Options.Browser %q is not an engine: use chromium, firefox, safari or all", o.Browser)
	}
	return engines, nil
}

func isBodyless(m string) bool {
	m = strings.ToUpper(m)
	return m == "GET" || m == "HEAD"
}

// bodyKept is how much of each answer's body the doctor keeps, to read
// error pages such as "Not allowed by CORS".
const bodyKept = 4 << 10

// Transport returns a browser.RoundTripper that sends each request over real
// HTTP, never following redirects itself (the model does), without cookies.
func Transport(ctx context.Context, o Options) browser.RoundTripper {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: o.Insecure}, //nolint:gosec // opt-in --insecure
		ResponseHeaderTimeout: o.Timeout,
		DisableCompression:    true,
		// One connection per exchange: nothing is left open after the check.
		DisableKeepAlives: true,
	}
	client := &http.Client{
		Transport:     tr,
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(out browser.Outgoing) (browser.Incoming, error) {
		var body io.Reader
		if b, has, _ := o.sentBody(); out.Body && has {
			body = strings.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, out.Method, out.URL, body)
		if err != nil {
			return browser.Incoming{}, err
		}
		req.Header = out.Header.Clone()
		if req.Header.Get("User-Agent") == "" {
			req.Header.Set("User-Agent", "corskit-check")
		}
		resp, err := client.Do(req)
		if err != nil {
			return browser.Incoming{}, err
		}
		defer resp.Body.Close()
		start, _ := io.ReadAll(io.LimitReader(resp.Body, bodyKept))
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		h := resp.Header.Clone()
		if resp.ContentLength >= 0 && h.Get("Content-Length") == "" && out.Method != http.MethodHead && resp.StatusCode != 204 && resp.StatusCode != 304 {
			h.Set("Content-Length", fmt.Sprint(resp.ContentLength))
		}
		return browser.Incoming{Status: resp.StatusCode, Header: h, Body: start}, nil
	}
}
