package check

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/cors/unstable/origin"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/quote"
)

// HeaderLine is one response header the server must send.
type HeaderLine struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// StackGiven is Fix.StackFrom when Options.Stack named the stack.
const StackGiven = "given"

// Fix is what the server must send for the request to be allowed, keeping
// what it already allows.
type Fix struct {
	// PreflightStatus and Preflight are the answer the OPTIONS preflight
	// needs, when the request is preflighted.
	PreflightStatus int
	Preflight       []HeaderLine
	// Response are the headers every other response needs (errors too).
	Response []HeaderLine
	// Policy is the policy the fix is written from: what the request needs,
	// the origins Options.AlsoOrigins names, and the origins, methods, headers and
	// exposed headers the server's answers already allowed.
	Policy cors.Config
	// Stack is the server stack Snippet is for; empty when unknown.
	Stack string
	// StackFrom says how the stack was chosen: StackGiven when
	// Options.Stack named it, "Options.Rules" for a bucket's rules, or the
	// header it was detected from.
	StackFrom string
	// Snippet is the configuration for Stack, ready to paste into an
	// existing app.
	Snippet string
	// Snippets are the configurations for every stack, by stack.
	Snippets map[string]string
	// Pieces are the snippets' pieces, by stack, each with where it goes.
	Pieces map[string][]gen.Part
	// Dropped are the names in the server's answers that the fix does not
	// keep, because they are not plausible method or header names.
	Dropped []Dropped
	// Learned is the server's current policy as the probe showed it; nil
	// when no probe ran (a recording, or nothing to fix).
	Learned *Learned
	// Keeps says what the server allows today, which the fix keeps; Adds
	// what the request needs besides. Both "" without a probe.
	Keeps, Adds string
	// Causes are Stack's typical CORS mistakes (its stack file's), the
	// ones an answer shows first.
	Causes []StackCause
}

// StackCause is one of a stack's typical mistakes, and whether one of the
// answers shows it.
type StackCause struct {
	gen.Cause
	// Seen is true when an answer shows the cause itself (e.g. Starlette's
	// 400 "Disallowed CORS method").
	Seen bool `json:"seen"`
}

// causesFor lists the stack's causes, those an answer shows first.
func causesFor(stack string, v browser.Verdict) []StackCause {
	s, ok := gen.LookupStack(stack)
	if !ok {
		return nil
	}
	var seen, rest []StackCause
	for _, c := range s.Causes {
		sc := StackCause{Cause: c}
		for _, x := range v.Exchanges {
			if c.Seen != nil && c.Seen(answerOf(x.Response)) {
				sc.Seen = true
			}
		}
		if sc.Seen {
			seen = append(seen, sc)
		} else {
			rest = append(rest, sc)
		}
	}
	return append(seen, rest...)
}

// Dropped is a name from a server's answer that the fix leaves out.
type Dropped struct {
	// Header is the answer's header that named it, e.g.
	// Access-Control-Expose-Headers.
	Header string `json:"header"`
	// Name is the name, as the server sent it.
	Name string `json:"name"`
	// Why says why it is left out.
	Why string `json:"why"`
}

// droppedWhy is why a name from a server's answer is left out of the fix.
const droppedWhy = "not a plausible name (letters, digits and - only): a server's answer is untrusted, and the fix is code to paste"

// plausibleName reports whether a method or header name from a server's
// answer is kept in the fix: letters, digits and -, the names real methods
// and headers have. Other HTTP token characters (' ` $ % # | ^ ~ ! & * + .
// _) are legal but serve no real header and are the stuff of injection.
func plausibleName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// headerFixable reports whether v is blocked for a reason the server's CORS
// headers can fix: not a network error, too many redirects, mixed content or
// Local Network Access.
func headerFixable(v browser.Verdict) bool {
	switch v.Reason {
	case browser.Allowed, browser.NetworkError, browser.TooManyRedirects, browser.BadPort, browser.MixedContent, browser.LocalNetworkAccess:
		return false
	}
	return !v.Allowed
}

// policyFor is the policy the fix is written from: the request's needs
// added to what the server's answers show it allows, never narrowed.
func policyFor(o Options, answers []http.Header) cors.Config {
	c, _ := fixPolicy(o, answers)
	return c
}

