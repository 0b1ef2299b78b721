package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/servertest"
)

// The broken Fastify, Koa, NestJS, Hono, rack-cors and HAProxy servers join the table
// of TestBrokenServersFromEvidenceToAWorkingApp, which shares its browsers
// between every case: each is a mistake those stacks' users report.
func init() {
	brokenServers = append(brokenServers, moreBrokenServers...)
	brokenServers = append(brokenServers, lighttpdBrokenServers...)
	brokenServers = append(brokenServers, tomcatBrokenServers...)
}

// rubyList is xs as a Ruby list of strings.
func rubyList(xs []string) string { return "['" + strings.Join(xs, "', '") + "']" }

// sinatraApp is a Sinatra app under rack-cors configured by corsBlock,
// answering /data.
func sinatraApp(corsBlock string) string {
	return `require 'sinatra/base'
require 'rack/cors'

class App < Sinatra::Base
  get('/data') { content_type :json; '{"items": []}' }
  put('/data') { content_type :json; '{"saved": true}' }
end

` + corsBlock + `
run App
`
}

// nestApp is a NestJS app (plain JavaScript, the decorators applied as
// functions) answering GET and PUT /data, whose bootstrap runs main
// after const app = await NestFactory.create(AppModule).
func nestApp(port int, main string) string {
	return fmt.Sprintf(`require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { Module, Controller, Get, Put } = require('@nestjs/common');

class DataController {
  get() { return { items: [] }; }
  put() { return { saved: true }; }
}
Get()(DataController.prototype, 'get', Object.getOwnPropertyDescriptor(DataController.prototype, 'get'));
Put()(DataController.prototype, 'put', Object.getOwnPropertyDescriptor(DataController.prototype, 'put'));
Controller('data')(DataController);
class AppModule {}
Module({ controllers: [DataController] })(AppModule);

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: false });
%s}
bootstrap();
`, strings.ReplaceAll(main, "PORT", fmt.Sprint(port)))
}

// honoApp is a Hono app on @hono/node-server: its CORS lines, then GET
// and PUT on path.
func honoApp(port int, corsLines, path string) string {
	return fmt.Sprintf(`const { Hono } = require('hono');
const { cors } = require('hono/cors');
const { serve } = require('@hono/node-server');

const app = new Hono();
%s
app.get('%s', (c) => c.json({ items: [] }));
app.put('%s', (c) => c.json({ saved: true }));

serve({ fetch: app.fetch, port: %d, hostname: '127.0.0.1' });
`, corsLines, path, path, port)
}

