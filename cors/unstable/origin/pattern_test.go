package origin

import (
	"strconv"
	"strings"
	"testing"
)

var parseTests = []struct {
	desc    string
	in      string
	kind    Kind
	scheme  string
	host    string
	port    string
	errPart string // substring of the error; empty when valid
	fix     string // the suggested fix, when there is one
}{
	{desc: "exact https", in: "https://app.example.com", kind: Exact, scheme: "https", host: "app.example.com"},
	{desc: "exact with port", in: "http://localhost:3000", kind: Exact, scheme: "http", host: "localhost", port: "3000"},
	{desc: "IPv4", in: "http://127.0.0.1:8080", kind: Exact, scheme: "http", host: "127.0.0.1", port: "8080"},
	{desc: "IPv6", in: "http://[::1]:8080", kind: Exact, scheme: "http", host: "[::1]", port: "8080"},
	{desc: "wildcard", in: "*", kind: Any},
	{desc: "null", in: "null", kind: Null},
	{desc: "subdomains", in: "https://*.example.com", kind: Subdomains, scheme: "https", host: "example.com"},
	{desc: "subdomains any port", in: "https://*.example.com:*", kind: Subdomains, scheme: "https", host: "example.com", port: "*"},
	{desc: "port pattern", in: "http://localhost:*", kind: Exact, scheme: "http", host: "localhost", port: "*"},
	{desc: "non-http scheme", in: "chrome-extension://abcdef", kind: Exact, scheme: "chrome-extension", host: "abcdef"},
	{desc: "underscore host", in: "https://my_app.example.com", kind: Exact, scheme: "https", host: "my_app.example.com"},
	{desc: "regexp", in: `re:https://(a|b)\.example\.com`, kind: Regexp, scheme: "https"},

	{desc: "trailing slash", in: "https://app.example.com/", errPart: "trailing slash", fix: "https://app.example.com"},
	{desc: "path", in: "https://app.example.com/app", errPart: "has a path", fix: "https://app.example.com"},
	{desc: "query", in: "https://app.example.com?x=1", errPart: "has a query", fix: "https://app.example.com"},
	{desc: "fragment", in: "https://app.example.com#x", errPart: "has a fragment", fix: "https://app.example.com"},
	{desc: "user info", in: "https://user:pw@app.example.com", errPart: "user info", fix: "https://app.example.com"},
	{desc: "upper-case host", in: "https://App.Example.com", errPart: "upper-case", fix: "https://app.example.com"},
	{desc: "upper-case scheme", in: "HTTPS://app.example.com", errPart: "upper-case scheme", fix: "https://app.example.com"},
	{desc: "default https port", in: "https://app.example.com:443", errPart: "default port 443", fix: "https://app.example.com"},
	{desc: "default http port", in: "http://app.example.com:80", errPart: "default port 80", fix: "http://app.example.com"},
	{desc: "missing scheme", in: "app.example.com", errPart: "no scheme", fix: "https://app.example.com"},
	{desc: "missing scheme, localhost: dev servers serve http", in: "localhost:3000", errPart: "no scheme", fix: "http://localhost:3000"},
	{desc: "missing scheme, loopback address", in: "127.0.0.1:5173", errPart: "no scheme", fix: "http://127.0.0.1:5173"},
	{desc: "leading space", in: " https://app.example.com", errPart: "white space", fix: "https://app.example.com"},
	{desc: "inner space", in: "https://app .example.com", errPart: "white space"},
	{desc: "empty", in: "", errPart: "is empty"},
	{desc: "port zero", in: "http://localhost:0", errPart: "invalid port"},
	{desc: "port too big", in: "http://localhost:70000", errPart: "invalid port"},
	{desc: "port leading zero", in: "http://localhost:080", errPart: "invalid port"},
	{desc: "empty port", in: "http://localhost:", errPart: "no port"},
	{desc: "no host", in: "https://", errPart: "no host"},
	{desc: "wildcard host", in: "https://*", errPart: "misplaced '*'"},
	{desc: "inner wildcard", in: "https://app.*.example.com", errPart: "misplaced '*'"},
	{desc: "public suffix com", in: "https://*.com", errPart: "public suffix"},
	{desc: "public suffix github.io", in: "https://*.github.io", errPart: "public suffix"},
	{desc: "public suffix co.uk", in: "https://*.co.uk", errPart: "public suffix"},
	{desc: "subdomains on IP", in: "https://*.127.0.0.1", errPart: "IP address"},
	{desc: "IPv6 not canonical", in: "http://[0:0::1]", errPart: "form browsers serialise", fix: "http://[::1]"},
	{desc: "non-ASCII host", in: "https://bücher.example", errPart: "punycode"},
	{desc: "empty label", in: "https://app..example.com", errPart: "empty label"},
	{desc: "bad char", in: "https://app!.example.com", errPart: "character"},
	{desc: "regexp any scheme", in: `re:.*\.example\.com`, errPart: "other schemes"},
	{desc: "regexp two schemes", in: `re:https?://app\.example\.com`, errPart: "other schemes"},
	{desc: "regexp alternation of schemes", in: `re:https://a\.com|http://b\.com`, errPart: "other schemes"},
	{desc: "regexp syntax", in: `re:https://(a`, errPart: "does not compile"},
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range parseTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(tc.in)
			if tc.errPart != "" {
				if err == nil {
					t.Fatalf("Parse(%q): got no error; want one containing %q", tc.in, tc.errPart)
				}
				if !strings.Contains(err.Error(), tc.errPart) || !strings.Contains(err.Error(), strconv.Quote(tc.in)) {
					t.Errorf("Parse(%q): got error %q; want it to quote the value and contain %q", tc.in, err, tc.errPart)
				}
				if got := err.(*Error).Fix; got != tc.fix {
					t.Errorf("Parse(%q): got fix %q; want %q", tc.in, got, tc.fix)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): got error %v; want none", tc.in, err)
			}
			if p.Kind != tc.kind || p.Scheme != tc.scheme || p.Port != tc.port || tc.kind != Regexp && p.Host != tc.host {
				t.Errorf("Parse(%q): got kind=%v scheme=%q host=%q port=%q; want kind=%v scheme=%q host=%q port=%q",
					tc.in, p.Kind, p.Scheme, p.Host, p.Port, tc.kind, tc.scheme, tc.host, tc.port)
			}
			if p.String() != tc.in {
				t.Errorf("Parse(%q).String(): got %q", tc.in, p.String())
			}
		})
	}
}

func TestIsLocal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"http://localhost:3000": true, "http://127.0.0.1": true, "http://127.8.9.1:1": true,
		"http://[::1]:5173": true, "http://app.localhost": true, "http://example.com": false,
		"http://10.0.0.1": false, "http://localhost.example.com": false,
	} {
		p, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got := p.IsLocal(); got != want {
			t.Errorf("Parse(%q).IsLocal(): got %v; want %v", in, got, want)
		}
	}
}
