// Package scenario generates cross-origin fetch scenarios for the tests that
// hold the browser model against headless Chromium, and serves their scripted
// answers on loopback. Generation is seeded, so a failure can be replayed.
package scenario

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/corskit/corskit/browser"
)

// Answer is a scripted HTTP answer.
type Answer struct {
	Status  int         `json:"status"`
	Headers [][2]string `json:"headers"`
	// Location, when set, is sent as the Location header; "{other}" and
	// "{same}" stand for the redirect target on the other or the same server.
	Location string `json:"location,omitempty"`
}

// Scenario is one fetch() and the server's scripted answers.
type Scenario struct {
	ID          string              `json:"id"`
	Method      string              `json:"method"`
	Headers     []browser.Header    `json:"headers"`
	Credentials browser.Credentials `json:"credentials"`
	Preflight   Answer              `json:"preflight"`
	Actual      Answer              `json:"actual"`
	// Target answers the redirect, when Actual redirects.
	Target *Answer `json:"target,omitempty"`
	// Mutations describe how the answers differ from a correct one.
	Mutations []string `json:"mutations"`
}

// String describes the scenario for a failure message.
func (s Scenario) String() string {
	return fmt.Sprintf("%s: fetch %s headers=%v credentials=%s mutations=%q\n  preflight answer %+v\n  actual answer    %+v\n  redirect target  %+v",
		s.ID, s.Method, s.Headers, s.Credentials, s.Mutations, s.Preflight, s.Actual, s.Target)
}

// Body reports whether the page sends a body.
func (s Scenario) Body() bool {
	m := strings.ToUpper(s.Method)
	return m != "GET" && m != "HEAD"
}

type weighted[T any] struct {
	w int
	v T
}

func pick[T any](r *rand.Rand, items []weighted[T]) T {
	total := 0
	for _, it := range items {
		total += it.w
	}
	n := r.IntN(total)
	for _, it := range items {
		if n < it.w {
			return it.v
		}
		n -= it.w
	}
	return items[len(items)-1].v
}

var methods = []weighted[string]{
	{25, "GET"}, {15, "POST"}, {15, "PUT"}, {8, "DELETE"}, {8, "PATCH"}, {4, "patch"},
	{5, "HEAD"}, {3, "OPTIONS"}, {3, "PURGE"}, {2, "put"},
}

var headerPool = []browser.Header{
	{Name: "Accept", Value: "application/json"},
	{Name: "Accept-Language", Value: "en-US"},
	{Name: "Content-Language", Value: "de-DE"},
	{Name: "Content-Type", Value: "text/plain; charset=utf-8"},
	{Name: "Content-Type", Value: "application/x-www-form-urlencoded"},
	{Name: "Content-Type", Value: "application/json"},
	{Name: "Range", Value: "bytes=0-99"},
	{Name: "Range", Value: "bytes=-500"},
	{Name: "X-Custom", Value: "1"},
	{Name: "X-Requested-With", Value: "XMLHttpRequest"},
	{Name: "Authorization", Value: "Bearer t0k3n"},
	{Name: "Accept", Value: strings.Repeat("a", 130)},
	{Name: "Accept-Language", Value: "en_US"},
}

// Generate returns n scenarios from seed. origin is the page's origin. A
// fifth of them redirect, taking the RedirectStatuses in turn from a
// random one, so that any five redirects hold every status.
func Generate(seed uint64, n int, origin string) []Scenario {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	k := r.IntN(len(RedirectStatuses))
	nextStatus := func() int { k++; return RedirectStatuses[k%len(RedirectStatuses)] }
	out := make([]Scenario, n)
	for i := range out {
		out[i] = generate(r, fmt.Sprintf("g%d-%d", seed, i), origin, nextStatus)
	}
	return out
}

func generate(r *rand.Rand, id, origin string, redirectStatus func() int) Scenario {
	s := Scenario{ID: id, Method: pick(r, methods)}
	s.Credentials = pick(r, []weighted[browser.Credentials]{{30, browser.Omit}, {30, browser.SameOrigin}, {40, browser.Include}})
	s.Headers = pickHeaders(r, pick(r, []weighted[int]{{35, 0}, {35, 1}, {20, 2}, {10, 3}}))
	include := s.Credentials == browser.Include

	// A correct answer first.
	common := allowOrigin(r, origin, include)
	s.Preflight = correctPreflight(r, common, normalize(s.Method), browser.UnsafeHeaderNames(s.Headers), include)
	s.Actual = correctActual(r, common, include)

	// A redirect now and then.
	if r.IntN(5) == 0 {
		s.redirect(r, origin, redirectStatus())
	}
	// Then near misses, skewed so that a good share stays allowed.
	switch n := r.IntN(100); {
	case n < 40:
	case n < 90:
		s.mutate(r, origin)
	default:
		s.mutate(r, origin)
		s.mutate(r, origin)
	}
	return s
}

