package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// Options describe an audit.
type Options struct {
	// URLs are the only addresses contacted.
	URLs []string
	// Trusted are the origins the API is meant to serve, e.g.
	// https://app.example.com: probes are derived from them too.
	Trusted []string
	// Ambient are headers a victim's browser would attach by itself (a
	// Cookie, an Authorization the site sets): sent on credentialed probes.
	// Without a Cookie among them, credentialed probes carry a stand-in
	// cookie (see ProbeCookie): a signed-in victim's browser sends one, and
	// some servers (Starlette's CORSMiddleware) echo any origin only then.
	Ambient http.Header
	// Concurrency bounds the requests in flight; default 4.
	Concurrency int
	// Rate bounds the requests per second; default 20.
	Rate float64
	// Timeout bounds each request; default 10 s.
	Timeout time.Duration
	// Progress, if set, is called after each probe with done and total.
	Progress func(done, total int)
	// Browser names the engines whose models judge each answer: chromium,
	// firefox, safari, or all (default). A finding stands when any of them
	// lets the attacker's page read the answer.
	Browser string
}

// engines returns the engines Browser selects (validate refused others).
func (o *Options) engines() []*browser.Engine {
	engines, _ := browser.Select(o.Browser)
	return engines
}

// Finding is one dangerous behaviour, with its evidence and fix.
type Finding struct {
	URL      string   `json:"url"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"-"`
	Level    string   `json:"severity"`
	Title    string   `json:"title"`
	Origin   string   `json:"origin,omitempty"`
	// Detail says what an attacker's page can do.
	Detail   string   `json:"detail"`
	Evidence Evidence `json:"evidence"`
	Fix      string   `json:"fix"`
}

// Evidence is the request that showed the finding and the answer.
type Evidence struct {
	Method          string            `json:"method"`
	RequestHeaders  map[string]string `json:"request_headers"`
	Status          int               `json:"status"`
	ResponseHeaders map[string]string `json:"response_headers"`
}

// Result is the audit of one URL.
type Result struct {
	URL      string    `json:"url"`
	Findings []Finding `json:"findings"`
	// Notes say what could not be probed (a redirect to another host, a
	// network error).
	Notes []string `json:"notes"`
}

