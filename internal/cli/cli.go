// Package cli implements corskit's subcommands. Each subcommand has an options
// struct filled by its flag parsing and a run function, tested apart.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"github.com/corskit/corskit/gen"
	"io"
	"strings"
)

// Exit codes.
const (
	ExitOK    = 0 // success
	ExitFail  = 1 // the command ran and found a problem
	ExitUsage = 2 // bad command line
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"audit", "probe live URLs for dangerous CORS policies, as an attacker's page would", runAudit},
		{"check", "do what a browser does with one request, and explain the CORS verdict", runCheck},
		{"demo", "show a broken API diagnosed, then fixed by the gateway, on this machine alone", runDemo},
		{"dev", "serve a frontend dev server and its APIs on one local origin", runDev},
		{"gen", "write the CORS configuration of a stack from one policy: " + strings.Join(gen.Names(), ", "), runGen},
		{"lint", "review CORS policies, nginx configurations and app sources for dangerous patterns, offline", runLint},
		{"proxy", "run a CORS gateway in front of any HTTP backend", runProxy},
		{"record", "open the app in a real browser and diagnose every cross-origin request it makes", runRecord},
		{"serve", "serve the doctor as a page on this machine: paste evidence, see the verdicts and the fix", runServe},
		{"version", "print corskit's version", runVersion},
		{"help", "show this help", runHelp},
	}
}

// Run runs the subcommand named by args[0] and returns the process's exit code.
// Messages on stderr name flags where the library's errors name the API
// fields the flags set.
func Run(args []string, stdout, stderr io.Writer) int {
	stdout, stderr = terminalSafe{stdout}, flagTermsWriter{terminalSafe{stderr}}
	if len(args) == 0 {
		usage(stderr)
		return ExitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	if name == "--version" {
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "corskit: unknown command %q; run \"corskit help\" for the list\n", name)
	return ExitUsage
}

// parseInterleaved parses flags and positional arguments in any order, as
// curl does, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func runHelp(_ []string, stdout, _ io.Writer) int {
	usage(stdout)
	return ExitOK
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("corskit ends the browser's \"blocked by CORS policy\" error.\n\nUsage: corskit <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nThe Go middleware is the package github.com/corskit/corskit/cors.\n")
	io.WriteString(w, b.String())
}

// printFlags writes the flag set's flags as the README spells them: --name
// (a single letter keeps one dash, as curl's -X and -H), the kind of value,
// then the usage and the default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		fmt.Fprintf(&b, "  %s%s", dash, f.Name)
		kind, usage := flag.UnquoteUsage(f)
		if kind != "" {
			b.WriteString(" " + kind)
		}
		b.WriteString("\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t"))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	io.WriteString(w, b.String())
}

// parseNoArgs reads the arguments of a command that takes no flags and
// no arguments: ok is false when the command must end with code (0 after
// --help, a usage error otherwise, named on stderr).
func parseNoArgs(name, usage string, args []string, stderr io.Writer) (code int, ok bool) {
	fs := helpFlagSet(name, usage, stderr)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return ExitOK, false
	} else if err != nil {
		return ExitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q; it takes none\n", name, fs.Arg(0))
		return ExitUsage, false
	}
	return ExitOK, true
}

// helpFlagSet returns a flag set for a command that takes no flags, so that
// --help prints its one-line usage and exits 0.
func helpFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, usage) }
	return fs
}