// pickHeaders picks k request headers from headerPool, no name twice.
func pickHeaders(r *rand.Rand, k int) []browser.Header {
	var hs []browser.Header
	for _, idx := range r.Perm(len(headerPool)) {
		if len(hs) == k {
			break
		}
		h := headerPool[idx]
		if slices.ContainsFunc(hs, func(x browser.Header) bool { return strings.EqualFold(x.Name, h.Name) }) {
			continue
		}
		hs = append(hs, h)
	}
	return hs
}

// allowOrigin returns the headers that allow origin in both answers:
// Access-Control-Allow-Origin (now and then * when not include), and
// Access-Control-Allow-Credentials when include.
func allowOrigin(r *rand.Rand, origin string, include bool) [][2]string {
	acao := origin
	if !include && r.IntN(10) < 3 {
		acao = "*"
	}
	common := [][2]string{{"Access-Control-Allow-Origin", acao}}
	if include {
		common = append(common, [2]string{"Access-Control-Allow-Credentials", "true"})
	}
	return common
}

// correctPreflight returns a preflight answer that allows the method
// normMethod and the unsafe header names, starting from common.
func correctPreflight(r *rand.Rand, common [][2]string, normMethod string, unsafe []string, include bool) Answer {
	pre := Answer{Status: pick(r, []weighted[int]{{70, 204}, {30, 200}}), Headers: slices.Clone(common)}
	switch n := r.IntN(10); {
	case n < 5:
		pre.Headers = append(pre.Headers, [2]string{"Access-Control-Allow-Methods", normMethod})
	case n < 8 || include:
		pre.Headers = append(pre.Headers, [2]string{"Access-Control-Allow-Methods", "GET, POST, " + normMethod + ", DELETE"})
	default:
		pre.Headers = append(pre.Headers, [2]string{"Access-Control-Allow-Methods", "*"})
	}
	if len(unsafe) > 0 {
		names := slices.Clone(unsafe)
		if r.IntN(2) == 0 {
			for j, n := range names {
				names[j] = titleCase(n)
			}
		}
		v := strings.Join(names, ", ")
		if !include && r.IntN(5) == 0 {
			v = "*"
		}
		pre.Headers = append(pre.Headers, [2]string{"Access-Control-Allow-Headers", v})
	}
	if r.IntN(2) == 0 {
		pre.Headers = append(pre.Headers, [2]string{"Access-Control-Max-Age", "600"})
	}
	return pre
}

// correctActual returns an actual answer that allows the read, starting
// from common, with now and then exposed headers and Vary: Origin.
func correctActual(r *rand.Rand, common [][2]string, include bool) Answer {
	act := Answer{Status: pick(r, []weighted[int]{{80, 200}, {10, 404}, {10, 500}}), Headers: slices.Clone(common)}
	switch r.IntN(4) {
	case 1:
		act.Headers = append(act.Headers, [2]string{"Access-Control-Expose-Headers", "X-Secret"})
	case 2:
		if !include {
			act.Headers = append(act.Headers, [2]string{"Access-Control-Expose-Headers", "*"})
		}
	case 3:
		act.Headers = append(act.Headers, [2]string{"Access-Control-Expose-Headers", "x-secret, x-other"})
	}
	if r.IntN(2) == 0 {
		act.Headers = append(act.Headers, [2]string{"Vary", "Origin"})
	}
	act.Headers = append(act.Headers, [2]string{"X-Secret", "shh"}, [2]string{"Content-Type", "text/plain"})
	return act
}

// redirect turns the actual answer into a redirect, with status, to the
// same or the other server, whose answer carries what the tainted origin
// needs, or not.
func (s *Scenario) redirect(r *rand.Rand, origin string, status int) {
	target := s.Actual
	loc := "{same}"
	if r.IntN(2) == 0 {
		loc = "{other}"
	}
	s.Actual = Answer{Status: status, Headers: slices.Clone(target.Headers[:1]), Location: loc}
	if s.Credentials == browser.Include {
		s.Actual.Headers = append(s.Actual.Headers, [2]string{"Access-Control-Allow-Credentials", "true"})
	}
	if loc == "{other}" {
		// The chain went cross-origin: the next hop sees Origin: null.
		v := pick(r, []weighted[string]{{50, "null"}, {25, origin}, {25, "*"}})
		target.Headers = slices.Clone(target.Headers)
		target.Headers[0][1] = v
	}
	s.Target = &target
	s.Mutations = append(s.Mutations, fmt.Sprintf("redirect %d to %s", status, loc))
}

