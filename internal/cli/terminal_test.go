package cli

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileTerminalServer answers every request with a status text that
// holds terminal escapes, and an Access-Control-Allow-Origin that holds
// the ones net/http's client lets through in a header value: C1's CSI, a
// bidirectional override and a byte that is not UTF-8: a retitle, a
// cursor move that would rewrite the verdict line, C1's
// CSI and a bidirectional override.
func hostileTerminalServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				c.Write([]byte("HTTP/1.1 403 \x1b]0;pwned\x07\x1b[2A\x1b[2KALLOWED\r\nAccess-Control-Allow-Origin: http://localhost:3000\u009b2J\u202eevil\xff\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/data"
}

// hostileTerminalHAR is a HAR whose blocked entry's answer carries terminal
// escapes in Access-Control-Allow-Origin, which the console lines quote.
const hostileTerminalHAR = `{"log":{"entries":[{"_resourceType":"fetch","request":{"method":"GET","url":"http://127.0.0.1:8081/data\\u202etxt.exe\\u009b2J",
"headers":[{"name":"origin","value":"http://localhost:3000"}]},"response":{"status":200,"statusText":"OK\\u001b[2J",
"headers":[{"name":"access-control-allow-origin","value":"\\u001b]0;pwned\\u0007\\u001b[2A\\u001b[2KALLOWED\\rX\\u009b31m\\u202eevil"}],
"content":{"size":0,"mimeType":"text/plain"},"_error":"net::ERR_FAILED"}}]}}`

// TestServerTextCannotDriveTheTerminal feeds the doctor hostile text, from a
// live server's status line and from a HAR, and requires that none of it
// reaches the terminal as a control sequence.
func TestServerTextCannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	har := filepath.Join(t.TempDir(), "hostile.har")
	if err := os.WriteFile(har, []byte(hostileTerminalHAR), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, color string
		args        []string
		escaped     string
	}{
		{"live", "never", []string{"check", hostileTerminalServer(t), "--origin", "http://localhost:3000"}, `\u009b2J\u202eevil\xff`},
		{"live", "always", []string{"check", hostileTerminalServer(t), "--origin", "http://localhost:3000"}, `\u009b2J\u202eevil\xff`},
		{"har", "never", []string{"check", "--har", har, "--offline"}, `\u202e`},
		{"har", "always", []string{"check", "--har", har, "--offline"}, `\u202e`},
	} {
		what := tc.name + " --color " + tc.color
		var stdout, stderr bytes.Buffer
		code := Run(append(tc.args, "--color", tc.color), &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if code != ExitFail {
			t.Errorf("%s: exit %d, want %d (blocked):\n%s", what, code, ExitFail, out)
		}
		if !strings.Contains(out, tc.escaped) {
			t.Errorf("%s: the hostile value is not shown escaped:\n%s", what, out)
		}
		rest := out
		for _, e := range ownEscapes {
			rest = strings.ReplaceAll(rest, "\x1b"+e, "")
		}
		for _, bad := range []string{"\x1b", "\r", "\x07", "\u009b", "\u202e", "\xff"} {
			if strings.Contains(rest, bad) {
				t.Errorf("%s: the output holds %q, which a terminal acts on:\n%q", what, bad, out)
			}
		}
	}
}

func TestTerminalSafeKeepsTextAndOwnColours(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain\ttext\n":         "plain\ttext\n",
		"\x1b[1mBLOCKED\x1b[0m": "\x1b[1mBLOCKED\x1b[0m",
		"café ünïcode":          "café ünïcode",
		"a\x1b[8mhidden":        `a\x1b[8mhidden`,
		"\x00\x7f\xff":          `\x00\x7f\xff`,
		"line\u2028sep":         `line\u2028sep`,
		"trailing escape \x1b":  `trailing escape \x1b`,
	} {
		var b bytes.Buffer
		n, err := terminalSafe{&b}.Write([]byte(in))
		if err != nil || n != len(in) || b.String() != want {
			t.Errorf("Write(%q) = %d, %v, wrote %q; want %d, nil, %q", in, n, err, b.String(), len(in), want)
		}
	}
}
