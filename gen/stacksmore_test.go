package gen_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// startGenerated runs target's output for o on the real server, listening
// on 127.0.0.1:port.
func startGenerated(t *testing.T, target string, o gen.Options, port int) {
	t.Helper()
	conf := generate(t, target, o)
	switch target {
	case "fastify":
		servertest.NodeApp(t, port, conf, servertest.FastifyPackage, servertest.FastifyCORSPackage)
	case "koa":
		servertest.NodeApp(t, port, conf, servertest.KoaPackage, servertest.KoaCORSPackage)
	case "rack-cors":
		servertest.Puma(t, port, conf)
	case "haproxy":
		servertest.HAProxy(t, port, conf)
	default:
		t.Fatalf("no server for %s", target)
	}
}

// morePolicies are the policies each target is proved with: every branch
// of its writer (a list, patterns, *, allow_headers: * with and without
// Authorization), not every policy everywhere, to keep the suite short.
var morePolicies = map[string][]string{
	"fastify":   {"credentialed", "regexp", "anyheader", "anyheader-auth"},
	"koa":       {"patterns", "public", "anyheader", "anyheader-auth"},
	"rack-cors": {"credentialed", "patterns", "public", "anyheader", "anyheader-auth"},
	"haproxy":   {"credentialed", "patterns", "public", "regexp", "anyheader", "anyheader-auth"},
}

// TestMoreStacks proves fastify, koa, rack-cors and haproxy on their real
// servers: every request of the matrix is judged as the policy judges it.
func TestMoreStacks(t *testing.T) {
	t.Parallel()
	for _, target := range slices.Sorted(maps.Keys(morePolicies)) {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			for _, p := range policies {
				if !slices.Contains(morePolicies[target], p.name) {
					continue
				}
				t.Run(p.name, func(t *testing.T) {
					t.Parallel()
					port := servertest.FreePort(t)
					o := gen.Options{Policy: p.cfg}
					errs := []string{"/missing"}
					if target == "haproxy" {
						o.Upstream, o.Listen = upstream(t), fmt.Sprintf("127.0.0.1:%d", port)
						errs = append(errs, "/fail")
					}
					startGenerated(t, target, o, port)
					verify(t, target, p.cfg, fmt.Sprintf("http://127.0.0.1:%d", port), errs...)
				})
			}
		})
	}
}