// fixPolicy is policyFor, with the names of the answers it leaves out.
func fixPolicy(o Options, answers []http.Header) (c cors.Config, dropped []Dropped) {
	c.AllowOrigins = append([]string{o.Origin}, o.AlsoOrigins...)
	c.AllowCredentials = o.Credentials == browser.Include
	if m := headers.NormalizeMethod(o.Method); !headers.IsSafelistedMethod(m) {
		c.AllowMethods = []string{m}
	}
	for _, n := range browser.UnsafeHeaderNames(o.Headers) {
		c.AllowHeaders = append(c.AllowHeaders, http.CanonicalHeaderKey(n))
	}
	c.ExposeHeaders = slices.Clone(o.Read)
	c.MaxAge = 600
	for _, h := range answers {
		for _, v := range h.Values("Access-Control-Allow-Origin") {
			if p, err := origin.Parse(v); err == nil && p.Kind == origin.Exact && p.Port != "*" {
				c.AllowOrigins = addFold(c.AllowOrigins, v)
			}
		}
		for _, l := range []struct {
			header string
			list   *[]string
			norm   func(string) string
		}{
			{"Access-Control-Allow-Methods", &c.AllowMethods, headers.NormalizeMethod},
			{"Access-Control-Allow-Headers", &c.AllowHeaders, http.CanonicalHeaderKey},
			{"Access-Control-Expose-Headers", &c.ExposeHeaders, http.CanonicalHeaderKey},
		} {
			var bad []string
			*l.list, bad = addList(*l.list, h.Values(l.header), l.norm)
			for _, n := range bad {
				if !slices.ContainsFunc(dropped, func(d Dropped) bool { return d.Header == l.header && d.Name == n }) {
					dropped = append(dropped, Dropped{Header: l.header, Name: n, Why: droppedWhy})
				}
			}
		}
		if strings.TrimSpace(h.Get("Access-Control-Allow-Credentials")) == "true" {
			c.AllowCredentials = true
		}
		if age, err := strconv.Atoi(strings.TrimSpace(h.Get("Access-Control-Max-Age"))); err == nil && age > 0 && age <= 7200 {
			c.MaxAge = age
		}
	}
	c.AllowHeaders, dropped = withoutForbidden(c.AllowHeaders, dropped)
	if c.AllowCredentials && slices.ContainsFunc(c.AllowOrigins, insecure) {
		// The app already runs with this origin: the fix says so in its
		// risks rather than refusing to write it.
		c.DangerouslyAllowInsecureOriginsWithCredentials = true
	}
	return c, dropped
}

// insecure reports whether an origin is http:// on a host that is not
// loopback.
func insecure(o string) bool {
	p, err := origin.Parse(o)
	return err == nil && p.Scheme == "http" && !p.IsLocal()
}

// forbiddenWhy is why a forbidden request header a server allows is left
// out of the fix.
const forbiddenWhy = "a forbidden request header: browsers set it themselves and page script cannot, so allowing it has no effect (cors.Config and gen refuse it)"

// withoutForbidden removes from the allowed headers the forbidden request
// headers a server lists (guides for next.config.js headers() list Date
// and Content-Length), which would make gen refuse the whole fix, and
// adds them to dropped.
func withoutForbidden(allowed []string, dropped []Dropped) ([]string, []Dropped) {
	return slices.DeleteFunc(allowed, func(h string) bool {
		if !headers.IsForbiddenRequestHeader(h) {
			return false
		}
		dropped = append(dropped, Dropped{Header: "Access-Control-Allow-Headers", Name: h, Why: forbiddenWhy})
		return true
	}), dropped
}

// addList adds the comma-separated items of values to list, normalized by
// norm, skipping * (a wildcard the fix does not widen to) and duplicates,
// and returns the items that are not plausible names, which it leaves out.
func addList(list, values []string, norm func(string) string) (_, dropped []string) {
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			switch item = strings.TrimSpace(item); {
			case item == "" || item == "*":
			case plausibleName(item):
				list = addFold(list, norm(item))
			default:
				dropped = append(dropped, item)
			}
		}
	}
	return list, dropped
}

// addFold appends s unless list has it, compared case-insensitively.
func addFold(list []string, s string) []string {
	if slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) }) {
		return list
	}
	return append(list, s)
}