var moreBrokenServers = []brokenServer{
	{name: "nestjs enableCors after listen", stack: "nestjs", path: "/data", detect: true,
		app: func(port int, _ string, origins, _ []string) string {
			return nestApp(port, fmt.Sprintf(`  await app.listen(PORT, '127.0.0.1');
  app.enableCors({ origin: %s, credentials: true });
`, jsList(origins)))
		},
		// A HAR holds no body: Nest's 404 JSON, which names the cause, is not in it.
		problems: "nestjs-no-cors-before-router", harProblems: "preflight not handled"},
	{name: "nestjs enableCors() default *", stack: "nestjs", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return nestApp(port, `  app.enableCors();
  await app.listen(PORT, '127.0.0.1');
`)
		},
		worked:   []browsertest.Request{getReq("omit")},
		problems: "wildcard with credentials,credentials not allowed"},
	// A middleware registered with app.use before app.enableCors answers
	// the preflight first: here a CSRF guard that takes writes in JSON
	// only, and refuses the preflight, which has no Content-Type.
	{name: "nestjs middleware before enableCors", stack: "nestjs", path: "/data", detect: true,
		app: func(port int, _ string, origins, _ []string) string {
			return nestApp(port, fmt.Sprintf(`  const { ForbiddenException } = require('@nestjs/common');
  app.use((req, res, next) => {
    if (!['GET', 'HEAD'].includes(req.method) && !req.is('application/json')) throw new ForbiddenException('JSON requests only');
    next();
  });
  app.enableCors({ origin: %s, credentials: true });
  await app.listen(PORT, '127.0.0.1');
`, jsList(origins)))
		},
		worked:   []browsertest.Request{getReq("include")},
		problems: "nestjs-middleware-before-cors", harProblems: "preflight not handled"},
	// No CORS at all: the doctor's form A.
	{name: "nestjs without cors", stack: "nestjs", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return nestApp(port, "  await app.listen(PORT, '127.0.0.1');\n")
		},
		problems: "nestjs-no-cors-before-router", harProblems: "preflight not handled"},
	{name: "hono cors mounted on /api alone", stack: "hono", path: "/api/data", detect: true,
		app: func(port int, _ string, origins, _ []string) string {
			return honoApp(port, fmt.Sprintf("app.use('/api', cors({ origin: %s, credentials: true }));", jsList(origins)), "/api/data")
		},
		problems: "hono-cors-misses-route", harProblems: "preflight not handled"},
	// cors() registered after the routes: the routes answer without
	// calling next, so their answers have no CORS headers; the preflight,
	// which no route answers, reaches cors() and passes.
	{name: "hono cors after the routes", stack: "hono", path: "/data",
		app: func(port int, _ string, origins, _ []string) string {
			return strings.Replace(honoApp(port, "", "/data"), "\nserve(", fmt.Sprintf("app.use('*', cors({ origin: %s, credentials: true }));\n\nserve(", jsList(origins)), 1)
		},
		problems: "CORS after the route"},
	{name: "hono origin function returns a boolean", stack: "hono", path: "/data",
		app: func(port int, _ string, origins, _ []string) string {
			return honoApp(port, fmt.Sprintf("const allowed = %s;\napp.use('*', cors({ origin: (origin) => allowed.includes(origin), allowMethods: ['GET', 'PUT'], credentials: true }));", jsList(origins)), "/data")
		},
		problems: "invalid origin value"},
	// No CORS at all: the doctor's form A (the require and the middleware).
	{name: "hono without cors", stack: "hono", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return strings.Replace(honoApp(port, "", "/data"), "const { cors } = require('hono/cors');\n", "", 1)
		},
		problems: "hono-cors-misses-route", harProblems: "preflight not handled"},
	{name: "fastify methods default", stack: "fastify", path: "/data",
		app: func(port int, _ string, origins, _ []string) string {
			return fmt.Sprintf(`const fastify = require('fastify')();
fastify.register(require('@fastify/cors'), { origin: %s, credentials: true });
fastify.get('/data', async () => ({ items: [] }));
fastify.put('/data', async () => ({ saved: true }));
fastify.listen({ port: %d, host: '127.0.0.1' });
`, jsList(origins), port)
		},
		worked:   []browsertest.Request{getReq("include")},
		problems: "method not allowed"},
	{name: "fastify origin one string", stack: "fastify", path: "/data",
		app: func(port int, _ string, _, others []string) string {
			return fmt.Sprintf(`const fastify = require('fastify')();
fastify.register(require('@fastify/cors'), { origin: '%s', methods: ['GET', 'PUT'], credentials: true });
fastify.get('/data', async () => ({ items: [] }));
fastify.put('/data', async () => ({ saved: true }));
fastify.listen({ port: %d, host: '127.0.0.1' });
`, others[0], port)
		},
		problems: "wrong origin allowed"},
	{name: "koa cors after the router", stack: "koa", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return fmt.Sprintf(`const Koa = require('koa');
const Router = require('@koa/router');
const cors = require('@koa/cors');
const app = new Koa();
const router = new Router();
router.get('/data', (ctx) => { ctx.body = { items: [] }; });
router.put('/data', (ctx) => { ctx.body = { saved: true }; });
app.use(router.routes());
app.use(router.allowedMethods());
app.use(cors({ credentials: true }));
app.listen(%d, '127.0.0.1');
`, port)
		},
		problems: "CORS after the route"},
	{name: "koa cors 5 default origin *", stack: "koa", path: "/data",
		app: func(port int, _ string, _, _ []string) string {
			return fmt.Sprintf(`const Koa = require('koa');
const cors = require('@koa/cors');
const app = new Koa();
app.use(cors());
app.use(async (ctx, next) => {
  if (ctx.path !== '/data') return next();
  ctx.body = ctx.method === 'PUT' ? { saved: true } : { items: [] };
});
app.listen(%d, '127.0.0.1');
`, port)
		},
		worked:   []browsertest.Request{getReq("omit")},
		problems: "wildcard with credentials,credentials not allowed"},
	{name: "rack-cors methods default", stack: "rack-cors", path: "/data",
		app: func(port int, _ string, origins, _ []string) string {
			return sinatraApp(fmt.Sprintf(`use Rack::Cors do
  allow do
    origins %s
    resource '*', headers: :any, credentials: true
  end
end
`, rubyList(origins)))
		},
		worked: []browsertest.Request{getReq("include")},
		// The probe sees rack-cors answer other preflights: its bare 200
		// is a refusal by the CORS code (the stack's cause
		// rack-cors-refused-preflight is listed under the fix).
		problems: "request refused by the CORS code"},
	{name: "rack-cors resource path", stack: "rack-cors", path: "/data",
		app: func(port int, _ string, origins, _ []string) string {
			return sinatraApp(fmt.Sprintf(`use Rack::Cors do
  allow do
    origins %s
    resource '/api/*', headers: :any, methods: [:get, :put], credentials: true
  end
end
`, rubyList(origins)))
		},
		// No probe answer for /data carries a CORS header: live, there is
		// no CORS for this path; a HAR holds only the bare 200, rack-cors's
		// refusal.
		problems:    "no CORS on the server",
		harProblems: "request refused by the CORS code"},
	{name: "haproxy preflight to the backend", stack: "haproxy", path: "/data",
		app: func(port int, upstream string, origins, _ []string) string {
			return fmt.Sprintf(`frontend api
    bind 127.0.0.1:%d
    acl cors_ok req.hdr(origin) -m str %s
    http-request set-var(txn.cors_origin) req.hdr(origin) if cors_ok
    http-after-response set-header Access-Control-Allow-Origin "%%[var(txn.cors_origin)]" if { var(txn.cors_origin) -m found }
    http-after-response set-header Access-Control-Allow-Credentials true if { var(txn.cors_origin) -m found }
    default_backend app

backend app
    server s1 %s
`, port, strings.Join(origins, " "), strings.TrimPrefix(upstream, "http://"))
		},
		worked:   []browsertest.Request{getReq("include")},
		problems: "method not allowed,JSON content type"},
	{name: "haproxy http-response misses its own answers", stack: "haproxy", path: "/data",
		app: func(port int, upstream string, origins, _ []string) string {
			return fmt.Sprintf(`frontend api
    bind 127.0.0.1:%d
    acl cors_ok req.hdr(origin) -m str %s
    http-request set-var(txn.cors_origin) req.hdr(origin) if cors_ok
    http-request return status 204 hdr Access-Control-Allow-Methods "GET, PUT" hdr Access-Control-Allow-Headers "Content-Type" if METH_OPTIONS { var(txn.cors_origin) -m found }
    http-response set-header Access-Control-Allow-Origin "%%[var(txn.cors_origin)]" if { var(txn.cors_origin) -m found }
    http-response set-header Access-Control-Allow-Credentials true if { var(txn.cors_origin) -m found }
    default_backend app

backend app
    server s1 %s
`, port, strings.Join(origins, " "), strings.TrimPrefix(upstream, "http://"))
		},
		worked: []browsertest.Request{getReq("include")},
		// The preflight answered by http-request return carries the
		// methods but no Access-Control-Allow-Origin: the doctor names the
		// missing header, not yet HAProxy's http-response rule.
		problems: "no Access-Control-Allow-Origin,credentials not allowed"},
}

