package quote_test

import (
	"regexp"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/internal/quote"
)

// TestSymfonyYAML: YAML reads each value back, and Symfony's container
// reading of a configuration string (%% is one %, %name% a parameter)
// then finds no parameter and gives the value byte for byte.
func TestSymfonyYAML(t *testing.T) {
	t.Parallel()
	vals := append(append([]string{}, hostile...), "%kernel.project_dir%", "%env(HOME)%", "a%%b", "%", "%%%", "x%y%z")
	param := regexp.MustCompile(`%%|%([^%\s]+)%`)
	for _, v := range vals {
		var got string
		if err := yaml.Unmarshal([]byte(quote.SymfonyYAML(v)), &got); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		resolved := param.ReplaceAllStringFunc(got, func(m string) string {
			if m != "%%" {
				t.Errorf("%q: Symfony reads the parameter %s in %q", v, m, got)
			}
			return "%"
		})
		if resolved != v {
			t.Errorf("Symfony reads %q for %q", resolved, v)
		}
	}
}
