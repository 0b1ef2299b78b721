package check

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
)

// RunBothCredentials checks the request without credentials (same-origin)
// and with credentials: 'include', for evidence that does not tell the
// mode (a cURL copy). corskit sends no cookies, so the two differ only in
// the model's judgement: each HTTP request is sent once for both.
func RunBothCredentials(ctx context.Context, o Options) (without, with Report, err error) {
	send := shared(Transport(ctx, o))
	o.probeHeader = randomHeader() // one probe for both
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

// CredentialsAlternative is a request's verdict, causes and fix in the
// credentials mode its report is not for (see Report.OtherCredentials).
type CredentialsAlternative struct {
	// Credentials is the mode: include, or same-origin for none.
	Credentials browser.Credentials
	// Allowed is true when every engine judged allows it.
	Allowed bool
	// Verdict is the verdict of the engine Options.Browser names.
	Verdict browser.Verdict
	// Problems are the problems on the request's path in that mode.
	Problems []Problem
	// Fix is the fix in that mode; its Response is nil when the mode is
	// allowed.
	Fix Fix
}

// RunCredentialsUnknown checks a request whose evidence does not tell the
// page's credentials mode (a cURL copy; a fetch copy, where DevTools
// writes "omit" for any request without a cookie) in both modes, each
// HTTP request sent once. The report is for no credentials, the likelier
// without a Cookie, unless only credentials: 'include' is blocked: the
// page met an error, so it is the page's mode. When the other mode's
// verdict, first cause or fix differs, Report.OtherCredentials holds it,
// so that a user whose page sends the other mode pastes the other fix: a
// fix for no credentials leaves a credentialed page blocked.
func RunCredentialsUnknown(ctx context.Context, o Options) (Report, error) {
	without, with, err := RunBothCredentials(ctx, o)
	if err != nil {
		return without, err
	}
	if without.Allowed() && !with.Allowed() {
		return withAlternative(with, without), nil
	}
	return withAlternative(without, with), nil
}

// withAlternative is r, marked as judged without knowing the credentials
// mode, with other as its alternative when it tells something r does not.
func withAlternative(r, other Report) Report {
	r.CredentialsUnknown = true
	if other.Allowed() == r.Allowed() && firstCause(other) == firstCause(r) && samePolicy(other.Fix, r.Fix) {
		return r
	}
	r.OtherCredentials = &CredentialsAlternative{Credentials: other.Options.Credentials, Allowed: other.Allowed(), Verdict: other.Verdict, Problems: other.Problems, Fix: other.Fix}
	return r
}

// samePolicy reports whether two fixes send the same headers.
func samePolicy(a, b Fix) bool {
	return a.PreflightStatus == b.PreflightStatus && slices.Equal(a.Preflight, b.Preflight) && slices.Equal(a.Response, b.Response)
}