// startMoreStack runs a broken server of the stacks above; it returns the
// app's base URL where it is not http://127.0.0.1:port (Tomcat), else "".
func startMoreStack(t *testing.T, stack string, port int, src string) string {
	t.Helper()
	switch stack {
	case "fastify":
		servertest.NodeApp(t, port, src, servertest.FastifyPackage, servertest.FastifyCORSPackage)
	case "koa":
		servertest.NodeApp(t, port, src, servertest.KoaPackage, servertest.KoaCORSPackage, servertest.KoaRouterPackage)
	case "nestjs":
		servertest.NodeApp(t, port, src, servertest.NestCorePackage, servertest.NestCommonPackage, servertest.NestExpressPackage, servertest.ReflectMetadataPackage, servertest.RxJSPackage)
	case "hono":
		servertest.NodeApp(t, port, src, servertest.HonoPackage, servertest.HonoNodeServerPackage)
	case "rack-cors":
		servertest.Puma(t, port, src)
	case "haproxy":
		servertest.HAProxy(t, port, src)
	case "lighttpd":
		servertest.Lighttpd(t, port, src)
	case "tomcat":
		return servertest.TomcatApp(t, src, map[string]string{"data": `{"items": []}`})
	case "nextjs":
		return startNext(t, src)
	case "cloudflare-workers":
		servertest.Workerd(t, port, src)
	default:
		t.Fatalf("no starter for %s", stack)
	}
	return ""
}

