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
	if len(j.Problems) > 0 {
		j.Problems = slices.Clone(j.Problems)
		for i := range j.Problems {
			j.Problems[i].Sentence = words(j.Problems[i].Sentence)
		}
	}
	if j.Fix != nil {
		fix := *j.Fix
		fix.Keeps = words(fix.Keeps)
		j.Fix = &fix
	}
	return j
}
