package gen_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// tomcatApp is a web.xml with Tomcat's CorsFilter, its init-params and
// its url-pattern as a planted mistake leaves them.
func tomcatApp(params, pattern string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
  <filter>
    <filter-name>CorsFilter</filter-name>
    <filter-class>org.apache.catalina.filters.CorsFilter</filter-class>
` + params + `  </filter>
  <filter-mapping><filter-name>CorsFilter</filter-name><url-pattern>` + pattern + `</url-pattern></filter-mapping>
</web-app>
`
}

// lighttpdApp is a lighttpd.conf on 127.0.0.1:port serving dir, with body
// (a planted mistake) after it.
func lighttpdApp(port int, dir, body string) string {
	return fmt.Sprintf("server.bind = \"127.0.0.1\"\nserver.port = %d\nserver.document-root = %q\nserver.modules += (\"mod_setenv\", \"mod_proxy\", \"mod_auth\", \"mod_authn_file\")\n%s", port, dir, body)
}

// TestTomcatAndLighttpdRecognized sends the answers a doctor sees to a
// real Tomcat 10 (the shared one) and a real lighttpd 1.4, each with a
// planted mistake, and requires gen.Recognize to name the stack and the
// stack's cause to be seen where it shows in the answer.
func TestTomcatAndLighttpdRecognized(t *testing.T) {
	t.Parallel()
	origin := `<init-param><param-name>cors.allowed.origins</param-name><param-value>http://app.test</param-value></init-param>
`
	type probe struct {
		method, path string
		headers      []string
		cause        string // the cause seen in this answer, or ""
	}
	preflight := func(path, method, cause string) probe {
		return probe{"OPTIONS", path, []string{"Origin", "http://app.test", "Access-Control-Request-Method", method}, cause}
	}
	cases := []struct {
		name, stack string
		start       func(t *testing.T) string
		probes      []probe
	}{
		{"tomcat default methods", "tomcat", func(t *testing.T) string {
			return servertest.TomcatApp(t, tomcatApp(origin, "/*"), map[string]string{"data": "{}"})
		}, []probe{preflight("/data", "PUT", "tomcat-refused-with-403"), {"GET", "/missing", nil, ""}}},
		{"tomcat mapping", "tomcat", func(t *testing.T) string {
			return servertest.TomcatApp(t, tomcatApp(origin, "/api/*"), map[string]string{"data": "{}"})
		}, []probe{preflight("/data", "GET", "tomcat-filter-mapping")}},
		{"lighttpd wrong conditional", "lighttpd", func(t *testing.T) string {
			port, dir := servertest.FreePort(t), t.TempDir()
			os.WriteFile(filepath.Join(dir, "data"), []byte("{}"), 0o600)
			servertest.Lighttpd(t, port, lighttpdApp(port, dir, `$HTTP["request-method"] == "GET" {
    setenv.set-response-header = ("Access-Control-Allow-Origin" => "http://app.test")
}
`))
			return fmt.Sprintf("http://127.0.0.1:%d", port)
		}, []probe{preflight("/data", "PUT", "lighttpd-setenv-in-wrong-conditional"), {"GET", "/missing", nil, ""}}},
		{"lighttpd add-header and auth", "lighttpd", func(t *testing.T) string {
			port, dir := servertest.FreePort(t), t.TempDir()
			os.WriteFile(filepath.Join(dir, "users"), []byte("u:p\n"), 0o600)
			up := upstream(t)
			servertest.Lighttpd(t, port, lighttpdApp(port, dir, fmt.Sprintf(`proxy.server = ("" => (("host" => "127.0.0.1", "port" => %s)))
setenv.add-response-header = ("Access-Control-Allow-Origin" => "http://app.test")
auth.backend = "plain"
auth.backend.plain.userfile = %q
$HTTP["url"] =~ "^/private" {
    auth.require = ("" => ("method" => "basic", "realm" => "api", "require" => "valid-user"))
}
`, up[strings.LastIndex(up, ":")+1:], filepath.Join(dir, "users"))))
			return fmt.Sprintf("http://127.0.0.1:%d", port)
		}, []probe{{"GET", "/data", []string{"Origin", "http://app.test"}, "lighttpd-add-header-duplicate"}, preflight("/private", "PUT", "lighttpd-auth-on-preflight")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			base := c.start(t)
			s, _ := gen.LookupStack(c.stack)
			for _, p := range c.probes {
				a := answer(t, p.method, base+p.path, p.headers)
				name, ev := gen.Recognize(a)
				if name != c.stack {
					t.Errorf("%s %s: recognised as %q (%+v), want %s; the answer: %d %v %q", p.method, p.path, name, ev, c.stack, a.Status, a.Header, a.Body)
				}
				seen := ""
				for _, cause := range s.Causes {
					if cause.Seen != nil && cause.Seen(a) {
						seen = cause.ID
						break
					}
				}
				if seen != p.cause {
					t.Errorf("%s %s: cause seen %q, want %q; the answer: %d %v", p.method, p.path, seen, p.cause, a.Status, a.Header)
				}
				t.Logf("%s %s: %s from %s", p.method, p.path, name, ev.From)
			}
		})
	}
}

// answer sends one request and returns the answer as a doctor keeps it.
func answer(t *testing.T, method, url string, headers []string) gen.Answer {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return gen.Answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
}
