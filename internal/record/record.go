// Package record watches an app in a real browser and diagnoses every
// cross-origin request its pages make: the requests as the engine sent
// them, their preflights and answers, and the engine's own console lines
// and issue reports, judged by the model of the three engines (package
// check) as they happen.
//
// The browser talks only to what the app asks for: record adds nothing to
// the pages and starts the browser with its background networking off.
package record

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// Options say what to open and how.
type Options struct {
	// URLs are opened in turn, each until its network is idle.
	URLs []string
	// Script, when set, are steps run after the URLs are opened.
	Script []Step
	// Browser is chromium (the default) or firefox.
	Browser string
	// Headless runs the browser without a window.
	Headless bool
	// Profile is the browser's profile folder, kept between runs (a
	// login); empty for a fresh profile removed at the end.
	Profile string
	// Stack names the server's stack for the fix, as check's --stack.
	Stack string
	// Credentials is the credentials mode of the app's requests, which
	// the DevTools protocol does not report: empty to take include when
	// cookies went with a request or the engine's error says so, else
	// same-origin.
	Credentials browser.Credentials
	// Idle is how long the network must be quiet for a page to count as
	// loaded; 500 ms when zero.
	Idle time.Duration
	// Timeout bounds each step (a page's load, a wait); 30 s when zero.
	// Starting the browser gets twice as long (see startTimeout).
	Timeout time.Duration
	// Flags are more command-line flags for the browser (name=value or
	// name), for tests that keep it on loopback.
	Flags []string
	// FirefoxPrefs are more user.js lines for Firefox's profile, for
	// tests that keep it on loopback.
	FirefoxPrefs []string
	// OnResult is called with each cross-origin request as it is judged.
	OnResult func(Result)
	// OnStep is called as each step starts.
	OnStep func(Step)
	// OnNote is called with a note for the user (a page still busy).
	OnNote func(string)
}

// Session is what a recording saw.
type Session struct {
	// Engine is the engine recorded.
	Engine string `json:"engine"`
	// Results are the cross-origin requests, in the order they ended.
	Results []Result `json:"requests"`
	// HAR is every request of the session as a HAR file.
	HAR []byte `json:"-"`
}

// Blocked counts the requests blocked in any engine.
func (s Session) Blocked() int {
	n := 0
	for _, r := range s.Results {
		if r.Blocked() {
			n++
		}
	}
	return n
}

// ErrNoBrowser says the browser asked for is not installed.
var ErrNoBrowser = errors.New("browser not found")

// Validate checks the options, each error naming the bad value and the fix.
func (o *Options) Validate() error {
	if len(o.URLs) == 0 && !hasOpen(o.Script) {
		return errors.New("no URL to open: give the app's URL, e.g. corskit record http://localhost:3000/, or a --script with an open step")
	}
	for _, raw := range o.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("URL %q is not an http(s) URL: give the page's full URL, e.g. http://localhost:3000/", raw)
		}
	}
	for _, st := range o.Script {
		if st.Action != "open" {
			continue
		}
		if u, err := url.Parse(st.Arg); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--script %s: %q is not an http(s) URL: give the page's full URL, e.g. http://localhost:3000/", st, st.Arg)
		}
	}
	switch o.Credentials {
	case "", browser.Include, browser.Omit, browser.SameOrigin:
	default:
		return fmt.Errorf("--credentials %q: give include, same-origin or omit, as the app's fetch() sets it", o.Credentials)
	}
	switch o.Browser {
	case "", "chromium":
		o.Browser = "chromium"
	case "firefox":
	default:
		return fmt.Errorf("--browser %q: record drives chromium or firefox", o.Browser)
	}
	if o.Idle <= 0 {
		o.Idle = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	return nil
}

// startTimeout bounds starting the browser, up to its first answer: twice
// a step's, since a browser's start on a busy machine takes longer than a
// page's load (Firefox has taken over 30 s to answer session.new).
func (o Options) startTimeout() time.Duration { return 2 * o.Timeout }

// Run opens the URLs and runs the script in the browser, judging every
// cross-origin request as it ends, and returns the session when the last
// step is done and the network idle.
func Run(ctx context.Context, o Options) (Session, error) {
	if err := o.Validate(); err != nil {
		return Session{}, err
	}
	base := check.Options{Stack: o.Stack, Credentials: o.Credentials}
	switch o.Browser {
	case "firefox":
		return runFirefox(ctx, o, base)
	default:
		return runChromium(ctx, o, base)
	}
}
