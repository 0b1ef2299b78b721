package servertest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// answer sends method to url with headers (name, value pairs) and returns
// the status, the response headers and the body.
func answer(t *testing.T, method, url string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, resp.Header, string(body)
}

// The harnesses start the real servers, and each answers as its stack
// does: these are the answers the stack recognition relies on.
func TestStackHarnesses(t *testing.T) {
	t.Parallel()
	t.Run("fastify", func(t *testing.T) {
		port := FreePort(t)
		NodeApp(t, port, `const f = require('fastify')();
f.register(require('@fastify/cors'), { origin: 'http://app.test' });
f.get('/x', async () => ({ ok: true }));
f.listen({ port: +process.env.PORT, host: '127.0.0.1' });
`, FastifyPackage, FastifyCORSPackage)
		status, _, body := answer(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/nope", port))
		if status != 404 || body != `{"message":"Route GET:/nope not found","error":"Not Found","statusCode":404}` {
			t.Errorf("Fastify's 404: %d %q", status, body)
		}
		status, h, _ := answer(t, "OPTIONS", fmt.Sprintf("http://127.0.0.1:%d/x", port), "Origin", "http://app.test", "Access-Control-Request-Method", "PUT")
		if status != 204 || h.Get("Access-Control-Allow-Methods") != "GET,HEAD,POST" {
			t.Errorf("@fastify/cors's preflight: %d %v", status, h)
		}
	})
	t.Run("koa", func(t *testing.T) {
		port := FreePort(t)
		NodeApp(t, port, `const Koa = require('koa');
const app = new Koa();
app.use(require('@koa/cors')({ origin: 'http://app.test' }));
app.use(async (ctx, next) => { if (ctx.path === '/x') ctx.body = { ok: true }; else await next(); });
app.listen(+process.env.PORT, '127.0.0.1');
`, KoaPackage, KoaCORSPackage)
		status, h, body := answer(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/nope", port))
		if status != 404 || body != "Not Found" || h.Get("Vary") != "Origin" {
			t.Errorf("Koa's 404 behind @koa/cors: %d %v %q", status, h, body)
		}
	})
	t.Run("puma", func(t *testing.T) {
		port := FreePort(t)
		Puma(t, port, `require 'sinatra/base'
require 'rack/cors'
class App < Sinatra::Base
  get('/api/x') { '{"ok":true}' }
end
use Rack::Cors do
  allow do
    origins 'http://app.test'
    resource '/api/*', headers: :any, methods: [:get]
  end
end
run App
`)
		// rack-cors refuses a method by answering 200 with no CORS header.
		status, h, body := answer(t, "OPTIONS", fmt.Sprintf("http://127.0.0.1:%d/api/x", port), "Origin", "http://app.test", "Access-Control-Request-Method", "PUT")
		if status != 200 || body != "" || h.Get("Access-Control-Allow-Origin") != "" || h.Get("Content-Type") != "" {
			t.Errorf("rack-cors's refusal: %d %v %q", status, h, body)
		}
		status, h, body = answer(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/nope", port))
		if status != 404 || body != "<h1>Not Found</h1>" || h.Get("X-Cascade") != "pass" {
			t.Errorf("Sinatra's 404: %d %v %q", status, h, body)
		}
	})
	t.Run("haproxy", func(t *testing.T) {
		port := FreePort(t)
		HAProxy(t, port, fmt.Sprintf(`frontend fe
    bind 127.0.0.1:%d
    http-request deny if { path_beg /deny }
    default_backend down
backend down
    retries 0
    server s1 127.0.0.1:%d
`, port, FreePort(t)))
		status, _, body := answer(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/deny", port))
		if status != 403 || !strings.Contains(body, "Request forbidden by administrative rules.") {
			t.Errorf("HAProxy's 403: %d %q", status, body)
		}
		status, _, body = answer(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/x", port))
		if status != 503 || !strings.Contains(body, "No server is available to handle this request.") {
			t.Errorf("HAProxy's 503: %d %q", status, body)
		}
	})
}