// fixFor returns the fix for a blocked verdict; nothing when it is allowed or
// failed for a reason no header can fix.
func fixFor(o Options, v browser.Verdict, answers []http.Header, learned *Learned) Fix {
	if !headerFixable(v) {
		return Fix{}
	}
	c, dropped := fixPolicy(o, answers)
	keeps, adds := keepLearned(&c, o, learned)
	f := Fix{Policy: c, Dropped: dropped, Learned: learned, Keeps: keeps, Adds: adds}
	common := []HeaderLine{{"Access-Control-Allow-Origin", o.Origin}}
	if c.AllowCredentials {
		common = append(common, HeaderLine{"Access-Control-Allow-Credentials", "true"})
	}
	if v.Preflight {
		f.PreflightStatus = http.StatusNoContent
		f.Preflight = slices.Clone(common)
		if len(c.AllowMethods) > 0 {
			f.Preflight = append(f.Preflight, HeaderLine{"Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ", ")})
		}
		if len(c.AllowHeaders) > 0 {
			f.Preflight = append(f.Preflight, HeaderLine{"Access-Control-Allow-Headers", allowHeadersValue(c)})
		}
		f.Preflight = append(f.Preflight, HeaderLine{"Access-Control-Max-Age", strconv.Itoa(c.MaxAge)},
			HeaderLine{"Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"})
	}
	f.Response = common
	if len(c.ExposeHeaders) > 0 {
		f.Response = append(f.Response, HeaderLine{"Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ", ")})
	}
	f.Response = append(f.Response, HeaderLine{"Vary", "Origin"})

	f.Snippets, f.Pieces = map[string]string{}, map[string][]gen.Part{}
	for _, stack := range doctorStacks() {
		if parts, err := pieces(stack, stackPolicy(o, stack, c)); err == nil {
			f.Pieces[stack] = parts
			f.Snippets[stack] = renderSnippet(stack, c, parts)
		}
	}
	f.Stack, f.StackFrom = o.Stack, StackGiven
	if o.Stack == "auto" || o.Stack == "" {
		f.Stack, f.StackFrom = detectStack(v)
	}
	if svc, ok := buckets.Detect(o.Rules); ok && (f.Stack == "" || f.Stack == string(svc)) {
		f.Stack, f.StackFrom = string(svc), cmp.Or(f.StackFrom, "Options.Rules")
		if merged, err := mergedStorageSnippet(f.Stack, o.Rules, gen.Options{Policy: stackPolicy(o, f.Stack, c)}); err == nil {
			f.Snippets[f.Stack] = merged
		} else {
			f.Snippets[f.Stack] = "# " + quote.Comment(err.Error()) + "\n" + f.Snippets[f.Stack]
		}
	}
	exposeETag(o, &f)
	f.Snippet = f.Snippets[f.Stack]
	f.Causes = causesFor(f.Stack, v)
	return f
}

// detectStack guesses the server stack from the answers, the last answer
// first: a storage service's error body, else the stack files'
// recognition, the most specific evidence winning (an app's own marks over
// a Server header).
func detectStack(v browser.Verdict) (stack, from string) {
	var best gen.Evidence
	for i := len(v.Exchanges) - 1; i >= 0; i-- {
		x := v.Exchanges[i]
		if stack, from := storageFrom(x.Response.Header, x.Response.Body); stack != "" {
			return stack, from
		}
		if s, ev := gen.Recognize(answerOf(x.Response)); ev.Rank > best.Rank {
			stack, best = s, ev
		}
	}
	return stack, best.From
}

// answerOf is an answer as the stack files read it.
func answerOf(r browser.Incoming) gen.Answer {
	return gen.Answer{Status: r.Status, Header: r.Header, Body: r.Body}
}

// stackOf is the stack one answer's headers name, or "".
func stackOf(h http.Header) string {
	if stack, _ := storageFrom(h, nil); stack != "" {
		return stack
	}
	stack, _ := gen.Recognize(gen.Answer{Header: h})
	return stack
}

// allowHeadersValue is the preflight's Access-Control-Allow-Headers for c:
// its list, or, when it allows any header, the request's own list echoed
// (browsers read * literally on credentialed requests, and * never covers
// Authorization).
func allowHeadersValue(c cors.Config) string {
	if slices.Contains(c.AllowHeaders, "*") {
		return "(the preflight's Access-Control-Request-Headers, echoed)"
	}
	return strings.Join(c.AllowHeaders, ", ")
}
