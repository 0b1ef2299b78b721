package check

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// fileGaps looks again at a blocked request's first cause when it rests on
// something a HAR may not hold: the live check tells these causes apart
// with the probe's preflights or the refused answer's body, a file only
// when it holds them. It returns the report, its first problem refined
// from the file's other entries when they tell; else a sentence on what
// the file lacks and, when more than one cause fits, the causes, the
// report's first (the report is then AMBIGUOUS).
//
//   - An answer without CORS headers ("no CORS on the server", "wrong
//     server or error page"): another answer in the file to this URL from
//     this origin that carried Access-Control-Allow-Origin shows the CORS
//     code is there and skipped this answer (a route before it, an error
//     answer it leaves bare). Without one, the file cannot tell.
//   - A refused preflight without CORS headers whose body the file does not
//     hold (Chromium's DevTools keeps no preflight body): a missing OPTIONS
//     route and a framework's CORS code refusing the method, headers or
//     origin (Starlette's 400, aiohttp-cors' 403) look the same.
func (h HAR) fileGaps(r HARRequest, rep Report) (Report, string, []string) {
	if rep.Allowed() || len(rep.Problems) == 0 || r.entry >= len(h.entries) {
		return rep, "", nil
	}
	if line := consoleLineRecorded(r, rep); line != "" {
		return rep, line, nil
	}
	p := rep.Problems[0]
	switch {
	case (p.Name == "no CORS on the server" || p.Name == "wrong server or error page") && !p.Preflight:
		if j := h.corsAnswerFor(r); j >= 0 {
			rep.Problems[0] = answerWithoutCORS(p, fmt.Sprintf("the file's answer to entry %d (%s, from this origin) carried Access-Control-Allow-Origin, so the server's CORS code allows this origin", h.entries[j].index, h.entries[j].method))
			return rep, "", nil
		}
		if q, ok := h.cachedPreflightFor(r); ok {
			rep.Problems[0] = answerWithoutCORS(p, fmt.Sprintf("the browser sent entry %d (%s, from this origin) with no preflight in the file: its preflight passed just before, from the browser's cache, so the server's CORS code allows this origin", q.Entry, q.Options.Method))
			return rep, "", nil
		}
		other := answerWithoutCORS(p, "").Name
		return rep, fmt.Sprintf("the file holds no other answer from this URL to this origin: it cannot tell a server without CORS from CORS code that skips this %d answer (%s); a live check, whose probe sends preflights, tells them apart", p.Status, other), []string{p.Name, other}
	case p.Preflight && p.Status >= 300 && r.preflight >= 0 && r.preflight < len(h.entries):
		e := &h.entries[r.preflight]
		if !e.noContent {
			return rep, "", nil
		}
		if hasCORSHeader(e.respHeaders) {
			if m, ok := methodRefused(e, p); ok {
				rep.Problems[0] = m
			}
			return rep, "", nil
		}
		causes := []string{p.Name}
		for _, c := range refusedCauses(e) {
			if c != p.Name {
				causes = append(causes, c)
			}
		}
		if p.Name != "preflight not handled" {
			causes = append(causes, "preflight not handled")
		}
		return rep, fmt.Sprintf("the file holds no body for the preflight's %d answer (entry %d), which would say who refused it: a missing OPTIONS route, or the framework's CORS code refusing what the preflight asked (Starlette answers 400 \"Disallowed CORS method\", aiohttp-cors 403 \"CORS preflight request failed: ...\"); a live check reads the body", p.Status, e.index), causes
	}
	return rep, "", nil
}

// consoleLineRecorded: WebKit's Web Inspector records a request blocked
// by CORS with status 0, no answer, and the console's own line as its
// error ("Origin X is not allowed by Access-Control-Allow-Origin. Status
// code: 200"): the file holds no answer to judge, but the engine's line,
// which names the failure and, pasted alone, is reproduced against the
// server. It returns the sentence saying so, or "".
func consoleLineRecorded(r HARRequest, rep Report) string {
	if !errors.Is(rep.Verdict.Err, ErrNotRecorded) {
		return ""
	}
	text := consoleText(r)
	if text == "" {
		return ""
	}
	ev, _ := ParseConsole(text)
	return fmt.Sprintf("the file holds no answer for it, but its recorded failure is %s's console line, which names what failed; pasted alone, as the console shows it, the line is reproduced against the server with a bounded search of requests:\n%s", engineTitle(ev.Engine), text)
}

