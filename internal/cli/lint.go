package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/corskit/corskit/audit"
	"github.com/corskit/corskit/lint"
)

const lintUsage = `Usage: corskit lint FILE... [flags]

Reviews CORS configurations without any network: corskit policies and gateway
files (.yaml, .json), nginx configurations (.conf), Express (.js), Python (.py:
Flask, Django settings, FastAPI/Starlette, aiohttp-cors), PHP (.php) and Go (.go)
sources, storage services' CORS rules and Kubernetes objects.
Exit status: 0 no finding at or above --fail-on, 1 such findings, 2 usage error
or a file that could not be read (named on standard error).

Flags:
`

func runLint(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corskit lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, lintUsage); printFlags(stderr, fs) }
	asJSON := fs.Bool("json", false, "print JSON")
	sarif := fs.String("sarif", "", "also write a SARIF 2.1.0 log to this file")
	failOn := fs.String("fail-on", "high", "exit 1 on findings at or above: info, low, medium, high")
	var files []string
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		return ExitUsage
	}
	files = append(files, positional...)
	threshold, ok := audit.ParseSeverity(*failOn)
	if !ok {
		fmt.Fprintf(stderr, "corskit lint: --fail-on %q: use info, low, medium or high\n", *failOn)
		return ExitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "corskit lint: no file given, e.g. corskit lint cors.yaml nginx.conf app.js")
		return ExitUsage
	}
	findings, err := lint.Files(files)
	if err != nil {
		fmt.Fprintln(stderr, err)
	}
	if *sarif != "" {
		f, ferr := os.Create(*sarif)
		if ferr == nil {
			ferr = lint.WriteSARIF(f, findings, Version())
			f.Close()
		}
		if ferr != nil {
			fmt.Fprintf(stderr, "corskit lint: --sarif: %v\n", ferr)
			return ExitUsage
		}
	}
	switch {
	case *asJSON:
		lint.WriteJSON(stdout, findings)
	case err != nil:
		// A file was not read: no "No findings" that would cover it.
		for _, f := range findings {
			fmt.Fprintln(stdout, f.String())
		}
	default:
		lint.WriteText(stdout, findings)
	}
	if err != nil {
		return ExitUsage
	}
	for _, f := range findings {
		if f.Severity >= threshold {
			return ExitFail
		}
	}
	return ExitOK
}
