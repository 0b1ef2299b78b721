package gen

import (
	"net/http"
	"slices"
	"strings"
)

// Stack is one server stack corskit knows, as one file of knowledge
// (gen/stack_NAME.go): how its answers are recognised, its typical CORS
// mistakes as named causes, the doctor's snippet in its idiom, its gen
// target, its lint rules, and the test that proves it. Every list of
// stacks (corskit gen and check --help, the doctor's --stack, the docs,
// the web page's tabs) comes from the registry (Stacks).
type Stack struct {
	// Name is the stack's name for --stack and corskit gen, e.g. "django".
	Name string
	// Title names the stack and its CORS layer for people, e.g. "Django
	// with django-cors-headers".
	Title string
	// Target is the gen target the stack adds; nil when targets.go has it
	// (the stacks that came before the registry).
	Target *Target
	// Recognize reads one answer for what names the stack; nil when the
	// stack is recognised elsewhere (storage services, by check).
	Recognize func(a Answer) Evidence
	// Causes are the stack's typical CORS mistakes, by name.
	Causes []Cause
	// Snippet turns gen's marked pieces into the doctor's snippet: two
	// forms (A. add, B. replace) for a library, or where-notes for a
	// configuration. Nil: the pieces as gen marks them.
	Snippet func(parts []Part) []Part
	// Comment is the line comment of the snippet's language; "" is "#".
	Comment string
	// Lint are the rules corskit lint runs on the stack's files.
	Lint []LintRule
	// Proof names the test that proves the stack on its real server in
	// Chromium, Firefox and WebKit, or says why it is not proved.
	Proof string
	// Doctor reports whether the doctor writes a fix for the stack (the
	// gen targets that mark the pieces an existing app needs).
	Doctor bool
}

// Proved reports whether the stack's output was run on its real server
// (Proof does not start with "not proved"): every list and output that
// shows an unproved stack marks it so.
func (s Stack) Proved() bool { return !strings.HasPrefix(s.Proof, "not proved") }

// Answer is one HTTP answer as a stack's recognition reads it.
type Answer struct {
	Status int
	Header http.Header
	// Body is the start of the body (the doctor keeps a bounded prefix).
	Body []byte
}

// Evidence is what named a stack in an answer: From quotes it (a header
// line, a cookie name, a body shape), Rank says how specific it is.
type Evidence struct {
	From string
	Rank Rank
}

// Rank orders evidence: an application's own marks beat the Server header
// of whatever serves it (often a proxy in front).
type Rank int

// The ranks, weakest first; NoEvidence means the answer does not name the
// stack.
const (
	NoEvidence Rank = iota
	ByServer        // the Server header
	ByApp           // X-Powered-By, the stack's cookies, error bodies, its CORS layer's refusals
)

// Cause is one of a stack's typical CORS mistakes.
type Cause struct {
	// ID names the cause, e.g. "django-middleware-order".
	ID string `json:"id"`
	// Mistake says what is wrong, in the stack's terms.
	Mistake string `json:"mistake"`
	// Symptom is what the browser or an answer shows.
	Symptom string `json:"symptom"`
	// Fix is what to change, in the stack's idiom.
	Fix string `json:"fix"`
	// Seen, if set, reports whether an answer shows the cause itself
	// (e.g. Starlette's "Disallowed CORS origin").
	Seen func(a Answer) bool `json:"-"`
}

// LintRule is one dangerous pattern corskit lint finds in a stack's files.
type LintRule struct {
	// ID is the rule's id, e.g. "django-allow-all-with-credentials".
	ID string
	// Severity is info, low, medium or high (audit's words).
	Severity string
	// Applies reports whether the rule reads the file (by name and text).
	Applies func(name, text string) bool
	// Find returns the rule's hits in text.
	Find func(text string) []LintHit
}

// LintHit is one place a lint rule matched.
type LintHit struct {
	Line, Column int
	Message, Fix string
}

// registry is the one table every stack list comes from; register fills
// it from the stack files' init functions.
var registry []Stack

// register adds a stack to the registry, and its gen target to the targets.
func register(s Stack) {
	if s.Target != nil {
		t := *s.Target
		t.Name = s.Name
		targets = append(targets, t)
	}
	registry = append(registry, s)
}

// Stacks returns the registered stacks, sorted by name.
func Stacks() []Stack {
	out := slices.Clone(registry)
	slices.SortFunc(out, func(a, b Stack) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// LookupStack returns the stack named name.
func LookupStack(name string) (Stack, bool) {
	return first(registry, func(s Stack) bool { return s.Name == name })
}

// Recognize names the stack one answer comes from, and the evidence: the
// most specific evidence wins (an app's marks over the Server header),
// then the registry's order. "" when no stack is named.
func Recognize(a Answer) (string, Evidence) {
	best, bestEv := "", Evidence{}
	for _, s := range registry {
		if s.Recognize == nil {
			continue
		}
		if ev := s.Recognize(a); ev.Rank > bestEv.Rank {
			best, bestEv = s.Name, ev
		}
	}
	return best, bestEv
}

// headerHas reports whether header h of a contains needle, case-folded,
// and returns the header line.
func headerHas(a Answer, h, needle string) (string, bool) {
	v := a.Header.Get(h)
	if v != "" && strings.Contains(strings.ToLower(v), needle) {
		return h + ": " + v, true
	}
	return "", false
}

// headerSent reports whether a carries header h (any value), and returns
// the header line with h spelled as given.
func headerSent(a Answer, h string) (string, bool) {
	if v := a.Header.Get(h); v != "" {
		return h + ": " + v, true
	}
	return "", false
}

// byHeaders is the Recognize of a stack named by needles in X-Powered-By
// (ranked ByApp) or Server (ByServer).
func byHeaders(powered, server []string) func(Answer) Evidence {
	return func(a Answer) Evidence {
		for _, n := range powered {
			if from, ok := headerHas(a, "X-Powered-By", n); ok {
				return Evidence{from, ByApp}
			}
		}
		for _, n := range server {
			if from, ok := headerHas(a, "Server", n); ok {
				return Evidence{from, ByServer}
			}
		}
		return Evidence{}
	}
}

// hasCookie reports whether a sets the cookie name, and the evidence.
func hasCookie(a Answer, name string) (string, bool) {
	for _, c := range a.Header.Values("Set-Cookie") {
		if n, _, ok := strings.Cut(c, "="); ok && strings.EqualFold(strings.TrimSpace(n), name) {
			return "Set-Cookie: " + name + "=...", true
		}
	}
	return "", false
}
