package lint

import (
	"path/filepath"
	"regexp"

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

// awsTemplate finds what makes a YAML or JSON file an AWS template (or the
// CLI's Cors JSON): a CloudFormation type, SAM's transform, a function
// URL's or HTTP API's CORS block, serverless.yml's httpApi.
var awsTemplate = regexp.MustCompile(`AWS::|AWSTemplateFormatVersion|FunctionUrlConfig|CorsConfiguration|"AllowOrigins"|\bhttpApi:`)

// platformFile reports whether name is a hosting platform's configuration,
// which the platforms' stack files lint.
func platformFile(name string, data []byte) bool {
	switch filepath.Base(name) {
	case "vercel.json", "firebase.json", "netlify.toml", "_headers":
		return true
	}
	switch filepath.Ext(name) {
	case ".yaml", ".yml", ".json", ".template":
		return awsTemplate.Match(data)
	}
	return false
}
