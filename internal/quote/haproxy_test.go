package quote_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/corskit/corskit/internal/quote"
	"github.com/corskit/corskit/internal/servertest"
)

// TestHAProxy: a real HAProxy reads every quoted value back as itself,
// both as a plain word (http-request return's string) and as a log-format
// argument (lf-string, where quote.HAProxyFormat doubles %). Values with
// NUL, which no configuration line holds, are left out.
func TestHAProxy(t *testing.T) {
	t.Parallel()
	var vals []string
	for _, v := range append(append([]string{}, hostile...), bytesOnly...) {
		if v != "" && !strings.Contains(v, "\x00") {
			vals = append(vals, v)
		}
	}
	port := servertest.FreePort(t)
	var b strings.Builder
	fmt.Fprintf(&b, "frontend fe\n    bind 127.0.0.1:%d\n", port)
	for i, v := range vals {
		fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain string %s if { path /w%d }\n", quote.HAProxy(v), i)
		fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string %s if { path /f%d }\n", quote.HAProxyFormat(v), i)
	}
	servertest.HAProxy(t, port, b.String())
	for i, v := range vals {
		for _, kind := range []string{"w", "f"} {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/%s%d", port, kind, i))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != v {
				t.Errorf("%s %q: HAProxy read back %q (written %s)", kind, v, got, quote.HAProxy(v))
			}
		}
	}
}