var acaoMutations = []string{"missing", "other", "slash", "upper", "twice", "null", "star", "invalid", "space", "list", "empty"}

// mutate makes one near miss in the answers.
func (s *Scenario) mutate(r *rand.Rand, origin string) {
	switch r.IntN(6) {
	case 0, 1:
		m := acaoMutations[r.IntN(len(acaoMutations))]
		onPreflight := r.IntN(2) == 0
		ans := &s.Actual
		if onPreflight {
			ans = &s.Preflight
		}
		ans.Headers = mutateACAO(ans.Headers, m, origin)
		s.Mutations = append(s.Mutations, fmt.Sprintf("ACAO %s on %s", m, which(onPreflight)))
	case 2:
		m := []string{"missing", "True", "twice", "false"}[r.IntN(4)]
		onPreflight := r.IntN(2) == 0
		ans := &s.Actual
		if onPreflight {
			ans = &s.Preflight
		}
		ans.Headers = setHeader(ans.Headers, "Access-Control-Allow-Credentials", m)
		s.Mutations = append(s.Mutations, fmt.Sprintf("ACAC %s on %s", m, which(onPreflight)))
	case 3:
		st := []int{404, 500, 403, 301, 302, 401}[r.IntN(6)]
		s.Preflight.Status = st
		if st == 301 || st == 302 {
			s.Preflight.Location = "/elsewhere"
		}
		s.Mutations = append(s.Mutations, fmt.Sprintf("preflight status %d", st))
	case 4:
		m := []string{"drop", "case", "star", "invalid", "empty-item"}[r.IntN(5)]
		s.Preflight.Headers = mutateList(s.Preflight.Headers, "Access-Control-Allow-Methods", m, normalize(s.Method))
		s.Mutations = append(s.Mutations, "ACAM "+m)
	case 5:
		m := []string{"drop", "star", "invalid", "expose-drop", "expose-star"}[r.IntN(5)]
		if strings.HasPrefix(m, "expose-") {
			s.Actual.Headers = mutateList(s.Actual.Headers, "Access-Control-Expose-Headers", strings.TrimPrefix(m, "expose-"), "X-Secret")
		} else {
			s.Preflight.Headers = mutateList(s.Preflight.Headers, "Access-Control-Allow-Headers", m, "")
		}
		s.Mutations = append(s.Mutations, "ACAH/ACEH "+m)
	}
}

func which(preflight bool) string {
	if preflight {
		return "preflight"
	}
	return "actual"
}

func mutateACAO(hs [][2]string, m, origin string) [][2]string {
	hs = without(hs, "Access-Control-Allow-Origin")
	switch m {
	case "missing":
		return hs
	case "other":
		return append(hs, [2]string{"Access-Control-Allow-Origin", "http://127.0.0.1:1"})
	case "slash":
		return append(hs, [2]string{"Access-Control-Allow-Origin", origin + "/"})
	case "upper":
		return append(hs, [2]string{"Access-Control-Allow-Origin", strings.ToUpper(origin)})
	case "twice":
		return append(hs, [2]string{"Access-Control-Allow-Origin", origin}, [2]string{"Access-Control-Allow-Origin", origin})
	case "null":
		return append(hs, [2]string{"Access-Control-Allow-Origin", "null"})
	case "star":
		return append(hs, [2]string{"Access-Control-Allow-Origin", "*"})
	case "invalid":
		return append(hs, [2]string{"Access-Control-Allow-Origin", "app.example.com"})
	case "space":
		return append(hs, [2]string{"Access-Control-Allow-Origin", " " + origin})
	case "list":
		return append(hs, [2]string{"Access-Control-Allow-Origin", origin + ", http://evil.test"})
	case "empty":
		return append(hs, [2]string{"Access-Control-Allow-Origin", ""})
	}
	return hs
}

func setHeader(hs [][2]string, name, m string) [][2]string {
	hs = without(hs, name)
	switch m {
	case "missing":
		return hs
	case "twice":
		return append(hs, [2]string{name, "true"}, [2]string{name, "true"})
	}
	return append(hs, [2]string{name, m})
}

func mutateList(hs [][2]string, name, m, item string) [][2]string {
	old := ""
	for _, h := range hs {
		if h[0] == name {
			old = h[1]
		}
	}
	hs = without(hs, name)
	switch m {
	case "drop":
		if item == "" {
			return hs
		}
		var keep []string
		for p := range strings.SplitSeq(old, ",") {
			if p = strings.TrimSpace(p); p != "" && p != item {
				keep = append(keep, p)
			}
		}
		if len(keep) == 0 {
			return hs
		}
		return append(hs, [2]string{name, strings.Join(keep, ", ")})
	case "case":
		if strings.ToLower(item) == item {
			return append(hs, [2]string{name, strings.ToUpper(item)})
		}
		return append(hs, [2]string{name, strings.ToLower(item)})
	case "star":
		return append(hs, [2]string{name, "*"})
	case "invalid":
		return append(hs, [2]string{name, "GET POST, x y"})
	case "empty-item":
		return append(hs, [2]string{name, item + ",, GET"})
	}
	return hs
}

