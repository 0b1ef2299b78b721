package check

import (
	"context"
	"fmt"
	"strings"

	"github.com/corskit/corskit/browser"
)

// RunBothCredentials checks the request without credentials (same-origin)
// and with credentials: 'include', for evidence that does not tell the
// mode (a cURL copy). corskit sends no cookies, so the two differ only in
// the model's judgement: each HTTP request is sent once for both.
func RunBothCredentials(ctx context.Context, o Options) (without, with Report, err error) {
	send := shared(Transport(ctx, o))
	o.Credentials = browser.SameOrigin
	if without, err = judge(ctx, o, send, true); err != nil {
		return without, with, err
	}
	o.Credentials = browser.Include
	with, err = judge(ctx, o, send, true)
	return without, with, err
}

// shared wraps rt so that each HTTP request goes over the network once,
// whatever credentials mode the model judges it with.
func shared(rt browser.RoundTripper) browser.RoundTripper {
	type answer struct {
		in  browser.Incoming
		err error
	}
	seen := map[string]answer{}
	return func(out browser.Outgoing) (browser.Incoming, error) {
		key := fmt.Sprintf("%v %s %s %v %v", out.Preflight, out.Method, out.URL, out.Body, out.Header)
		if a, ok := seen[key]; ok {
			return a.in, a.err
		}
		in, err := rt(out)
		seen[key] = answer{in, err}
		return in, err
	}
}

// Run checks the request the reproduction found, reusing the answers the
// search got: the request the page made is not sent again.
func (r Reproduction) Run(ctx context.Context) (Report, error) {
	real := Transport(ctx, r.Options)
	body, _, _ := r.Options.sentBody()
	return judge(ctx, r.Options, func(out browser.Outgoing) (browser.Incoming, error) {
		if r.sender != nil {
			if a, ok := r.sender.seen[r.sender.key(out, body)]; ok {
				return a.in, a.err
			}
		}
		return real(out)
	}, true)
}

// BodyNote says, when the evidence did not tell the page's body, what
// corskit sent instead; "" when it did.
func (r Report) BodyNote() string { return r.bodyNote() }

// isToken reports whether s is an HTTP token (RFC 9110), what fetch()
// accepts as a method.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