// consoleText is the engine's console text r's recorded failure is, made
// whole (WebKit records the first of its two lines), or "".
func consoleText(r HARRequest) string {
	if r.Failed == "" {
		return ""
	}
	text := r.Failed
	ev, err := ParseConsole(text)
	if err != nil {
		// WebKit's check line, whose second line names the URL.
		text = r.Failed + "\nFetch API cannot load " + r.Options.URL + " due to access control checks."
		ev, err = ParseConsole(text)
	}
	if err != nil || ev.Engine == "" {
		return ""
	}
	return text
}

// engineTitle is the name users know an engine by.
func engineTitle(engine string) string {
	if engine == "safari" {
		return "WebKit (Safari)"
	}
	return strings.ToUpper(engine[:1]) + engine[1:]
}

// corsAnswerFor is the index of another entry to r's URL from r's origin
// whose answer carried an Access-Control-Allow-Origin allowing it, or -1.
func (h HAR) corsAnswerFor(r HARRequest) int {
	for _, j := range h.byURL[h.entries[r.entry].url] {
		e := &h.entries[j]
		if j == r.entry || e.status == 0 || !strings.EqualFold(header(e.reqHeaders, "Origin"), r.Options.Origin) {
			continue
		}
		if a := header(e.respHeaders, "Access-Control-Allow-Origin"); a == "*" || strings.EqualFold(a, r.Options.Origin) {
			return j
		}
	}
	return -1
}

// cachedPreflightFor is another request of the file to r's URL from r's
// origin that needs a preflight the file does not hold, which the browser
// sent: a preflight passed, so the CORS code allowed the origin.
func (h HAR) cachedPreflightFor(r HARRequest) (HARRequest, bool) {
	for _, q := range h.Requests {
		if q.entry != r.entry && q.PreflightCached && q.Options.URL == r.Options.URL && strings.EqualFold(q.Options.Origin, r.Options.Origin) {
			return q, true
		}
	}
	return HARRequest{}, false
}

// hasCORSHeader reports whether an answer carries any Access-Control-*.
func hasCORSHeader(hs []harHeader) bool {
	h := http.Header{}
	for _, x := range hs {
		h.Add(x.Name, x.Value)
	}
	return hasCORS(h)
}

// refusedCauses are the things a CORS code may have refused in the
// preflight e: its method when not a simple one, its headers when it asked
// for some, its origin.
func refusedCauses(e *harEntry) []string {
	var out []string
	if m := header(e.reqHeaders, "Access-Control-Request-Method"); m != "" && !headers.IsSafelistedMethod(m) {
		out = append(out, "method refused by the CORS code")
	}
	if header(e.reqHeaders, "Access-Control-Request-Headers") != "" {
		out = append(out, "header refused by the CORS code")
	}
	return append(out, "origin refused by the CORS code")
}

// methodRefused: a refused preflight answer that carries the CORS code's
// Access-Control-Allow-Methods without the method asked for is the CORS
// code refusing the method (Starlette's 400 keeps its headers), whatever
// its body says.
func methodRefused(e *harEntry, p Problem) (Problem, bool) {
	asked := header(e.reqHeaders, "Access-Control-Request-Method")
	allowed := header(e.respHeaders, "Access-Control-Allow-Methods")
	if asked == "" || allowed == "" || headers.IsSafelistedMethod(asked) {
		return p, false
	}
	for _, m := range strings.Split(allowed, ",") {
		if m = strings.TrimSpace(m); m == "*" || m == asked {
			return p, false
		}
	}
	p.Name = "method refused by the CORS code"
	p.Sentence = fmt.Sprintf("the preflight's %d answer carries the CORS code's Access-Control-Allow-Methods: %s, without %s: the CORS code refused the method (Starlette answers 400 \"Disallowed CORS method\"); add %s to its allowed methods, keeping those listed", p.Status, allowed, asked, asked)
	return p, true
}
