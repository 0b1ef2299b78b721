package gen_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

// startGenerated runs target's output for o on the real server, listening
// on 127.0.0.1:port (Tomcat: an app on the shared Tomcat), and returns
// the base URL of its API.
func startGenerated(t *testing.T, target string, o gen.Options, port int) string {
	t.Helper()
	return startConf(t, target, generate(t, target, o), port)
}

// startConf runs conf, target's output, as startGenerated does.
func startConf(t *testing.T, target, conf string, port int) string {
	t.Helper()
	switch target {
	case "fastify":
		servertest.NodeApp(t, port, conf, servertest.FastifyPackage, servertest.FastifyCORSPackage)
	case "koa":
		servertest.NodeApp(t, port, conf, servertest.KoaPackage, servertest.KoaCORSPackage)
	case "rack-cors":
		servertest.Puma(t, port, conf)
	case "haproxy":
		servertest.HAProxy(t, port, conf)
	case "lighttpd":
		servertest.Lighttpd(t, port, conf)
	case "tomcat":
		return servertest.TomcatApp(t, conf, map[string]string{"data": `{"message": "Hello from API!"}`})
	case "cloudflare-workers":
		servertest.Workerd(t, port, conf)
	case "nestjs", "hono":
		startNodeStack(t, target, port, conf)
	case "nextjs":
		startNext(t, port, conf)
	default:
		t.Fatalf("no server for %s", target)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// isProxy reports whether target sits in front of an upstream.
func isProxy(target string) bool {
	t, _ := gen.Lookup(target)
	return t.Proxy
}

// proxyOptions sets a proxy target's upstream (the test's API, which sets
// a wrong CORS header of its own) and listen address.
func proxyOptions(t *testing.T, target string, o gen.Options, port int) gen.Options {
	if isProxy(target) {
		o.Upstream, o.Listen = upstream(t), fmt.Sprintf("127.0.0.1:%d", port)
	}
	return o
}

// nodeStackPackages are the npm packages NestJS's and Hono's apps require.
var nodeStackPackages = map[string][]string{
	"nestjs": {servertest.NestCorePackage, servertest.NestCommonPackage, servertest.NestExpressPackage, servertest.ReflectMetadataPackage, servertest.RxJSPackage},
	"hono":   {servertest.HonoPackage, servertest.HonoNodeServerPackage},
}

// startNodeStack runs a NestJS or Hono app and returns its directory.
func startNodeStack(t *testing.T, target string, port int, src string) string {
	t.Helper()
	return servertest.NodeApp(t, port, src, nodeStackPackages[target]...)
}

// morePolicies are the policies each target is proved with: every branch
// of its writer (a list, patterns, *, allow_headers: * with and without
// Authorization), not every policy everywhere, to keep the suite short.
var morePolicies = map[string][]string{
	"fastify": {"credentialed", "regexp", "anyheader", "anyheader-auth"},
	"koa":     {"patterns", "public", "anyheader", "anyheader-auth"},
	// Nest starts slowly (about a second of CPU): the writer's two
	// allow_headers: * branches here; its listed-headers branch, with a
	// RegExp origin, in TestMoreStacksInRealEngines and the hostile test.
	"nestjs": {"anyheader", "anyheader-auth"},
	// Hono: anyheader-auth covers origin '*' as public would.
	"hono":      {"patterns", "anyheader", "anyheader-auth"},
	"rack-cors": {"credentialed", "patterns", "public", "anyheader", "anyheader-auth"},
	"haproxy":   {"credentialed", "patterns", "public", "regexp", "anyheader", "anyheader-auth"},
	// Exact origins or *, listed headers: the two policies they express.
	"lighttpd": {"credentialed", "public"},
	"tomcat":   {"credentialed", "public"},
	// workerd starts in a fifth of a second: every branch of the Worker.
	"cloudflare-workers": {"credentialed", "patterns", "public", "regexp", "anyheader", "anyheader-auth"},
}

// exactOnly are the targets that take exact origins only: the real
// engines' proof runs them with the page's own origin.
var exactOnly = []string{"lighttpd", "tomcat"}

// TestMoreStacks proves the stacks of morePolicies (fastify, koa, nestjs,
// hono, rack-cors, haproxy, lighttpd, tomcat, cloudflare-workers) on their
// real servers: every request of the matrix is judged as the policy judges it.
func TestMoreStacks(t *testing.T) {
	t.Parallel()
	for _, target := range slices.Sorted(maps.Keys(morePolicies)) {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			for _, p := range policies {
				// go test: the first three of the stack's list; CORSKIT_SLOW=1: all.
				if i := slices.Index(morePolicies[target], p.name); i < 0 || (i >= 3 && !slow()) {
					continue
				}
				t.Run(p.name, func(t *testing.T) {
					t.Parallel()
					port := servertest.FreePort(t)
					o := proxyOptions(t, target, gen.Options{Policy: p.cfg}, port)
					errs := []string{"/missing"}
					if isProxy(target) {
						errs = append(errs, "/fail")
					}
					verify(t, target, p.cfg, startGenerated(t, target, o, port), errs...)
				})
			}
		})
	}
}