func without(hs [][2]string, name string) [][2]string {
	return slices.DeleteFunc(slices.Clone(hs), func(h [2]string) bool { return strings.EqualFold(h[0], name) })
}

func normalize(m string) string {
	switch strings.ToUpper(m) {
	case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
		return strings.ToUpper(m)
	}
	return m
}

func titleCase(n string) string {
	parts := strings.Split(n, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// HeaderOrders returns fixed scenarios in which the preflight refuses two or
// more of the page's headers, set in several orders: which one an engine
// names depends on the order it checks them in (WebKit: the names it knows
// first, then the others, each in the page's order; Firefox and Chromium:
// sorted). origin is the page's origin.
func HeaderOrders(origin string) []Scenario {
	h := func(kv ...string) []browser.Header {
		var hs []browser.Header
		for i := 0; i+1 < len(kv); i += 2 {
			hs = append(hs, browser.Header{Name: kv[i], Value: kv[i+1]})
		}
		return hs
	}
	cases := []struct {
		method  string
		creds   browser.Credentials
		headers []browser.Header
		allow   string // Access-Control-Allow-Headers; "" for none
	}{
		// Issue 26, and the same headers in other orders.
		{"POST", browser.SameOrigin, h("X-Trace-Id", "1", "X-Api-Key", "k", "Content-Type", "application/json"), "Content-Type"},
		{"POST", browser.SameOrigin, h("X-Api-Key", "k", "X-Trace-Id", "1", "Content-Type", "application/json"), "Content-Type"},
		{"POST", browser.Omit, h("Content-Type", "application/json", "X-Trace-Id", "1", "X-Api-Key", "k"), ""},
		{"POST", browser.Omit, h("X-Trace-Id", "1", "X-Api-Key", "k", "content-type", "application/json"), "X-Other"},
		// A name WebKit knows (Authorization, Cache-Control, Pragma, Accept)
		// after custom ones, and among themselves.
		{"GET", browser.Include, h("X-Trace-Id", "1", "Authorization", "Bearer t0k3n"), "X-Other"},
		{"GET", browser.Omit, h("X-Zeta", "1", "X-Alpha", "1", "authorization", "Bearer t0k3n"), "Authorization"},
		{"PUT", browser.SameOrigin, h("Pragma", "no-cache", "Cache-Control", "no-cache", "X-Trace-Id", "1"), "X-Trace-Id"},
		{"PUT", browser.Include, h("X-Api-Key", "k", "Cache-Control", "no-cache", "Authorization", "Bearer t0k3n"), "*"},
		{"GET", browser.Omit, h("X-Trace-Id", "1", "Accept", "text/html(x)"), "X-Other"},
		// Custom names only: the page's order, the page's spelling.
		{"DELETE", browser.SameOrigin, h("x-trace-id", "1", "X-Api-Key", "k"), ""},
		{"GET", browser.Omit, h("X-Custom", "1", "X-Requested-With", "XMLHttpRequest"), "X-Other"},
		{"GET", browser.Include, h("X-Requested-With", "XMLHttpRequest", "X-Custom", "1"), "X-Other"},
		{"PATCH", browser.Omit, h("X-Allowed", "1", "X-Zed", "1", "X-Allowed-Too", "1", "X-Abc", "1"), "X-Allowed, X-Allowed-Too"},
		{"POST", browser.Omit, h("X-B", "1", "X-A", "1", "x-b", "2"), ""},
	}
	out := make([]Scenario, len(cases))
	for i, c := range cases {
		acao := [][2]string{{"Access-Control-Allow-Origin", origin}}
		if c.creds == browser.Include {
			acao = append(acao, [2]string{"Access-Control-Allow-Credentials", "true"})
		}
		pre := Answer{Status: 204, Headers: append(slices.Clone(acao), [2]string{"Access-Control-Allow-Methods", c.method})}
		if c.allow != "" {
			pre.Headers = append(pre.Headers, [2]string{"Access-Control-Allow-Headers", c.allow})
		}
		out[i] = Scenario{ID: fmt.Sprintf("order-%d", i), Method: c.method, Headers: c.headers, Credentials: c.creds,
			Preflight: pre, Actual: Answer{Status: 200, Headers: slices.Clone(acao)}, Mutations: []string{"refused headers in the page's order"}}
	}
	return out
}
