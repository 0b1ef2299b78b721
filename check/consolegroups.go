package check

import (
	"slices"
	"strings"
)

// Pasted console text holds the lines of one or several failures. A
// ConsoleFailure is one of them: the lines one engine logged for one
// blocked fetch, as the model prints them (without the console's prefixes).
type ConsoleFailure struct {
	// Engine is chromium, firefox or safari.
	Engine string `json:"engine"`
	// Lines are the failure's lines, in order.
	Lines []string `json:"lines"`
	// Count is how many times the same lines were pasted.
	Count int `json:"count"`
}

// maxFailures bounds the failures read from one paste: a whole console of
// errors is diagnosed, a log of thousands is not.
const maxFailures = 16

// SplitConsole cuts pasted console text into the failures it shows, in
// order, the same lines pasted twice counted once: Chromium logs one line
// per failure; Firefox a line naming the check, then "CORS request did not
// succeed" lines for a cancelled preflight or redirect; Safari the check,
// then "Fetch API cannot load". Lines that are none of these (Chromium's
// "net::ERR_FAILED", "TypeError: Failed to fetch", stack traces) are left
// out. No failure: the text shows no CORS line that corskit reads.
func SplitConsole(text string) []ConsoleFailure {
	var out []ConsoleFailure
	var open *ConsoleFailure // a Safari failure awaiting its last line
	add := func(f ConsoleFailure) {
		for i := range out {
			if out[i].Engine == f.Engine && slices.Equal(out[i].Lines, f.Lines) {
				out[i].Count++
				return
			}
		}
		if len(out) < maxFailures {
			f.Count = 1
			out = append(out, f)
		}
	}
	var last *ConsoleFailure // the last Firefox failure, which may continue
	var pending []ConsoleFailure
	flush := func() {
		for _, f := range pending {
			add(f)
		}
		pending = nil
		last = nil
	}
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		engine, msg := consoleLine(raw)
		switch engine {
		case "chromium":
			flush()
			add(ConsoleFailure{Engine: engine, Lines: []string{msg}})
		case "firefox":
			if last != nil && firefoxContinues(last.Lines, msg) {
				last.Lines = append(last.Lines, msg)
				continue
			}
			flush()
			pending = append(pending, ConsoleFailure{Engine: engine, Lines: []string{msg}})
			last = &pending[len(pending)-1]
		case "safari":
			flush()
			if open == nil {
				open = &ConsoleFailure{Engine: engine}
			}
			open.Lines = append(open.Lines, msg)
			if strings.HasPrefix(msg, "Fetch API cannot load ") {
				add(*open)
				open = nil
			}
		}
	}
	flush()
	if open != nil {
		add(*open)
	}
	return out
}

// firefoxContinues reports whether Firefox's line msg belongs to the
// failure whose lines are prev: "CORS request did not succeed" or a
// preflight's "did not succeed" after a check's line for the same URL.
func firefoxContinues(prev []string, msg string) bool {
	m := firefoxLine.FindStringSubmatch(msg)
	p := firefoxLine.FindStringSubmatch(prev[0])
	if m == nil || p == nil || m[1] != p[1] {
		return false
	}
	return strings.HasPrefix(m[2], "CORS request did not succeed") && !strings.HasPrefix(p[2], "CORS request did not succeed") ||
		strings.HasPrefix(m[2], "CORS preflight response did not succeed") && strings.HasPrefix(p[2], "CORS request external redirect")
}

// consoleLine names the engine whose CORS line raw is and returns the
// message as the engine wrote it, without what the console or a copy adds
// before it (a file and line, "[Error] ", a timestamp); "" when raw is no
// CORS line corskit reads.
func consoleLine(raw string) (engine, msg string) {
	line := strings.TrimSpace(raw)
	if i := strings.Index(line, "Access to fetch at '"); i >= 0 && strings.Contains(line, "has been blocked by CORS policy: ") {
		return "chromium", line[i:]
	}
	if i := strings.Index(line, "Cross-Origin Request Blocked: "); i >= 0 {
		return "firefox", line[i:]
	}
	msg = consoleMessage(line)
	if strings.HasPrefix(msg, "Fetch API cannot load ") && strings.HasSuffix(msg, " due to access control checks.") {
		return "safari", msg
	}
	for _, r := range safariReasons {
		if r.re.MatchString(msg) {
			return "safari", msg
		}
	}
	return "", ""
}
