package record

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browserwire"
)

// ChromiumPath returns the Chromium binary: $CORSKIT_CHROMIUM, else
// chromium, chromium-browser or google-chrome on PATH, else "".
func ChromiumPath() string { return browserwire.ChromiumPath() }

// chromiumFlags are the flags Chromium runs with: a fresh or given
// profile, no first-run page, and none of the background services that
// talk to the network on their own (component and safe-browsing updates,
// sync, metrics, the default apps): the browser talks only to what the
// app asks for.
func chromiumFlags(o Options, path, profile string) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WSURLReadTimeout(o.startTimeout()),
	}
	if o.Headless {
		opts = append(opts, chromedp.Headless, chromedp.DisableGPU,
			// No one sees a headless browser's omnibox, whose popups
			// Chromium 156 preloads as WebUI pages in a renderer of
			// their own: 1.7 s of CPU per start. --flag disable-features=
			// replaces this list.
			chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxAimPopup"))
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses root with its sandbox
	}
	for _, f := range o.Flags {
		name, value, ok := strings.Cut(f, "=")
		if ok {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	return opts
}

// runChromium records a session in Chromium by the DevTools protocol.
func runChromium(ctx context.Context, o Options, base check.Options) (Session, error) {
	path := ChromiumPath()
	if err := canLaunch(o, "chromium", path, "apt-get install chromium", "CORSKIT_CHROMIUM"); err != nil {
		return Session{}, err
	}
	profile, cleanup, err := profileDir(o.Profile)
	if err != nil {
		return Session{}, err
	}
	defer cleanup()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromiumFlags(o, path, profile)...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	s := newSession("chromium", base, o)
	if err := chromedp.Listen(bctx, s.chromiumEvent); err != nil {
		return Session{}, fmt.Errorf("starting Chromium at %s: %v", path, err)
	}
	if _, err := chromedp.Call(bctx, audits.Enable, struct{}{}); err != nil {
		return Session{}, fmt.Errorf("chromium at %s: enabling its issue reports: %v", path, err)
	}
	drv := chromiumDriver{ctx: bctx}
	return s.run(ctx, drv)
}

// chromiumEvent files one DevTools event; it runs in chromedp's read loop
// and so only takes a lock.
func (s *session) chromiumEvent(ev any) {
	c := s.cap
	c.mu.Lock()
	defer c.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if e.RedirectResponse != nil {
			// The same id goes on to the redirect's target: the hop
			// answered is an exchange of its own.
			prev := c.get(string(e.RequestID))
			hop := *prev
			hop.id, hop.done = hop.id+fmt.Sprintf("-hop%d", len(c.order)), true
			hop.status, hop.respHeaders = int(e.RedirectResponse.Status), browserwire.HeaderMap(e.RedirectResponse.Headers)
			c.byID[hop.id] = &hop
			c.order = append(c.order, hop.id)
			prev.sent, prev.extra = nil, false
			c.inflight--
		}
		x := c.get(string(e.RequestID))
		x.url, x.method, x.resourceType = e.Request.URL, e.Request.Method, strings.ToLower(string(e.Type))
		x.reqHeaders, x.pageOrigin = browserwire.HeaderMap(e.Request.Headers), originOf(e.DocumentURL)
		if e.Initiator != nil && e.Initiator.Type == network.InitiatorTypePreflight {
			x.resourceType, x.preflightOf = "preflight", string(e.Initiator.RequestID)
		}
		x.body = ""
		for _, p := range e.Request.PostDataEntries {
			if len(x.body)+len(p.Bytes) <= maxBody {
				x.body += string(p.Bytes)
			}
		}
		c.inflight++
	case *network.EventRequestWillBeSentExtraInfo:
		x := c.get(string(e.RequestID))
		x.sent = browserwire.HeaderMap(e.Headers)
	case *network.EventResponseReceived:
		x := c.get(string(e.RequestID))
		if !x.extra {
			x.status, x.respHeaders = int(e.Response.Status), browserwire.HeaderMap(e.Response.Headers)
		}
	case *network.EventResponseReceivedExtraInfo:
		x := c.get(string(e.RequestID))
		x.status, x.respHeaders, x.extra = int(e.StatusCode), browserwire.HeaderMap(e.Headers), true
	case *network.EventLoadingFinished:
		s.ended(c.get(string(e.RequestID)))
	case *network.EventLoadingFailed:
		x := c.get(string(e.RequestID))
		x.failed = e.ErrorText
		if e.CorsErrorStatus != nil {
			x.engineCode = string(e.CorsErrorStatus.CorsError)
		}
		s.ended(x)
	case *log.EventEntryAdded:
		s.consoleLine(e.Entry)
	case *audits.EventIssueAdded:
		if e.Issue == nil || e.Issue.Details == nil || e.Issue.Details.CorsIssueDetails == nil {
			return
		}
		d := e.Issue.Details.CorsIssueDetails
		if d.Request == nil || d.CorsErrorStatus == nil {
			return
		}
		x := c.get(string(d.Request.RequestID))
		x.issue = string(e.Issue.Code) + ": " + string(d.CorsErrorStatus.CorsError)
		if d.CorsErrorStatus.FailedParameter != "" {
			x.issue += " (" + d.CorsErrorStatus.FailedParameter + ")"
		}
		c.poke()
	}
}

// consoleLine files an error the engine logged against its request; c.mu
// is held.
func (s *session) consoleLine(e *log.Entry) {
	if e == nil || e.Level != log.EntryLevelError {
		return
	}
	c := s.cap
	if e.NetworkRequestID != "" {
		if x, ok := c.byID[string(e.NetworkRequestID)]; ok {
			x.console = append(x.console, e.Text)
			c.poke()
			return
		}
	}
	// The CORS line names the URL, not the request: it goes to the first
	// request for that URL that ended, is not judged yet and has no line of
	// its own, else the first still under way.
	if x := c.awaitingLine(e.Text, e.URL); x != nil {
		x.console = append(x.console, e.Text)
		c.poke()
	}
}

// awaitingLine returns the request a console line is about, or nil; c.mu
// is held.
func (c *capture) awaitingLine(text, lineURL string) *exchange {
	var pending *exchange
	for _, id := range c.order {
		x := c.byID[id]
		if x.url == "" || x.resourceType == "preflight" || x.hasCORSLine() {
			continue
		}
		if !names(text, x.url) && !(lineURL == x.url && strings.HasPrefix(text, "Failed to load resource")) {
			continue
		}
		if x.done && !x.judged {
			return x
		}
		if !x.done && pending == nil {
			pending = x
		}
	}
	return pending
}

// names reports whether an engine's CORS line names url: Chromium quotes
// it, Firefox ends a sentence with it.
func names(text, url string) bool {
	return strings.Contains(text, "'"+url+"'") || strings.Contains(text, " at "+url+". (") || strings.Contains(text, " at ‘"+url+"’. (")
}

// hasCORSLine reports whether the engine logged a CORS line for x.
func (x *exchange) hasCORSLine() bool {
	return x.corsLine() != ""
}

// corsLine is the engine's CORS line for x, or "".
func (x *exchange) corsLine() string {
	for _, l := range x.console {
		if strings.Contains(l, "CORS") || strings.Contains(l, "Cross-Origin Request Blocked") {
			return l
		}
	}
	return ""
}

// chromiumDriver runs the steps of a session in Chromium's tab.
type chromiumDriver struct{ ctx context.Context }

func (d chromiumDriver) open(ctx context.Context, url string) error {
	return d.do(ctx, chromedp.Navigate(url))
}

func (d chromiumDriver) click(ctx context.Context, sel string) error {
	return d.do(ctx, chromedp.Click(sel, chromedp.NodeVisible))
}

func (d chromiumDriver) fill(ctx context.Context, sel, text string) error {
	return d.do(ctx, chromedp.Steps(chromedp.WaitVisible(sel), chromedp.Clear(sel), chromedp.SendKeys(sel, text)))
}

func (d chromiumDriver) bodyText(ctx context.Context) (string, error) {
	tctx, cancel := context.WithCancel(d.ctx)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	return chromedp.Run(tctx, chromedp.Text("body", chromedp.NodeReady))
}

// do runs a on the tab, bounded by ctx's deadline.
func (d chromiumDriver) do(ctx context.Context, a chromedp.Action[chromedp.Void]) error {
	tctx, cancel := context.WithCancel(d.ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	return chromedp.Do(tctx, a)
}
