package lint

import (
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/severity"
)

// lintStacks runs the lint rules the stack files register (gen.Stacks) on
// a file they apply to, e.g. Django settings, FastAPI apps, aiohttp-cors.
func lintStacks(file, text string) []Finding {
	var out []Finding
	for _, s := range gen.Stacks() {
		for _, r := range s.Lint {
			if !r.Applies(file, text) {
				continue
			}
			sev, ok := severity.Parse(r.Severity)
			if !ok {
				sev = severity.High
			}
			for _, h := range r.Find(text) {
				out = append(out, newFinding(file, h.Line, h.Column, r.ID, sev, h.Message, h.Fix))
			}
		}
	}
	return out
}
