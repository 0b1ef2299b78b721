package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors/unstable/headers"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/jsonout"
	"github.com/corskit/corskit/lint"
)

// checkOptions are corskit check's flags.
type checkOptions struct {
	url         string
	origins     []string
	also        []string
	methods     []string
	headers     []browser.Header
	credentials string
	body        string
	noBody      bool // the copied request carries no body
	read        []string
	stack       string
	json        bool
	matrix      string
	timeout     time.Duration
	insecure    bool
	color       string
	browser     string
	pageSpace   string
	fromError   string
	sendActual  bool
	rules       []byte // --rules: a bucket's current CORS rules
	rulesPath   string
	har         string
	live        bool
	offline     bool
	fetch       string
	credsOpen   bool     // a copy that does not say the credentials mode
	curl        []string // the command after --
	set         map[string]bool
	stdin       io.Reader
}

const checkUsage = `Usage: corskit check URL --origin ORIGIN [flags]

Performs the request as a browser would (the preflight, the request, the
redirects) and says whether the page may read the answer, in the words of
Chromium, Firefox and Safari (WebKit), why, and how to fix the server.

Exit status: 0 allowed, 1 blocked (in any engine --browser selects), 2 usage
or network error.

Flags:
`

// parseCheck reads corskit check's command line; flags and the URL may come
// in any order, as with curl.
func parseCheck(args []string, stderr io.Writer) (checkOptions, error) {
	var o checkOptions
	fs := checkFlagSet(&o, stderr)
	if i := slices.Index(args, "--"); i >= 0 {
		args, o.curl = args[:i], args[i+1:]
	}
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return o, err
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	err = o.takePositional(positional) // before o is copied out: it sets o.url
	return o, err
}

