package gen_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// TestMoreStacksRecognized sends the answers a doctor sees to real
// Fastify, Koa, NestJS, Hono, Sinatra-with-rack-cors and HAProxy servers, each with a
// common mistake, and requires gen.Recognize to name the stack, and the
// stack's named cause to be seen where it shows in the answer.
func TestMoreStacksRecognized(t *testing.T) {
	t.Parallel()
	type probe struct {
		method, path string
		headers      []string
		cause        string // the cause seen in this answer, or ""
	}
	preflight := func(path, method, cause string) probe {
		return probe{"OPTIONS", path, []string{"Origin", "http://app.test", "Access-Control-Request-Method", method}, cause}
	}
	cases := []struct {
		stack  string
		start  func(port int)
		probes []probe
	}{
		{"fastify", func(port int) {
			servertest.NodeApp(t, port, `const f = require('fastify')();
f.register(require('@fastify/cors'), { origin: 'http://app.test' });
f.put('/data', async () => ({ ok: true }));
f.listen({ port: +process.env.PORT, host: '127.0.0.1' });
`, servertest.FastifyPackage, servertest.FastifyCORSPackage)
		}, []probe{preflight("/data", "PUT", "fastify-methods-default"), {"GET", "/missing", nil, ""}}},
		{"koa", func(port int) {
			servertest.NodeApp(t, port, `const Koa = require('koa');
const app = new Koa();
app.use(require('@koa/cors')());
app.listen(+process.env.PORT, '127.0.0.1');
`, servertest.KoaPackage, servertest.KoaCORSPackage)
		}, []probe{preflight("/data", "PUT", ""), {"GET", "/missing", nil, ""}}},
		{"nestjs", func(port int) {
			// enableCors after listen: the preflight meets Nest's 404.
			startNodeStack(t, "nestjs", port, `require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { Module } = require('@nestjs/common');
class AppModule {}
Module({})(AppModule);
NestFactory.create(AppModule, { logger: false }).then(async (app) => {
  await app.listen(+process.env.PORT, '127.0.0.1');
  app.enableCors();
});
`)
		}, []probe{preflight("/data", "PUT", "nestjs-no-cors-before-router"), {"GET", "/missing", nil, ""}}},
		{"hono", func(port int) {
			// cors mounted on /api alone: /api/data's preflight meets Hono's 404.
			startNodeStack(t, "hono", port, `const { Hono } = require('hono');
const { cors } = require('hono/cors');
const app = new Hono();
app.use('/api', cors());
app.put('/api/data', (c) => c.json({ ok: true }));
app.get('/ok', (c) => c.text('ok'));
app.use('/ok', cors());
require('@hono/node-server').serve({ fetch: app.fetch, port: +process.env.PORT, hostname: '127.0.0.1' });
`)
		}, []probe{preflight("/api/data", "PUT", "hono-cors-misses-route"), preflight("/ok", "PUT", ""), {"GET", "/missing", nil, "hono-cors-misses-route"}}},
		{"rack-cors", func(port int) {
			servertest.Puma(t, port, `require 'sinatra/base'
require 'rack/cors'
class App < Sinatra::Base
  get('/data') { '{}' }
end
use Rack::Cors do
  allow do
    origins 'http://app.test'
    resource '/api/*', headers: :any
  end
end
run App
`)
		}, []probe{preflight("/data", "PUT", "rack-cors-refused-preflight"), {"GET", "/missing", nil, ""}}},
		{"haproxy", func(port int) {
			servertest.HAProxy(t, port, fmt.Sprintf("frontend fe\n    bind 127.0.0.1:%d\n    default_backend down\nbackend down\n    retries 0\n    server s1 127.0.0.1:%d\n", port, servertest.FreePort(t)))
		}, []probe{{"GET", "/data", []string{"Origin", "http://app.test"}, "haproxy-own-answers-without-cors"}}},
	}
	for _, c := range cases {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			port := servertest.FreePort(t)
			c.start(port)
			s, _ := gen.LookupStack(c.stack)
			for _, p := range c.probes {
				req, _ := http.NewRequest(p.method, fmt.Sprintf("http://127.0.0.1:%d%s", port, p.path), nil)
				for i := 0; i+1 < len(p.headers); i += 2 {
					req.Header.Set(p.headers[i], p.headers[i+1])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				resp.Body.Close()
				a := gen.Answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
				name, ev := gen.Recognize(a)
				if name != c.stack {
					t.Errorf("%s %s: recognised as %q (%+v), want %s; the answer: %d %v %q", p.method, p.path, name, ev, c.stack, resp.StatusCode, resp.Header, body)
				}
				seen := ""
				for _, cause := range s.Causes {
					if cause.Seen != nil && cause.Seen(a) {
						seen = cause.ID
						break
					}
				}
				if seen != p.cause {
					t.Errorf("%s %s: cause seen %q, want %q", p.method, p.path, seen, p.cause)
				}
				t.Logf("%s %s: %s from %s", p.method, p.path, name, ev.From)
			}
		})
	}
}
