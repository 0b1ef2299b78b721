package quote_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/corskit/corskit/internal/quote"
	"github.com/corskit/corskit/internal/servertest"
)

// TestLighttpd: a real lighttpd 1.4 reads every value quote.Lighttpd
// writes back as itself (as a response header of mod_setenv), and the
// function refuses exactly what a lighttpd string cannot hold.
func TestLighttpd(t *testing.T) {
	t.Parallel()
	port := servertest.FreePort(t)
	var kept []string
	var b strings.Builder
	fmt.Fprintf(&b, "server.document-root = %q\nserver.bind = \"127.0.0.1\"\nserver.port = %d\nserver.modules += (\"mod_setenv\")\nsetenv.set-response-header = (\n", t.TempDir(), port)
	for _, v := range append(append([]string{`a\"b`, `\\"`, `x"`, `"`}, hostile...), bytesOnly...) {
		q, ok := quote.Lighttpd(v)
		cannot := strings.HasSuffix(v, `\`) || strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r >= 0x7f }) >= 0
		if ok == cannot {
			t.Errorf("quote.Lighttpd(%q): ok=%v, want %v", v, ok, !cannot)
		}
		if !ok || strings.TrimSpace(v) != v || v == "" {
			continue // a header keeps no outer spaces; "" removes a header
		}
		fmt.Fprintf(&b, "  \"X-V%d\" => %s, # %s\n", len(kept), q, quote.Comment(v))
		kept = append(kept, v)
	}
	b.WriteString(")\n")
	servertest.Lighttpd(t, port, b.String())
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for i, v := range kept {
		if got := resp.Header.Get(fmt.Sprintf("X-V%d", i)); got != v {
			t.Errorf("%q: lighttpd read back %q", v, got)
		}
	}
}

// TestXML: every value quote.XML writes is read back as itself by an XML
// parser, in element content and in attributes of both quotes; what XML
// 1.0 cannot hold is refused.
func TestXML(t *testing.T) {
	t.Parallel()
	for _, v := range append(append([]string{"a&b", "<x>", "]]>", "&amp;", "'\"", "\uFFFE", "\ud7ff", "\x01"}, hostile...), bytesOnly...) {
		q, ok := quote.XML(v)
		cannot := !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool {
			return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xfffe || r == 0xffff
		}) >= 0
		if ok == cannot {
			t.Errorf("quote.XML(%q): ok=%v, want %v", v, ok, !cannot)
		}
		if !ok {
			continue
		}
		var doc struct {
			A    string `xml:"a,attr"`
			B    string `xml:"b,attr"`
			Text string `xml:",chardata"`
		}
		src := "<r a=\"" + q + "\" b='" + q + "'>" + q + "</r>"
		if err := xml.Unmarshal([]byte(src), &doc); err != nil {
			t.Errorf("%q: %s does not parse: %v", v, src, err)
			continue
		}
		if doc.A != v || doc.B != v || doc.Text != v {
			t.Errorf("%q read back as %q, %q, %q from %s", v, doc.A, doc.B, doc.Text, src)
		}
	}
}