func (o *Options) validate() error {
	var errs []error
	if len(o.URLs) == 0 {
		errs = append(errs, errors.New("audit: no URL: give one or more, e.g. corskit audit https://api.example.com/me"))
	}
	for _, u := range o.URLs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("audit: %q is not an absolute http or https URL", u))
		}
	}
	for _, t := range o.Trusted {
		if err := (&check.Options{URL: "http://x/", Origin: t}).Validate(); err != nil {
			errs = append(errs, fmt.Errorf("audit: Options.Trusted %q is not an origin, e.g. https://app.example.com", t))
		}
	}
	if _, ok := browser.Select(o.Browser); !ok {
		errs = append(errs, fmt.Errorf("audit: Options.Browser %q is not an engine: use chromium, firefox, safari or all", o.Browser))
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Rate <= 0 {
		o.Rate = 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return errors.Join(errs...)
}

// Run audits every URL. Its error is for invalid options; what could not be
// probed is in each Result's Notes.
func Run(ctx context.Context, o Options) ([]Result, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	limiter := newLimiter(ctx, o.Rate)
	defer limiter.stop()
	type job struct {
		result *Result
		run    func() []Finding
	}
	results := make([]Result, len(o.URLs))
	var jobs []job
	for i, raw := range o.URLs {
		target, _ := url.Parse(raw)
		results[i] = Result{URL: raw, Findings: []Finding{}, Notes: []string{}}
		a := &auditor{opts: o, target: target, limiter: limiter, ctx: ctx, res: &results[i]}
		for _, p := range a.plan() {
			jobs = append(jobs, job{&results[i], p})
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.Concurrency)
	done := 0
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fs := j.run()
			mu.Lock()
			j.result.Findings = append(j.result.Findings, fs...)
			done++
			if o.Progress != nil {
				o.Progress(done, len(jobs))
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := range results {
		results[i].Findings = dedupe(results[i].Findings)
		// Worst first, then by rule and origin: the same report every run,
		// whatever order the probes finished in.
		slices.SortFunc(results[i].Findings, func(a, b Finding) int {
			if a.Severity != b.Severity {
				return int(b.Severity) - int(a.Severity)
			}
			if a.Rule != b.Rule {
				return strings.Compare(a.Rule, b.Rule)
			}
			return strings.Compare(a.Origin, b.Origin)
		})
		slices.Sort(results[i].Notes)
	}
	return results, nil
}

// dedupe keeps the root cause: when any origin is trusted, the narrower
// origin probes add nothing.
func dedupe(fs []Finding) []Finding {
	anyOrigin := slices.ContainsFunc(fs, func(f Finding) bool { return f.Rule == "reflect-any-origin" })
	var out []Finding
	seen := map[string]bool{}
	for _, f := range fs {
		implied := anyOrigin && (f.Rule == "prefix-match" || f.Rule == "suffix-match" || f.Rule == "unescaped-dot" ||
			f.Rule == "special-characters" || f.Rule == "third-party-hosting" || f.Rule == "any-subdomain")
		key := f.Rule + " " + f.Origin
		if f.Rule == "missing-vary" || f.Rule == "wildcard-with-credentials" || f.Rule == "special-characters" {
			key = f.Rule // one per URL
		}
		if implied || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, f)
	}
	if out == nil {
		out = []Finding{}
	}
	return out
}

// limiter hands out at most rate tokens per second.
type limiter struct {
	c    chan struct{}
	done chan struct{}
}

func newLimiter(ctx context.Context, rate float64) *limiter {
	l := &limiter{c: make(chan struct{}), done: make(chan struct{})}
	interval := time.Duration(float64(time.Second) / rate)
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-l.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				select {
				case l.c <- struct{}{}:
				case <-l.done:
					return
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return l
}

func (l *limiter) wait(ctx context.Context) error {
	select {
	case <-l.c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *limiter) stop() { close(l.done) }

// auditor probes one URL.
type auditor struct {
	opts    Options
	target  *url.URL
	limiter *limiter
	ctx     context.Context
	res     *Result
	notesMu sync.Mutex
}

func (a *auditor) note(s string) {
	a.notesMu.Lock()
	defer a.notesMu.Unlock()
	if !slices.Contains(a.res.Notes, s) {
		a.res.Notes = append(a.res.Notes, s)
	}
}

// transport sends the model's requests, only to the audited host, within
// the rate limit, with the ambient credentials on credentialed requests.
func (a *auditor) transport() browser.RoundTripper {
	inner := check.Transport(a.ctx, check.Options{Timeout: a.opts.Timeout})
	return func(out browser.Outgoing) (browser.Incoming, error) {
		u, err := url.Parse(out.URL)
		if err != nil {
			return browser.Incoming{}, err
		}
		if u.Host != a.target.Host {
			a.note(fmt.Sprintf("%s redirects to %s, another host: not followed (only the URLs given are contacted)", a.target, out.URL))
			return browser.Incoming{}, fmt.Errorf("redirect to another host %s not followed", u.Host)
		}
		if err := a.limiter.wait(a.ctx); err != nil {
			return browser.Incoming{}, err
		}
		if out.Credentials && !out.Preflight {
			out.Header = attackerHeaders(out.Header, a.opts.Ambient, trustworthy(u))
		}
		return inner(out)
	}
}

// fetch runs one request of an attacker's page through the browser model of
// each engine selected, and returns the most permissive verdict: what an
// attacker can read is what the laxest engine lets through. Each distinct
// request goes to the server once.
func (a *auditor) fetch(origin, method string, hs []browser.Header, creds browser.Credentials) browser.Verdict {
	req := browser.Request{Origin: origin, URL: a.target.String(), Method: method, Headers: hs, Credentials: creds, Body: method != "GET" && method != "HEAD",
		// The audit judges the server's CORS answers wherever it runs.
		StandIn: true}
	rt := browser.Memo(a.transport())
	var v browser.Verdict
	for i, e := range a.opts.engines() {
		ev := e.Fetch(req, rt)
		if i == 0 || ev.Allowed && !v.Allowed {
			v = ev
		}
	}
	if v.Reason == browser.NetworkError {
		a.note(fmt.Sprintf("%s from %s: %v", method, origin, v.Err))
	}
	return v
}

// plan returns the probes of the URL, each run once.
func (a *auditor) plan() []func() []Finding {
	var out []func() []Finding
	for _, p := range probes(a.target, a.opts.Trusted) {
		out = append(out, func() []Finding { return a.runProbe(p) })
	}
	out = append(out, a.wildcardAndCache, a.preflightChecks)
	return out
}

func (a *auditor) finding(rule, title, origin, detail, fix string, sev Severity, v browser.Verdict) Finding {
	f := Finding{URL: a.target.String(), Rule: rule, Severity: sev, Level: sev.String(), Title: title, Origin: origin, Detail: detail, Fix: fix}
	if len(v.Exchanges) > 0 {
		x := v.Exchanges[len(v.Exchanges)-1]
		f.Evidence = Evidence{Method: x.Request.Method, RequestHeaders: flat(x.Request.Header, false), Status: x.Response.Status, ResponseHeaders: flat(x.Response.Header, true)}
	}
	return f
}

func flat(h http.Header, corsOnly bool) map[string]string {
	out := map[string]string{}
	for k, vs := range h {
		if corsOnly && !strings.HasPrefix(k, "Access-Control-") && k != "Vary" {
			continue
		}
		if k == "Cookie" || k == "Authorization" {
			out[k] = "(redacted)"
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// runProbe checks whether the probe's origin can read the URL, with and
// without credentials.
func (a *auditor) runProbe(p probe) []Finding {
	v := a.fetch(p.origin, "GET", nil, browser.Include)
	if v.Allowed {
		return []Finding{a.finding(p.rule, p.title, p.origin,
			"a page on "+p.origin+" can read this URL's responses with the user's cookies", p.fix, p.creds, v)}
	}
	v = a.fetch(p.origin, "GET", nil, browser.Omit)
	if !v.Allowed {
		return nil
	}
	if acao := v.Exchanges[len(v.Exchanges)-1].Response.Header.Get("Access-Control-Allow-Origin"); acao == "*" {
		return nil // a public resource: * without credentials is not a finding
	}
	return []Finding{a.finding(p.rule, p.title, p.origin,
		"a page on "+p.origin+" can read this URL's responses without credentials (a risk if the resource is private by network position or by IP)", p.fix, p.anon, v)}
}

// wildcardAndCache looks for `*` with credentials and for origin-dependent
// answers without Vary: Origin.
func (a *auditor) wildcardAndCache() []Finding {
	var out []Finding
	origins := append([]string{"https://evil.example"}, a.opts.Trusted...)
	for _, o := range origins {
		v := a.fetch(o, "GET", nil, browser.Include)
		if v.Reason == browser.WildcardWithCredentials && v.Exchanges[len(v.Exchanges)-1].Response.Header.Get("Access-Control-Allow-Credentials") == "true" {
			out = append(out, a.finding("wildcard-with-credentials", "Access-Control-Allow-Origin: * sent with Access-Control-Allow-Credentials: true", o,
				"browsers refuse this combination, so credentialed calls from the frontend fail; it is broken, not exploitable", "name the allowed origin instead of *", Info, v))
		}
		if v.Reason == browser.NetworkError || len(v.Exchanges) == 0 {
			continue
		}
		h := v.Exchanges[len(v.Exchanges)-1].Response.Header
		if acao := h.Get("Access-Control-Allow-Origin"); acao == o && !varies(h) {
			sev := Low
			if v.Allowed {
				sev = Medium
			}
			out = append(out, a.finding("missing-vary", "the answer depends on the Origin but has no Vary: Origin", o,
				"a shared cache or CDN can serve one origin's answer to another: the frontend breaks, or (cache poisoning) an attacker's origin ends up in cached answers", "add Vary: Origin to every response whose CORS headers depend on the origin", sev, v))
		}
	}
	return out
}

func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for item := range strings.SplitSeq(v, ",") {
			item = strings.TrimSpace(item)
			if item == "*" || strings.EqualFold(item, "origin") {
				return true
			}
		}
	}
	return false
}

// preflightChecks sends real preflights: any method and header allowed with
// credentials, and Private Network Access granted to any origin.
func (a *auditor) preflightChecks() []Finding {
	var out []Finding
	origin := "https://evil.example"
	if len(a.opts.Trusted) > 0 {
		origin = a.opts.Trusted[0]
	}
	v := a.fetch(origin, "CORSKITPROBE", []browser.Header{{Name: "X-Corskit-Probe", Value: "1"}}, browser.Include)
	if v.Preflight && len(v.Exchanges) > 0 && v.Exchanges[0].Err == nil {
		pre := v.Exchanges[0].Response.Header
		if strings.Contains(pre.Get("Access-Control-Allow-Methods"), "CORSKITPROBE") && strings.Contains(strings.ToLower(pre.Get("Access-Control-Allow-Headers")), "x-corskit-probe") &&
			pre.Get("Access-Control-Allow-Origin") == origin {
			out = append(out, a.finding("preflight-allows-anything", "the preflight allows any method and any header with credentials", origin,
				"the server echoes whatever a page asks for; any method (DELETE, PURGE...) and header (e.g. X-HTTP-Method-Override) reaches it with the user's cookies from "+origin,
				"list the methods and headers the frontend needs", Low, v))
		}
	}
	// The preflight and the actual answer must agree on the origin.
	if len(v.Exchanges) > 0 && v.Exchanges[0].Request.Preflight && v.Exchanges[0].Err == nil {
		g := a.fetch(origin, "GET", nil, browser.Include)
		if len(g.Exchanges) > 0 && g.Exchanges[len(g.Exchanges)-1].Err == nil {
			pre, act := v.Exchanges[0].Response.Header, g.Exchanges[len(g.Exchanges)-1].Response.Header
			for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
				if pre.Get(h) != act.Get(h) {
					out = append(out, a.finding("inconsistent-preflight", "the preflight and the actual answer disagree on "+h, origin,
						fmt.Sprintf("the preflight says %q, the response %q: preflighted requests pass one check and fail the other (a CORS error in the browser, no security gain)", pre.Get(h), act.Get(h)),
						"apply one policy to every response (a middleware in front of the router, or corskit proxy)", Info, g))
					break
				}
			}
		}
	}
	// Private Network Access: ask as a public page would.
	if err := a.limiter.wait(a.ctx); err != nil {
		return out
	}
	req, _ := http.NewRequestWithContext(a.ctx, "OPTIONS", a.target.String(), nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Private-Network", "true")
	client := &http.Client{Timeout: a.opts.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Private-Network") == "true" {
			out = append(out, Finding{URL: a.target.String(), Rule: "private-network-any-origin", Severity: Medium, Level: Medium.String(),
				Title: "Private Network Access granted to any origin", Origin: "https://evil.example",
				Detail:   "public websites may reach this private-network server from a visitor's browser (browsers that still send the PNA preflight)",
				Fix:      "grant Access-Control-Allow-Private-Network only to allowed origins",
				Evidence: Evidence{Method: "OPTIONS", RequestHeaders: flat(req.Header, false), Status: resp.StatusCode, ResponseHeaders: flat(resp.Header, true)}})
		}
	}
	return out
}