// TestMoreStacksInRealEngines runs the six targets' output (and, with
// CORSKIT_SLOW=1, nextjs's on next dev) for one
// credentialed policy on their real servers and sends the requests from
// Chromium, Firefox and WebKit: each engine's verdict, and its model's,
// equals the policy's.
func TestMoreStacksInRealEngines(t *testing.T) {
	t.Parallel()
	cfg := cors.Config{AllowOrigins: []string{"http://127.0.0.1:*"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type", "X-Custom"},
		ExposeHeaders: []string{"X-Request-Id"}, AllowCredentials: true, MaxAge: 60}
	servers := map[string]string{}
	targets := slices.Sorted(maps.Keys(morePolicies))
	if slow() {
		targets = append(targets, "nextjs") // next dev: tens of seconds to compile
	}
	for _, target := range targets {
		if slices.Contains(exactOnly, target) {
			continue
		}
		port := servertest.FreePort(t)
		servers[target] = startGenerated(t, target, proxyOptions(t, target, gen.Options{Policy: cfg}, port), port)
	}
	cases := []struct {
		name, method string
		headers      map[string]string
		creds        string
	}{
		{"listed headers, credentialed", "PUT", map[string]string{"Content-Type": "application/json", "X-Custom": "1"}, "include"},
		{"a header not listed", "PUT", map[string]string{"X-Other": "1"}, "omit"},
		{"a method not listed", "DELETE", nil, "omit"},
		{"GET, credentialed", "GET", nil, "include"},
	}
	browsertest.EachEngine(t, func(t *testing.T, e browsertest.Engine) {
		model, _ := browser.EngineNamed(e.Name())
		// The exact-origin targets allow this page's origin alone.
		exact := cfg
		exact.AllowOrigins = []string{e.Origin()}
		policy, urls := map[string]cors.Config{}, maps.Clone(servers)
		for target := range urls {
			policy[target] = cfg
		}
		for _, target := range exactOnly {
			port := servertest.FreePort(t)
			urls[target] = startGenerated(t, target, proxyOptions(t, target, gen.Options{Policy: exact}, port), port)
			policy[target] = exact
		}
		targets := slices.Sorted(maps.Keys(urls))
		var reqs []browsertest.Request
		var of []string // the target of each request
		for _, target := range targets {
			for _, c := range cases {
				r := browsertest.Request{URL: urls[target] + "/data?" + url.QueryEscape(c.name), Method: c.method, Headers: c.headers, Credentials: c.creds}
				if c.method != "GET" {
					r.Body = "{}"
				}
				reqs = append(reqs, r)
				of = append(of, target)
			}
		}
		results := e.FetchAll(t, reqs)
		for i, r := range reqs {
			req := browsertest.ModelRequest(e.Origin(), r)
			want := allows(policy[of[i]], req)
			v := model.Fetch(req, check.Transport(context.Background(), check.Options{Body: r.Body, Timeout: 5 * time.Second}))
			if results[i].OK != want || v.Allowed != want {
				t.Errorf("%s: %s %s (%s): ok=%v %q, its model %v, the policy %v", e.Name(), r.Method, r.URL, r.Credentials, results[i].OK, results[i].Console, v.Allowed, want)
			}
		}
		t.Logf("%s: %d requests to %v, each equal to the policy and to the model", e.Name(), len(reqs), targets)
	})
}

// TestHostileValuesOnMoreStacks: the hostile policy's values (quotes,
// interpolations, comment ends) written by fastify, koa, nestjs, hono,
// rack-cors and haproxy reach their real servers as the same bytes, and run nothing.
func TestHostileValuesOnMoreStacks(t *testing.T) {
	t.Parallel()
	targets := slices.Sorted(maps.Keys(morePolicies))
	if slow() {
		targets = append(targets, "nextjs")
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			port := servertest.FreePort(t)
			conf := hostileGenerate(t, target, proxyOptions(t, target, gen.Options{}, port))
			dir := t.TempDir()
			switch target {
			case "fastify":
				dir = servertest.NodeApp(t, port, conf, servertest.FastifyPackage, servertest.FastifyCORSPackage)
			case "koa":
				dir = servertest.NodeApp(t, port, conf, servertest.KoaPackage, servertest.KoaCORSPackage)
			case "nestjs", "hono":
				dir = startNodeStack(t, target, port, conf)
			case "nextjs":
				dir = startNext(t, port, conf)
			case "rack-cors":
				servertest.Puma(t, port, conf)
			case "haproxy", "lighttpd", "tomcat":
				base := startConf(t, target, conf, port)
				if slices.Contains(exactOnly, target) {
					// The hostile origin is a pattern, which they leave out.
					roundTripFrom(t, base, dir, false, false, "https://app.example.com", nil)
					return
				}
				roundTrip(t, base, dir, false)
				return
			case "cloudflare-workers":
				dir = servertest.Workerd(t, port, conf)
			}
			// rack-cors answers the headers the preflight asked for.
			roundTrip(t, fmt.Sprintf("http://127.0.0.1:%d", port), dir, target == "rack-cors")
		})
	}
}