// checkFlagSet is corskit check's flags, each writing into o.
func checkFlagSet(o *checkOptions, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("corskit check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(stderr, checkUsage)
		printFlags(stderr, fs)
	}
	fs.Func("origin", "origin of the page making the request, e.g. http://localhost:3000 (repeat for a table)", func(s string) error {
		o.origins = append(o.origins, s)
		return nil
	})
	fs.Func("also-origin", "another origin of the app, which the fix keeps allowing; the request is checked from it too (repeatable)", func(s string) error {
		o.also = append(o.also, s)
		return nil
	})
	method := func(s string) error { o.methods = append(o.methods, s); return nil }
	fs.Func("X", "request method, as given to fetch() (repeat for a table); default GET", method)
	fs.Func("request", "same as -X", method)
	header := func(s string) error {
		name, value, ok := strings.Cut(s, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("header %q is not 'Name: value', e.g. -H 'Content-Type: application/json'", s)
		}
		o.headers = append(o.headers, browser.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
		return nil
	}
	fs.Func("H", "request header the page sets, 'Name: value' (repeatable)", header)
	fs.Func("header", "same as -H", header)
	fs.StringVar(&o.credentials, "credentials", "same-origin", "fetch()'s credentials mode: omit, same-origin or include")
	fs.StringVar(&o.body, "d", "", "request body (with POST, PUT, PATCH...)")
	fs.StringVar(&o.body, "data", "", "same as -d")
	fs.Func("read-header", "response header the page needs to read (repeatable)", func(s string) error {
		o.read = append(o.read, s)
		return nil
	})
	fs.StringVar(&o.stack, "stack", "auto", "server stack for the fix: auto, "+strings.Join(gen.Labels(check.Stacks()), ", "))
	fs.Func("rules", "a storage bucket's current CORS rules (aws s3api get-bucket-cors output, S3 or Azure XML, GCS JSON): the fix keeps them and adds its rule", func(path string) error {
		data, err := readLimited(path, 1<<20)
		if errors.Is(err, errTooLarge) {
			return fmt.Errorf("%s is over 1 MiB: not a bucket's CORS rules", path)
		} else if err != nil {
			return err
		}
		o.rules, o.rulesPath = data, path
		return nil
	})
	fs.BoolVar(&o.json, "json", false, "print one JSON object (an array with a table) instead of text")
	fs.StringVar(&o.matrix, "matrix", "", "YAML or JSON file listing requests to check as a table (see docs/check.md)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "time limit of each HTTP exchange")
	fs.BoolVar(&o.insecure, "k", false, "skip TLS certificate verification")
	fs.StringVar(&o.fromError, "from-error", "", "console text copied from Chromium, Firefox or Safari (- reads standard input): the URL, origin, method and failing check are taken from it, flags fill the gaps")
	fs.StringVar(&o.fetch, "fetch", "", "a request as DevTools' \"Copy as fetch\" gives it (Chromium, Firefox); - reads standard input. Or put \"Copy as cURL\" after --: corskit check -- curl ...")
	fs.BoolVar(&o.sendActual, "send-actual", false, "after a failed preflight, send a request that may change data (PUT, POST, DELETE...) anyway, to find the problems of its answer too; the browser would not send it")
	fs.StringVar(&o.har, "har", "", "a HAR file saved from DevTools' Network panel: every cross-origin request in it, judged from the recorded answers, blocked ones first")
	fs.BoolVar(&o.live, "live", false, "with --har: send the requests again to the servers instead of judging the recorded answers")
	fs.BoolVar(&o.offline, "offline", false, "with --har: judge from the file alone, sending nothing; by default a blocked request whose cause the file cannot tell gets a bounded live fill (safe preflights, or the request the file holds no answer for)")
	fs.StringVar(&o.pageSpace, "page-address-space", "", "address space of the page's server, for Chromium's Local Network Access: public, private or loopback (default: inferred from --origin)")
	fs.StringVar(&o.browser, "browser", "all", "engine to judge with: chromium, firefox, safari or all (exit 1 if any blocks)")
	fs.StringVar(&o.color, "color", "auto", "colour: auto (on a terminal, unless NO_COLOR is set), always or never")
	return fs
}

// takePositional takes the URL from the arguments left after the flags and
// says which combinations of evidence and flags do not go together.
func (o *checkOptions) takePositional(positional []string) error {
	switch {
	case o.har != "" && (len(positional) > 0 || o.fromError != "" || o.fetch != "" || len(o.curl) > 0):
		return errors.New("corskit check: --har judges the requests of the file: give no URL, --from-error, --fetch or curl with it")
	case o.live && o.har == "":
		return errors.New("corskit check: --live re-runs the requests of a HAR: use it with --har FILE")
	case o.offline && o.har == "":
		return errors.New("corskit check: --offline judges a HAR from the file alone: use it with --har FILE")
	case o.offline && o.live:
		return errors.New("corskit check: --offline sends nothing and --live sends every request again: give one of them with --har")
	case o.har != "":
		return nil
	case len(positional) == 0 && (o.fromError != "" || o.fetch != "" || len(o.curl) > 0):
	case len(positional) == 0:
		return errors.New("corskit check: the URL is missing, e.g. corskit check http://127.0.0.1:5000/data --origin http://localhost:3000 (or paste the browser's console line: --from-error '...')")
	case len(positional) > 1:
		return fmt.Errorf("corskit check: one URL at a time; got %q", positional)
	default:
		o.url = positional[0]
	}
	if o.fromError != "" || o.fetch != "" || len(o.curl) > 0 {
		return nil // the rest comes from the text (see fromConsole and fromCopy)
	}
	if len(o.origins) == 0 && o.matrix == "" {
		return errors.New("corskit check: --origin is missing: give the origin of the page that calls the API, e.g. --origin http://localhost:3000")
	}
	if o.color != "auto" && o.color != "always" && o.color != "never" {
		return fmt.Errorf("corskit check: --color %q: use auto, always or never", o.color)
	}
	return nil
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	return runCheckWithStdin(args, os.Stdin, stdout, stderr)
}

// runCheckWithStdin is runCheck reading --from-error - from stdin.
func runCheckWithStdin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseCheck(args, stderr)
	o.stdin = stdin
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	if o.fromError != "" {
		return runFromError(context.Background(), o, stdout, stderr)
	}
	if o.fetch != "" || len(o.curl) > 0 {
		if err := o.fromCopy(stderr); err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
	}
	for _, h := range o.headers {
		if note := forbiddenHeaderNote(h.Name, o.credentials); note != "" {
			fmt.Fprintln(stderr, "corskit check: note:", note)
		}
	}
	ctx := context.Background()
	if o.har != "" {
		return runHAR(ctx, o, stdout, stderr)
	}
	if o.matrix != "" || len(o.origins) > 1 || len(o.methods) > 1 {
		return runMatrix(ctx, o, stdout, stderr)
	}
	copts := o.checkOptions(o.origins[0], first(o.methods))
	var report check.Report
	if o.credsOpen {
		report, err = bothCredentials(ctx, copts, stderr)
	} else {
		report, err = check.Run(ctx, copts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "corskit check: %v\n", err)
		return ExitUsage
	}
	if o.rulesPath != "" {
		// What lint finds in the bucket's rules: shadowed or dead rules,
		// wildcards the service refuses, uploads without ETag.
		if fs, err := lint.File(o.rulesPath); err == nil && len(fs) > 0 {
			fmt.Fprintf(stderr, "corskit check: the rules of --rules %s (corskit lint):\n", o.rulesPath)
			for _, f := range fs {
				fmt.Fprintf(stderr, "  %s\n", f)
			}
		}
	}
	if o.json {
		if err := writeJSON(stdout, inFlags(report.ToJSON())); err != nil {
			fmt.Fprintln(stderr, err)
			return ExitUsage
		}
	} else if err := report.WriteText(flagTermsWriter{stdout}, useColor(o.color, stdout)); err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	return exitFor(report)
}

func (o checkOptions) checkOptions(origin, method string) check.Options {
	return check.Options{
		URL: o.url, Origin: origin, AlsoOrigins: o.also, Method: method, Headers: o.headers, SendActual: o.sendActual,
		Credentials: browser.Credentials(o.credentials), Body: o.body, Read: o.read,
		NoBody: o.body == "" && (o.noBody || o.set["d"] || o.set["data"]), // -d '' says: none
		Stack:  o.stack, Timeout: o.timeout, Insecure: o.insecure, Browser: o.browser,
		PageAddressSpace: browser.AddressSpace(o.pageSpace), Rules: o.rules, RulesFile: o.rulesPath,
	}
}

// errTooLarge is readLimited's error for a file over its limit.
var errTooLarge = errors.New("too large")

// readLimited reads a file of at most limit bytes; a larger one is
// errTooLarge.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is over %d bytes: %w", path, limit, errTooLarge)
	}
	return data, nil
}

