package check

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/servertest"
)

// aiohttpApp is an aiohttp app with aiohttp-cors allowing the page's
// origin with Content-Type only: other headers and origins get its 403.
const aiohttpApp = `import sys
from aiohttp import web
import aiohttp_cors

async def data(request):
    return web.json_response({"ok": True})

app = web.Application()
cors = aiohttp_cors.setup(app, defaults={
    "` + probePage + `": aiohttp_cors.ResourceOptions(allow_credentials=True, allow_headers=("Content-Type",)),
})
resource = cors.add(app.router.add_resource("/data"))
for m in ("GET", "POST", "PUT"):
    cors.add(resource.add_route(m, data))
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]))
`

// TestFrameworkRefusalsFirst: a framework's own refusal is the first
// cause named, with the setting to change, before "preflight not handled
// ... a route or auth layer" (what corskit said before for Starlette).
func TestFrameworkRefusalsFirst(t *testing.T) {
	t.Parallel()
	t.Run("starlette origin", func(t *testing.T) {
		t.Parallel()
		base := servertest.ServeASGI(t, starletteApp(`allow_origins=["`+probeOther+`"], allow_methods=["GET", "PUT"], allow_headers=["Content-Type"], allow_credentials=True`))
		r := probeCheck(t, base+"/data", "PUT", browser.Header{Name: "Content-Type", Value: "application/json"})
		if got := problemNames(r); !strings.HasPrefix(got, "origin refused by the CORS code") || !strings.Contains(r.Problems[0].Sentence, "allow_origins") {
			t.Errorf("problems %q, want Starlette's origin refusal first: %+v", got, r.Problems)
		}
		if got := problemNames(r); strings.Count(got, "refused by the CORS code") != 1 {
			t.Errorf("problems %q: one refusal, told once", got)
		}
	})
	t.Run("aiohttp-cors headers", func(t *testing.T) {
		t.Parallel()
		python := servertest.Need(t, "/usr/bin/python3")
		if err := exec.Command(python, "-c", "import aiohttp_cors").Run(); err != nil {
			servertest.Need(t, "python3-aiohttp-cors (Debian's aiohttp-cors)")
		}
		dir, port := t.TempDir(), servertest.FreePort(t)
		os.WriteFile(filepath.Join(dir, "app.py"), []byte(aiohttpApp), 0o600)
		servertest.Start(t, dir, port, nil, python, "app.py", fmt.Sprint(port))
		r := probeCheck(t, fmt.Sprintf("http://127.0.0.1:%d/data", port), "PUT", browser.Header{Name: "Content-Type", Value: "application/json"}, browser.Header{Name: "X-Request-Id", Value: "1"})
		if got := problemNames(r); !strings.HasPrefix(got, "header refused by the CORS code") || !strings.Contains(r.Problems[0].Sentence, "aiohttp-cors") {
			t.Errorf("problems %q, want aiohttp-cors' header refusal first: %+v", got, r.Problems)
		}
	})
}

// tomcatWebXML puts Tomcat's CorsFilter in front of the app's /data,
// allowing the page's origin with the filter's default methods (GET, POST,
// HEAD, OPTIONS): a preflight for PUT gets its bare 403. Its mapping
// misses /plain, which the DefaultServlet answers without CORS headers.
const tomcatWebXML = `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="5.0">
  <filter>
    <filter-name>CorsFilter</filter-name>
    <filter-class>org.apache.catalina.filters.CorsFilter</filter-class>
    <init-param><param-name>cors.allowed.origins</param-name><param-value>` + probePage + `, ` + probeOther + `</param-value></init-param>
    <init-param><param-name>cors.support.credentials</param-name><param-value>true</param-value></init-param>
  </filter>
  <filter-mapping><filter-name>CorsFilter</filter-name><url-pattern>/data</url-pattern></filter-mapping>
</web-app>
`

// TestFrameworkRefusalTomcat: Tomcat's CorsFilter refuses a method with a
// bare 403; the doctor names the filter and its init-params first, not an
// auth layer. And a HAR's live fill names Tomcat's own cause for a path
// its filter mapping misses, which the file alone cannot
// (harFillTomcatMapping).
func TestFrameworkRefusalTomcat(t *testing.T) {
	t.Parallel()
	base := servertest.ServeTomcat(t, tomcatWebXML, map[string]string{"data": `{"ok": true}`, "plain": `{"ok": true}`})
	t.Run("HAR fill names tomcat-filter-mapping", func(t *testing.T) { harFillTomcatMapping(t, base+"/plain") })
	r := probeCheck(t, base+"/data", "PUT", browser.Header{Name: "Content-Type", Value: "application/json"})
	if got := problemNames(r); !strings.HasPrefix(got, "request refused by the CORS code") || !strings.Contains(r.Problems[0].Sentence, "cors.allowed.methods") {
		t.Errorf("problems %q, want Tomcat's CorsFilter refusal first: %+v", got, r.Problems)
	}
	if l := r.Fix.Learned; l == nil || !hasFold(l.Methods, "GET", "POST") || !hasFold(l.Origins, probePage, probeOther) {
		t.Errorf("learned %+v", r.Fix.Learned)
	}
}

// harFillTomcatMapping: a GET that Tomcat answered 200 without CORS
// headers, as Chromium's HAR records it, is from the file alone "no CORS
// on the server" (AMBIGUOUS); the live fill's preflights get the
// DefaultServlet's own answer and name Tomcat's filter mapping, as the
// live check does.
func harFillTomcatMapping(t *testing.T, url string) {
	entry := `{"_resourceType": "fetch", "request": {"method": "GET", "url": "` + url + `", "headers": [{"name": "Origin", "value": "` + probePage + `"}]},
		"response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}], "content": {"text": "{}"}}}`
	h, err := ParseHAR([]byte(`{"log": {"entries": [` + entry + `]}}`))
	if err != nil {
		t.Fatal(err)
	}
	base := Options{Browser: "chromium", Timeout: 5 * time.Second}
	for _, mode := range []HARMode{{Offline: true}, {}} {
		for r := range JudgeHAR(context.Background(), h, base, mode).Results {
			got := "none"
			if r.Full != nil && len(r.Full.Problems) > 0 {
				got = r.Full.Problems[0].Name
			}
			switch {
			case mode.Offline && (got != "no CORS on the server" || len(r.Causes) < 2):
				t.Errorf("offline: %q, causes %q; want no CORS on the server, AMBIGUOUS", got, r.Causes)
			case !mode.Offline && (got != "tomcat-filter-mapping" || r.Fill == nil || r.Fill.Sent == 0):
				t.Errorf("filled: %q, fill %+v; want tomcat-filter-mapping, named by the fill", got, r.Fill)
			}
		}
	}
}
