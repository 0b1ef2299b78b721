package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestServeListensOnLoopbackOnly: an address other machines reach needs
// --allow-remote, which says what it exposes; a bad address is named.
func TestServeListensOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0"}, "add --allow-remote"},
		{[]string{"--listen", "192.168.1.10:7070"}, "not a loopback address"},
		{[]string{"--listen", "7070"}, `--listen "7070" is not host:port`},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		var out, errOut bytes.Buffer
		if code := runServe(tc.args, &out, &errOut); code != ExitUsage || !strings.Contains(errOut.String(), tc.want) || out.Len() != 0 {
			t.Errorf("serve %q: exit %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, errOut.String(), out.String(), tc.want)
		}
	}
	var errOut bytes.Buffer
	if code := runServe([]string{"--help"}, &bytes.Buffer{}, &errOut); code != ExitOK || !strings.Contains(errOut.String(), "--allow-remote") {
		t.Errorf("serve --help: exit %d\n%s", code, errOut.String())
	}
}
