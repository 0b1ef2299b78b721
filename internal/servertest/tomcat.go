package servertest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tomcatHome is Debian's tomcat10 (CATALINA_HOME).
const tomcatHome = "/usr/share/tomcat10"

// tomcatLayout is what a CATALINA_BASE adds to Debian's configuration.
type tomcatLayout struct {
	// dirs are directories beside conf, logs, temp and work.
	dirs []string
	// engine are the Engine element's attributes beyond its name and
	// default host; autoDeploy is true when the host deploys what appears
	// in webapps.
	engine     string
	autoDeploy bool
	// skipJars has Tomcat scan no jar for annotations and TLDs.
	skipJars bool
}

// tomcatBase lays out a CATALINA_BASE at base: its directories, Debian's
// configuration files from /etc/tomcat10, and a server.xml with one
// connector on 127.0.0.1:port and no shutdown port. The error names a
// configuration file tomcat10 did not install.
func tomcatBase(base string, port int, l tomcatLayout) error {
	for _, d := range append([]string{"conf", "logs", "temp", "work"}, l.dirs...) {
		os.MkdirAll(filepath.Join(base, d), 0o755)
	}
	for _, f := range []string{"web.xml", "catalina.properties", "logging.properties", "context.xml"} {
		data, err := os.ReadFile(filepath.Join("/etc/tomcat10", f))
		if err != nil {
			return fmt.Errorf("tomcat10's /etc/tomcat10/%s: %v", f, err)
		}
		if f == "catalina.properties" && l.skipJars {
			data = append(data, "\ntomcat.util.scan.StandardJarScanFilter.jarsToSkip=*.jar\n"...)
		}
		os.WriteFile(filepath.Join(base, "conf", f), data, 0o600)
	}
	server := fmt.Sprintf(`<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1"/>
    <Engine name="Catalina" defaultHost="localhost"%s>
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="%t"/>
    </Engine>
  </Service>
</Server>
`, port, l.engine, l.autoDeploy)
	return os.WriteFile(filepath.Join(base, "conf", "server.xml"), []byte(server), 0o600)
}

// ServeTomcat runs Debian's Tomcat 10 on a free loopback port until the
// test ends, with one web app at / made of webXML (its WEB-INF/web.xml)
// and files (path under the app: content), and returns its base URL.
func ServeTomcat(t *testing.T, webXML string, files map[string]string) string {
	t.Helper()
	catalina := Need(t, filepath.Join(tomcatHome, "bin", "catalina.sh"))
	Need(t, "java")
	base, port := t.TempDir(), FreePort(t)
	root := filepath.Join(base, "webapps", "ROOT")
	os.MkdirAll(filepath.Join(root, "WEB-INF"), 0o755)
	if err := tomcatBase(base, port, tomcatLayout{}); err != nil {
		Need(t, err.Error())
	}
	os.WriteFile(filepath.Join(root, "WEB-INF", "web.xml"), []byte(webXML), 0o600)
	for name, content := range files {
		os.WriteFile(filepath.Join(root, name), []byte(content), 0o600)
	}
	Start(t, base, port, []string{"CATALINA_HOME=" + tomcatHome, "CATALINA_BASE=" + base}, catalina, "run")
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	// Tomcat binds its port before it deploys the app and answers only
	// once it has: wait for an answer.
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(url + "/WEB-INF/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				return url // the app is there and hides WEB-INF
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("tomcat on %s did not deploy the app within 60 s (%v)", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
