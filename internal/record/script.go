package record

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Step is one step of a --script: open a URL, click an element, fill a
// field, wait for a text or for the network to be idle.
type Step struct {
	// Action is open, click, fill, wait-text or wait-idle.
	Action string `json:"action"`
	// Arg is the URL, the CSS selector or the text waited for.
	Arg string `json:"arg,omitempty"`
	// Text is what fill types.
	Text string `json:"text,omitempty"`
	// Line is the step's line in the script, 0 for a URL given on the
	// command line.
	Line int `json:"line,omitempty"`
}

func (s Step) String() string {
	where := ""
	if s.Line > 0 {
		where = fmt.Sprintf("line %d: ", s.Line)
	}
	switch s.Action {
	case "fill":
		return fmt.Sprintf("%sfill %s %q", where, s.Arg, s.Text)
	case "wait-text":
		return fmt.Sprintf("%swait for text %q", where, s.Arg)
	case "wait-idle":
		return where + "wait for the network to be idle"
	}
	return fmt.Sprintf("%s%s %s", where, s.Action, s.Arg)
}

// Script bounds: a script is a few steps, not a program.
const (
	maxScriptLines = 1000
	maxScriptLine  = 8 << 10
)

// scriptHelp is the format, for the errors.
const scriptHelp = `one step a line: "open URL", "click SELECTOR", "fill SELECTOR TEXT", "wait text TEXT", "wait idle"; # starts a comment`

// ParseScript reads a --script file: one step a line,
//
//	open http://localhost:3000/login
//	fill #email ada@example.com
//	click button[type=submit]
//	wait text Welcome
//	wait idle
//
// A selector is CSS and ends at the first space; the rest of a fill line
// is the text typed. Blank lines and lines starting with # are skipped.
func ParseScript(r io.Reader) ([]Step, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxScriptLine)
	var steps []Step
	n := 0
	for sc.Scan() {
		n++
		if n > maxScriptLines {
			return nil, fmt.Errorf("--script: more than %d lines: a script is a few steps; split the flow", maxScriptLines)
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("--script line %d is not UTF-8 text: save the script as UTF-8", n)
		}
		st, err := parseStep(line)
		if err != nil {
			return nil, fmt.Errorf("--script line %d %q: %v; %s", n, clip(line), err, scriptHelp)
		}
		st.Line = n
		steps = append(steps, st)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--script: %v (a line is at most %d KiB); %s", err, maxScriptLine>>10, scriptHelp)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("--script has no step; %s", scriptHelp)
	}
	return steps, nil
}

func parseStep(line string) (Step, error) {
	verb, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(verb) {
	case "open", "click":
		if rest == "" {
			return Step{}, fmt.Errorf("%s needs a %s", verb, map[string]string{"open": "URL", "click": "CSS selector"}[strings.ToLower(verb)])
		}
		return Step{Action: strings.ToLower(verb), Arg: rest}, nil
	case "fill":
		sel, text, ok := strings.Cut(rest, " ")
		if !ok || sel == "" {
			return Step{}, fmt.Errorf("fill needs a CSS selector and the text to type")
		}
		return Step{Action: "fill", Arg: sel, Text: strings.TrimSpace(text)}, nil
	case "wait":
		kind, arg, _ := strings.Cut(rest, " ")
		switch {
		case kind == "idle" && strings.TrimSpace(arg) == "":
			return Step{Action: "wait-idle"}, nil
		case kind == "text" && strings.TrimSpace(arg) != "":
			return Step{Action: "wait-text", Arg: strings.TrimSpace(arg)}, nil
		}
		return Step{}, fmt.Errorf(`wait is "wait text TEXT" or "wait idle"`)
	}
	return Step{}, fmt.Errorf("unknown step %q", clip(verb))
}

func hasOpen(steps []Step) bool {
	for _, s := range steps {
		if s.Action == "open" {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
