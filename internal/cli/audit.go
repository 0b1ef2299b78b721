package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/corskit/corskit/audit"
)

const auditUsage = `Usage: corskit audit URL... [flags]

Probes each URL as an attacker's page would, with real preflights, and judges
each answer with the browser model. Only the URLs given are contacted.
Exit status: 0 no finding at or above --fail-on, 1 such findings, 2 usage error.

Flags:
`

// runAudit runs "corskit audit": it reads the flags and the URLs, probes
// them, writes the report (and the SARIF log, when asked) and returns the
// exit status.
func runAudit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corskit audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, auditUsage); printFlags(stderr, fs) }
	var o audit.Options
	o.Ambient = http.Header{}
	file := fs.String("file", "", "file with one URL per line (# comments allowed)")
	fs.Func("trusted", "origin the API is meant to serve, e.g. https://app.example.com (repeatable)", func(s string) error {
		o.Trusted = append(o.Trusted, s)
		return nil
	})
	fs.Func("H", "header a victim's browser sends by itself, e.g. -H 'Cookie: session=...' (repeatable); without a Cookie, credentialed probes carry "+audit.ProbeCookie+", as a signed-in victim's browser carries one", func(s string) error {
		name, value, ok := strings.Cut(s, ":")
		if !ok {
			return fmt.Errorf("header %q is not 'Name: value'", s)
		}
		o.Ambient.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		return nil
	})
	asJSON := fs.Bool("json", false, "print JSON")
	sarif := fs.String("sarif", "", "also write a SARIF 2.1.0 log to this file")
	failOn := fs.String("fail-on", "high", "exit 1 on findings at or above: info, low, medium, high")
	fs.StringVar(&o.Browser, "browser", "all", "engines whose models judge each answer: chromium, firefox, safari or all (a finding stands when any engine lets the attacker read)")
	fs.IntVar(&o.Concurrency, "concurrency", 4, "requests in flight at most")
	fs.Float64Var(&o.Rate, "rate", 20, "requests per second at most")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Second, "time limit of each request")
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		return ExitUsage
	}
	o.URLs = append(o.URLs, positional...)
	threshold, ok := audit.ParseSeverity(*failOn)
	if !ok {
		fmt.Fprintf(stderr, "corskit audit: --fail-on %q: use info, low, medium or high\n", *failOn)
		return ExitUsage
	}
	if *file != "" {
		urls, err := readURLFile(*file)
		if err != nil {
			fmt.Fprintf(stderr, "corskit audit: --file: %v\n", err)
			return ExitUsage
		}
		o.URLs = append(o.URLs, urls...)
	}
	if useColor("auto", stderr) {
		o.Progress = func(done, total int) {
			fmt.Fprintf(stderr, "\rprobing %d/%d", done, total)
			if done == total {
				fmt.Fprint(stderr, "\r\x1b[K")
			}
		}
	}
	results, err := audit.Run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	if *sarif != "" {
		if err := writeSARIFFile(*sarif, results); err != nil {
			fmt.Fprintf(stderr, "corskit audit: --sarif: %v\n", err)
			return ExitUsage
		}
	}
	if *asJSON {
		if err := audit.WriteJSON(stdout, results); err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
	} else {
		audit.WriteTable(stdout, results)
	}
	if worst, any := audit.Worst(results); any && worst >= threshold {
		return ExitFail
	}
	return ExitOK
}

// readURLFile reads audit's --file: one URL a line, blank lines and lines
// that start with # left out.
func readURLFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var urls []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			urls = append(urls, line)
		}
	}
	return urls, nil
}

// writeSARIFFile writes audit's --sarif log of results to path.
func writeSARIFFile(path string, results []audit.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = audit.WriteSARIF(f, results, Version())
	f.Close()
	return err
}
