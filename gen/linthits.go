package gen

import (
	"regexp"
	"strings"
)

// The stack files' lint rules report their matches with these.

// hitsOf is a hit at each match of re in text.
func hitsOf(text string, re *regexp.Regexp, msg, fix string) []LintHit {
	var out []LintHit
	for _, m := range re.FindAllStringIndex(text, -1) {
		start := m[0] + len(text[m[0]:m[1]]) - len(strings.TrimLeft(text[m[0]:m[1]], " \t\n"))
		out = append(out, hitAt(text, start, msg, fix))
	}
	return out
}

// hitAt is a hit at byte offset i of text.
func hitAt(text string, i int, msg, fix string) LintHit {
	line := strings.Count(text[:i], "\n") + 1
	col := i - strings.LastIndexByte(text[:i], '\n')
	return LintHit{Line: line, Column: col, Message: msg, Fix: fix}
}

// hitsWith is a rule's Find for a pattern that is dangerous only beside
// another (an origin of * in a file that turns credentials on): a hit at
// each match of re, in a text that matches cond.
func hitsWith(cond, re *regexp.Regexp, msg, fix string) func(text string) []LintHit {
	return func(text string) []LintHit {
		if !cond.MatchString(text) {
			return nil
		}
		return hitsOf(text, re, msg, fix)
	}
}
