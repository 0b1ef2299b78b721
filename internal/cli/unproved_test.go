package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/gen"
)

// TestHelpMarksUnprovedStacks: corskit gen --help and corskit check --help
// list every unproved stack with "(not proved)" and no proved one with it;
// corskit gen writes the note beside a JSON output (which holds no
// comment) on standard error, and inside a commented one.
func TestHelpMarksUnprovedStacks(t *testing.T) {
	t.Parallel()
	var genHelp, checkHelp, out bytes.Buffer
	Run([]string{"gen", "--help"}, &out, &genHelp)
	Run([]string{"check", "--help"}, &out, &checkHelp)
	for _, c := range []struct {
		help  string
		names []string
	}{{genHelp.String(), gen.Names()}, {checkHelp.String(), check.Stacks()}} {
		for _, n := range c.names {
			s, _ := gen.LookupStack(n)
			marked := regexp.MustCompile(`(^|[ ,(])` + regexp.QuoteMeta(n) + ` \(not proved\)`).MatchString(c.help)
			listed := regexp.MustCompile(`(^|[ ,(])` + regexp.QuoteMeta(n) + `([,.) ]|$)`).MatchString(c.help)
			if marked == s.Proved() || (!marked && !listed) {
				t.Errorf("%s (proved: %v): marked %v, listed %v in\n%s", n, s.Proved(), marked, listed, c.help)
			}
		}
	}
	for _, c := range []struct {
		args                []string
		inStderr, inComment bool
	}{
		{[]string{"gen", "vercel", "--allow-origin", "https://app.example.com"}, true, false},
		{[]string{"gen", "lambda-url", "--format", "json", "--allow-origin", "https://app.example.com"}, true, false},
		{[]string{"gen", "lambda-url", "--allow-origin", "https://app.example.com"}, false, true},
		{[]string{"gen", "cloudflare-workers", "--allow-origin", "https://app.example.com"}, false, false},
	} {
		var stdout, stderr bytes.Buffer
		if code := Run(c.args, &stdout, &stderr); code != ExitOK {
			t.Fatalf("%v: exit %d %s", c.args, code, stderr.String())
		}
		if got := strings.Contains(stderr.String(), "NOT PROVED"); got != c.inStderr {
			t.Errorf("%v: the note on standard error: %v, want %v\n%s", c.args, got, c.inStderr, stderr.String())
		}
		if got := strings.Contains(stdout.String(), "# NOT PROVED"); got != c.inComment {
			t.Errorf("%v: the note in the output: %v, want %v", c.args, got, c.inComment)
		}
	}
}