// lighttpdBroken is a lighttpd.conf on 127.0.0.1:port in front of
// upstream, with body (the app's own CORS lines) after it.
func lighttpdBroken(port int, upstream, body string) string {
	u := strings.TrimPrefix(upstream, "http://")
	host, p, _ := strings.Cut(u, ":")
	return fmt.Sprintf(`server.bind = "127.0.0.1"
server.port = %d
server.document-root = "/var/www/html"
server.modules += ("mod_setenv", "mod_rewrite", "mod_proxy")
proxy.server = ("" => (("host" => %q, "port" => %s)))
%s`, port, host, p, body)
}

// The broken lighttpd servers: mistakes of CORS written with mod_setenv.
var lighttpdBrokenServers = []brokenServer{
	{name: "lighttpd setenv only for GET", stack: "lighttpd", path: "/data",
		app: func(port int, upstream string, origins, _ []string) string {
			var b strings.Builder
			for _, o := range origins {
				fmt.Fprintf(&b, `$REQUEST_HEADER["Origin"] == %q {
    $HTTP["request-method"] == "GET" {
        setenv.set-response-header = ("Access-Control-Allow-Origin" => %q, "Access-Control-Allow-Credentials" => "true")
    }
}
`, o, o)
			}
			return lighttpdBroken(port, upstream, b.String())
		},
		worked: []browsertest.Request{getReq("include")},
		// The preflight goes to the upstream, whose 200 has no CORS header:
		// the doctor names what the answer lacks.
		problems: "no CORS on the server", detect: true},
	{name: "lighttpd * with credentials", stack: "lighttpd", path: "/data",
		app: func(port int, upstream string, _, _ []string) string {
			return lighttpdBroken(port, upstream, `setenv.add-response-header = (
    "Access-Control-Allow-Origin" => "*",
    "Access-Control-Allow-Methods" => "GET, PUT",
    "Access-Control-Allow-Headers" => "Content-Type"
)
`)
		},
		worked:   []browsertest.Request{getReq("omit")},
		problems: "wildcard with credentials,credentials not allowed"},
}

// tomcatWebXML is a web.xml with Tomcat's CorsFilter and params, mapped
// to every path.
func tomcatWebXML(params string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
  <filter>
    <filter-name>CorsFilter</filter-name>
    <filter-class>org.apache.catalina.filters.CorsFilter</filter-class>
` + params + `  </filter>
  <filter-mapping>
    <filter-name>CorsFilter</filter-name>
    <url-pattern>/*</url-pattern>
  </filter-mapping>
</web-app>
`
}

// The broken Tomcat apps: the CorsFilter's mistakes. Its static /data
// answers GET; a PUT gets the DefaultServlet's 405, with the filter's
// CORS headers once the preflight passes, which fetch() reads as an answer.
var tomcatBrokenServers = []brokenServer{
	{name: "tomcat default methods", stack: "tomcat", path: "/data",
		app: func(_ int, _ string, origins, _ []string) string {
			return tomcatWebXML(fmt.Sprintf(`    <init-param><param-name>cors.allowed.origins</param-name><param-value>%s</param-value></init-param>
    <init-param><param-name>cors.support.credentials</param-name><param-value>true</param-value></init-param>
`, strings.Join(origins, ",")))
		},
		worked:   []browsertest.Request{getReq("include")},
		problems: "request refused by the CORS code", detect: true},
	{name: "tomcat filter-mapping misses the path", stack: "tomcat", path: "/data",
		app: func(_ int, _ string, origins, _ []string) string {
			return strings.Replace(tomcatWebXML(fmt.Sprintf(`    <init-param><param-name>cors.allowed.origins</param-name><param-value>%s</param-value></init-param>
    <init-param><param-name>cors.allowed.methods</param-name><param-value>GET,HEAD,POST,PUT</param-value></init-param>
    <init-param><param-name>cors.support.credentials</param-name><param-value>true</param-value></init-param>
`, strings.Join(origins, ","))), "<url-pattern>/*</url-pattern>", "<url-pattern>/api/*</url-pattern>", 1)
		},
		// The DefaultServlet answers the preflight: 200, Allow, no CORS.
		problems: "tomcat-filter-mapping", detect: true},
}
