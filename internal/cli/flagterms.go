package cli

import (
	"io"
	"strings"

	"github.com/corskit/corskit/check"
)

// flagTerms names, for each field of the library's options that a flag
// sets, the flag: library errors speak in API terms (Config.Upstream), a
// command's user in flags (--upstream).
var flagTerms = strings.NewReplacer(
	"ServerOptions.TLSCert and ServerOptions.TLSKey", "--tls-cert and --tls-key",
	"set Config.Upstream to the backend's URL", "give --upstream (or CORSKIT_UPSTREAM, or upstream: in the file)",
	"Config.Frontend", "--frontend",
	"Config.Static", "--static",
	"set Options.Upstream", "give --upstream",
	"set Options.BestEffort", "add --best-effort",
	"Set Options.Stack to", "Add --stack",
	"Options.Body with Options.Method ", "-d with -X ",
	"set Options.Method to ", "use -X ",
	"set Options.SendActual", "add --send-actual",
	"detected from Options.Rules", "detected from --rules",
	"Options.AlsoOrigins: ", "--also-origin ",
	"Options.AlsoOrigins", "--also-origin",
	"Options.Rules", "--rules",
	"Options.Origin", "--origin",
	"Options.Credentials", "--credentials",
	"Options.Stack", "--stack",
	"Options.Browser", "--browser",
	"Options.PageAddressSpace", "--page-address-space",
	"Options.Trusted", "--trusted",
	"Options.Timeout", "--timeout",
	"Options.BestEffort", "--best-effort",
)

// inFlags is a report's JSON with the doctor's sentences in flag terms.
func inFlags(j check.JSON) check.JSON { return j.Reword(flagTerms.Replace) }

// flagTermsWriter writes to w with the library's API terms turned into the
// flags that set them.
type flagTermsWriter struct{ w io.Writer }

func (f flagTermsWriter) Write(p []byte) (int, error) {
	s := string(p)
	if !strings.Contains(s, "Options.") && !strings.Contains(s, "Config.") {
		return f.w.Write(p)
	}
	if _, err := io.WriteString(f.w, flagTerms.Replace(s)); err != nil {
		return 0, err
	}
	return len(p), nil
}
