package check

import "slices"

// Reword returns j with the doctor's own sentences (the problems' and the
// fix's Keeps) passed through words, which turns the option names
// they use (Options.AlsoOrigins, Options.Rules, Options.Timeout) into the
// words of whoever shows them: a command line's flags, a form's labels.
// Values from the evidence and the server's answers, and the snippets (code
// to paste, which name no option), are left as they are. j itself is not
// changed.
func (j JSON) Reword(words func(string) string) JSON {
	j.Problems = reworded(j.Problems, words)
	j.Fix = rewordFix(j.Fix, words)
	if a := j.OtherCredentials; a != nil {
		alt := *a
		alt.Problems = reworded(alt.Problems, words)
		alt.Fix = rewordFix(alt.Fix, words)
		j.OtherCredentials = &alt
	}
	return j
}

// reworded is ps with each sentence in words' terms, a copy.
func reworded(ps []Problem, words func(string) string) []Problem {
	if len(ps) == 0 {
		return ps
	}
	ps = slices.Clone(ps)
	for i := range ps {
		ps[i].Sentence = words(ps[i].Sentence)
	}
	return ps
}

// rewordFix is f with its sentences in words' terms, a copy; nil for nil.
func rewordFix(f *JSONFix, words func(string) string) *JSONFix {
	if f == nil {
		return nil
	}
	fix := *f
	fix.Keeps = words(fix.Keeps)
	return &fix
}
