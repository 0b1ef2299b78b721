package gen_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// TestNginxVaryOnErrors: the nginx output, run by nginx on loopback, sends
// Vary: Origin on every answer whose CORS headers depend on the origin,
// error answers included. nginx drops an add_header without always from
// answers other than 2xx and 3xx: a cache would then keep a 404 or 500
// made for one origin and serve it to another. The browser verdicts of
// TestNginx cannot see this: a missing Vary blocks nothing.
func TestNginxVaryOnErrors(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "nginx")
	port := servertest.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cfg := policies[0].cfg // a list of origins: the answer varies with Origin
	servertest.Nginx(t, port, generate(t, "nginx", gen.Options{Policy: cfg, Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)}))
	for _, origin := range []string{cfg.AllowOrigins[0], "https://evil.test"} {
		for _, tc := range []struct {
			method, path string
			status       int
		}{
			{"GET", "/data", 200},
			{"GET", "/missing", 404},
			{"GET", "/fail", 500},
			{"OPTIONS", "/data", 204},
		} {
			req, _ := http.NewRequest(tc.method, base+tc.path, nil)
			req.Header.Set("Origin", origin)
			if tc.method == "OPTIONS" {
				req.Header.Set("Access-Control-Request-Method", "PUT")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			vary := strings.Join(resp.Header.Values("Vary"), ",")
			if resp.StatusCode != tc.status || !strings.Contains(strings.ToLower(vary), "origin") {
				t.Errorf("%s %s from %s: got %d, Vary %q; want %d with Vary: Origin (add_header ... always)",
					tc.method, tc.path, origin, resp.StatusCode, vary, tc.status)
			}
		}
	}
}
