package check

import (
	"cmp"
	"strings"

	"github.com/corskit/corskit/browser"
)

// Command is the corskit check command line that checks o: what a person
// runs again, or puts in CI.
func (o Options) Command() string {
	args := []string{"corskit", "check", shellQuote(o.URL), "--origin", shellQuote(o.Origin)}
	if o.Method != "" && o.Method != "GET" {
		args = append(args, "-X", shellQuote(o.Method))
	}
	for _, h := range o.Headers {
		args = append(args, "-H", shellQuote(h.Name+": "+h.Value))
	}
	if o.Body != "" {
		args = append(args, "-d", shellQuote(o.Body))
	} else if o.NoBody && !isBodyless(cmp.Or(o.Method, "GET")) && isJSONType(o.header("Content-Type")) {
		args = append(args, "-d", "''") // none, where {} would be assumed
	}
	if o.Credentials != "" && o.Credentials != browser.SameOrigin {
		args = append(args, "--credentials", string(o.Credentials))
	}
	for _, a := range o.AlsoOrigins {
		args = append(args, "--also-origin", shellQuote(a))
	}
	if o.Browser != "" && o.Browser != "all" {
		args = append(args, "--browser", o.Browser)
	}
	if o.Stack != "" && o.Stack != "auto" {
		args = append(args, "--stack", o.Stack)
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
