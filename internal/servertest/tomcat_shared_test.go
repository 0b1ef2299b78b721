package servertest

import (
	"net/url"
	"strings"
	"testing"
)

// corsFilter is a web.xml with Tomcat's CorsFilter for origins, with
// credentials as given.
func corsFilter(origins, credentials string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
  <filter>
    <filter-name>CorsFilter</filter-name>
    <filter-class>org.apache.catalina.filters.CorsFilter</filter-class>
    <init-param><param-name>cors.allowed.origins</param-name><param-value>` + origins + `</param-value></init-param>
    <init-param><param-name>cors.support.credentials</param-name><param-value>` + credentials + `</param-value></init-param>
  </filter>
  <filter-mapping><filter-name>CorsFilter</filter-name><url-pattern>/*</url-pattern></filter-mapping>
</web-app>
`
}

// TestSharedTomcat: two apps run side by side on the one Tomcat of the
// test process, each with its own CorsFilter; an app whose filter
// Tomcat refuses (* with credentials, refused since Tomcat 9) is reported
// with Tomcat's log, not waited for.
func TestSharedTomcat(t *testing.T) {
	t.Parallel()
	a := TomcatApp(t, corsFilter("http://a.test", "false"), map[string]string{"data": "a"})
	b := TomcatApp(t, corsFilter("http://b.test", "false"), map[string]string{"data": "b"})
	ua, _ := url.Parse(a)
	ub, _ := url.Parse(b)
	if ua.Host != ub.Host || ua.Path == ub.Path {
		t.Fatalf("apps %s and %s: want one Tomcat, two paths", a, b)
	}
	for _, c := range []struct{ base, origin, want string }{{a, "http://a.test", "http://a.test"}, {a, "http://b.test", ""}, {b, "http://b.test", "http://b.test"}} {
		status, h, body := answer(t, "GET", c.base+"/data", "Origin", c.origin)
		if got := h.Get("Access-Control-Allow-Origin"); got != c.want {
			t.Errorf("%s from %s: %d %q, Access-Control-Allow-Origin %q, want %q", c.base, c.origin, status, body, got, c.want)
		}
	}
	_, failed := DeployTomcatApp(t, corsFilter("*", "true"), nil)
	if !strings.Contains(failed, "startup failed") || !strings.Contains(failed, "Filters failed to start") {
		t.Errorf("an app with * and credentials: want Tomcat's refusal, got log:\n%.2000s", failed)
	}
}
