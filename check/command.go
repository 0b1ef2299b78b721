package check

import (
	"cmp"
	"strings"
	"time"

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
		args = append(args, "--credentials", shellQuote(string(o.Credentials)))
	}
	for _, a := range o.AlsoOrigins {
		args = append(args, "--also-origin", shellQuote(a))
	}
	if o.Browser != "" && o.Browser != "all" {
		args = append(args, "--browser", shellQuote(o.Browser))
	}
	if o.Stack != "" && o.Stack != "auto" {
		args = append(args, "--stack", shellQuote(o.Stack))
	}
	return strings.Join(append(args, o.moreArgs()...), " ")
}

// moreArgs are the flags of the options a page's fetch() does not show:
// what the page reads, and how the doctor runs.
func (o Options) moreArgs() []string {
	var args []string
	for _, h := range o.Read {
		args = append(args, "--read-header", shellQuote(h))
	}
	if o.SendActual {
		args = append(args, "--send-actual")
	}
	if o.PageAddressSpace != "" {
		args = append(args, "--page-address-space", shellQuote(string(o.PageAddressSpace)))
	}
	if o.Insecure {
		args = append(args, "-k")
	}
	if o.Timeout != 0 && o.Timeout != 10*time.Second {
		args = append(args, "--timeout", o.Timeout.String())
	}
	if o.RulesFile != "" {
		args = append(args, "--rules", shellQuote(o.RulesFile))
	} else if len(o.Rules) > 0 {
		args = append(args, "--rules", "RULES_FILE")
	}
	return args
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