// fromCopy fills the options from DevTools' "Copy as fetch" (--fetch) or
// "Copy as cURL" (after --): flags given on the command line win. The
// headers the browser itself added (Cookie, Origin, Referer, User-Agent...)
// are not the page's: they tell the origin and the credentials mode.
func (o *checkOptions) fromCopy(stderr io.Writer) error {
	var c check.Copied
	var err error
	from := "curl"
	if o.fetch != "" {
		text := o.fetch
		if text == "-" {
			b, rerr := io.ReadAll(io.LimitReader(o.stdin, 1<<20))
			if rerr != nil {
				return fmt.Errorf("corskit check: --fetch -: reading standard input: %v", rerr)
			}
			text = string(b)
		}
		c, err = check.ParseFetch(text)
		from = "fetch"
	} else {
		c, err = check.ParseCurl(o.curl)
	}
	if err != nil {
		return fmt.Errorf("corskit check: %v", err)
	}
	co := c.Options()
	if o.url == "" {
		o.url = co.URL
	}
	if len(o.origins) == 0 {
		if co.Origin == "" {
			return fmt.Errorf("corskit check: the copied request carries no Origin or Referer to tell the page's origin: add --origin, e.g. --origin http://localhost:3000")
		}
		o.origins = []string{co.Origin}
	}
	if len(o.methods) == 0 {
		o.methods = []string{co.Method}
	}
	if !o.set["H"] && !o.set["header"] {
		o.headers = co.Headers
	}
	if !o.set["d"] && !o.set["data"] {
		o.body, o.noBody = co.Body, co.NoBody
	}
	creds, credsNote := credentialsFromCopy(from, c)
	if !o.set["credentials"] && creds != "" {
		o.credentials = string(creds)
	}
	o.credsOpen = !o.set["credentials"] && creds == ""
	var names []string
	for _, h := range o.headers {
		names = append(names, h.Name)
	}
	var dropped []string
	for _, h := range c.Headers {
		if check.BrowserAdded(h.Name) {
			dropped = append(dropped, h.Name)
		}
	}
	if o.set["credentials"] {
		credsNote = "credentials " + o.credentials + " (--credentials)"
	}
	fmt.Fprintf(stderr, "corskit check: from the copied %s: %s %s from %s, %s, headers [%s]; left out as the browser's own: [%s] (give -H if the page sets one)\n",
		from, o.methods[0], o.url, o.origins[0], credsNote, strings.Join(names, ", "), strings.Join(dropped, ", "))
	return nil
}

// forbiddenHeaderNote explains a -H that page script cannot set (copied
// from a browser's request, where the browser added it), or returns "".
func forbiddenHeaderNote(name, credentials string) string {
	if !headers.IsForbiddenRequestHeader(name) {
		return ""
	}
	if strings.EqualFold(name, "Cookie") {
		if credentials == "include" {
			return "-H 'Cookie: ...' is left out: page script cannot set Cookie; the browser sends the site's cookies itself, which --credentials include stands for"
		}
		return "-H 'Cookie: ...' is left out: page script cannot set Cookie; the browser sends the site's cookies itself when fetch() has credentials: 'include': add --credentials include"
	}
	return fmt.Sprintf("-H '%s: ...' is left out: it is a forbidden request header, which the browser sets itself and fetch() drops", name)
}

// exitFor returns 0 when every engine judged allows the request, 2 on a
// network error, else 1.
func exitFor(r check.Report) int {
	switch {
	case r.Allowed():
		return ExitOK
	case r.Verdict.Reason == browser.NetworkError:
		return ExitUsage
	}
	return ExitFail
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// useColor decides on terminal colours: never in a pipe, never with NO_COLOR.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	if u, ok := w.(interface{ Unwrap() io.Writer }); ok {
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeJSON writes v indented.
func writeJSON(w io.Writer, v any) error {
	return jsonout.Write(w, v)
}
