package gen_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/quote"
	"github.com/corskit/corskit/internal/servertest"
)

// slow reports whether the slow proofs run (CORSKIT_SLOW=1): next dev
// compiles for tens of seconds on a loaded 2-core machine.
func slow() bool { return os.Getenv("CORSKIT_SLOW") == "1" }

// nextPackages are what next dev needs to compile a proxy.ts and a route
// handler without installing anything itself.
var nextPackages = []string{servertest.NextPackage, servertest.ReactPackage, servertest.ReactDOMPackage,
	servertest.TypeScriptPackage, servertest.TypesReactPackage, servertest.TypesNodePackage}

// startNext runs next dev (Turbopack) on 127.0.0.1:port with proxy.ts
// (gen's output) and app/data/route.ts answering GET, POST, PUT, PATCH and
// DELETE, then sends a GET and a preflight so that both are compiled
// before the test's requests, which have short timeouts. It returns the
// project's directory.
func startNext(t *testing.T, port int, proxy string) string {
	t.Helper()
	dir := t.TempDir()
	node := servertest.NPMInstall(t, dir, nextPackages...)
	files := map[string]string{
		"proxy.ts":          proxy,
		"app/data/route.ts": "const hello = () => Response.json({ message: 'Hello from API!' });\nexport { hello as GET, hello as POST, hello as PUT, hello as PATCH, hello as DELETE };\n",
		// node_modules is a link out of the project: Turbopack compiles
		// nothing outside its root unless told.
		"next.config.js": "module.exports = { turbopack: { root: '/' } };\n",
		"package.json":   "{\"private\": true}\n",
	}
	for name, text := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	next := filepath.Join(dir, "node_modules", "next", "dist", "bin", "next")
	servertest.Start(t, dir, port, []string{"NEXT_TELEMETRY_DISABLED=1"}, node, next, "dev", "-p", fmt.Sprint(port), "-H", "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, method := range []string{"GET", "OPTIONS"} {
		req, _ := http.NewRequestWithContext(ctx, method, fmt.Sprintf("http://127.0.0.1:%d/data", port), nil)
		req.Header.Set("Origin", "http://warm.up")
		req.Header.Set("Access-Control-Request-Method", "PUT")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("next dev's first %s /data: %v", method, err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("next dev's first %s /data: %s", method, resp.Status)
		}
	}
	return dir
}

// TestNextOutputIsQuoted: every value of the hostile policy reaches the
// generated proxy.ts through quote.JS or quote.JSRegexp, never bare (the
// default run's check; with CORSKIT_SLOW=1 the hostile values also go
// through the real next dev in TestHostileValuesOnMoreStacks).
func TestNextOutputIsQuoted(t *testing.T) {
	t.Parallel()
	out := hostileGenerate(t, "nextjs", gen.Options{})
	var values []string
	values = append(values, hostileMethods...)
	values = append(values, hostileHeaders...)
	values = append(values, hostileExpose...)
	for _, v := range values {
		if !strings.Contains(out, quote.JS(v)) {
			t.Errorf("%q is not in the output as %s", v, quote.JS(v))
		}
	}
	if strings.Contains(out, `require("fs")`) {
		t.Errorf("the hostile origin pattern is in the output unquoted:\n%s", out)
	}
}
