package gen_test

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/gen"
)

// TestRecognize: each answer, as the real servers send them (the headers
// and bodies below were read from Debian's Django 3.2 runserver/wsgiref,
// uvicorn with Starlette 0.26, aiohttp 3.8 with aiohttp-cors 0.7), names its
// stack, an app's own marks winning over the Server header of a proxy in
// front; the stacks known before the registry keep their recognition.
func TestRecognize(t *testing.T) {
	t.Parallel()
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	for _, c := range []struct {
		name   string
		a      gen.Answer
		want   string
		rankBy gen.Rank
	}{
		{"runserver", gen.Answer{Header: h("Server", "WSGIServer/0.2 CPython/3.11.2")}, "django", gen.ByServer},
		{"csrftoken behind nginx", gen.Answer{Header: h("Server", "nginx/1.22.1", "Set-Cookie", "csrftoken=abc; expires=...; Path=/")}, "django", gen.ByApp},
		{"uvicorn", gen.Answer{Header: h("Server", "uvicorn")}, "fastapi", gen.ByServer},
		{"Starlette's refusal behind caddy", gen.Answer{Status: 400, Header: h("Server", "Caddy"), Body: []byte("Disallowed CORS origin")}, "fastapi", gen.ByApp},
		{"FastAPI's 404", gen.Answer{Status: 404, Header: h("Content-Type", "application/json"), Body: []byte(`{"detail":"Not Found"}`)}, "fastapi", gen.ByApp},
		{"aiohttp", gen.Answer{Header: h("Server", "Python/3.11 aiohttp/3.8.4")}, "aiohttp", gen.ByServer},
		{"aiohttp-cors refusal", gen.Answer{Status: 403, Header: h("Server", "nginx"), Body: []byte("CORS preflight request failed: origin 'http://evil.test' is not allowed")}, "aiohttp", gen.ByApp},
		{"express behind nginx", gen.Answer{Header: h("Server", "nginx", "X-Powered-By", "Express")}, "express", gen.ByApp},
		{"php behind nginx", gen.Answer{Header: h("Server", "nginx", "X-Powered-By", "PHP/8.2.36")}, "php", gen.ByApp},
		{"werkzeug", gen.Answer{Header: h("Server", "Werkzeug/2.2.2 Python/3.11.2")}, "flask", gen.ByServer},
		{"caddy", gen.Answer{Header: h("Server", "Caddy")}, "caddy", gen.ByServer},
		{"puma", gen.Answer{Header: h("Server", "Puma 6")}, "rack-cors", gen.ByServer},
		{"Sinatra behind nginx", gen.Answer{Status: 404, Header: h("Server", "nginx", "X-Cascade", "pass"), Body: []byte("<h1>Not Found</h1>")}, "rack-cors", gen.ByApp},
		{"rack-cors's refusal", gen.Answer{Status: 200, Header: h("Transfer-Encoding", "chunked")}, "rack-cors", gen.ByServer},
		{"Fastify's 404 behind nginx", gen.Answer{Status: 404, Header: h("Server", "nginx"), Body: []byte(`{"message":"Route OPTIONS:/data not found","error":"Not Found","statusCode":404}`)}, "fastify", gen.ByApp},
		{"NestJS's 404 (X-Powered-By: Express)", gen.Answer{Status: 404, Header: h("X-Powered-By", "Express"), Body: []byte(`{"message":"Cannot OPTIONS /data","error":"Not Found","statusCode":404}`)}, "nestjs", gen.ByApp},
		{"NestJS's 403 from a guard", gen.Answer{Status: 403, Header: h("X-Powered-By", "Express"), Body: []byte(`{"message":"Forbidden resource","error":"Forbidden","statusCode":403}`)}, "nestjs", gen.ByApp},
		{"NestJS's 500", gen.Answer{Status: 500, Body: []byte(`{"statusCode":500,"message":"Internal server error"}`)}, "nestjs", gen.ByApp},
		{"Hono's 404", gen.Answer{Status: 404, Header: h("Content-Type", "text/plain; charset=UTF-8"), Body: []byte("404 Not Found")}, "hono", gen.ByApp},
		{"hono/cors's default methods", gen.Answer{Status: 204, Header: h("Access-Control-Allow-Methods", "GET,HEAD,PUT,POST,DELETE,PATCH,QUERY")}, "hono", gen.ByApp},
		{"Next.js's X-Powered-By", gen.Answer{Status: 404, Header: h("X-Powered-By", "Next.js")}, "nextjs", gen.ByApp},
		{"Next.js's router Vary (next dev's route handler answer)", gen.Answer{Status: 200, Header: h("Vary", "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding")}, "nextjs", gen.ByApp},
		{"@koa/cors's default methods", gen.Answer{Status: 204, Header: h("Access-Control-Allow-Methods", "GET,HEAD,PUT,POST,DELETE,PATCH")}, "koa", gen.ByApp},
		{"the cors package's default methods", gen.Answer{Status: 204, Header: h("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")}, "", gen.NoEvidence},
		{"HAProxy's 503", gen.Answer{Status: 503, Body: []byte("<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n")}, "haproxy", gen.ByServer},
		{"unknown", gen.Answer{Header: h("Server", "Jetty(9.4.51)")}, "", gen.NoEvidence},
	} {
		got, ev := gen.Recognize(c.a)
		if got != c.want || ev.Rank != c.rankBy || (got != "" && ev.From == "") {
			t.Errorf("%s: got %q %+v, want %q by rank %d", c.name, got, ev, c.want, c.rankBy)
		}
	}
}

// TestRegistryIsTheOneList: every gen target is a registered stack, the
// doctor's stacks are registered stacks, and each stack says how it is
// proved (or why not).
func TestRegistryIsTheOneList(t *testing.T) {
	t.Parallel()
	var names []string
	for _, s := range gen.Stacks() {
		names = append(names, s.Name)
		if s.Proof == "" || s.Title == "" {
			t.Errorf("stack %s: no proof or title", s.Name)
		}
	}
	for _, n := range gen.Names() {
		if !slices.Contains(names, n) {
			t.Errorf("gen target %s is not a registered stack", n)
		}
	}
	for _, n := range check.Stacks() {
		if !slices.Contains(names, n) {
			t.Errorf("the doctor's stack %s is not registered", n)
		}
	}
	for _, n := range []string{"django", "fastapi", "aiohttp"} {
		if !slices.Contains(check.Stacks(), n) {
			t.Errorf("the doctor does not write for %s", n)
		}
	}
}

// TestDocsListEveryTarget: docs/gen.md and docs/cloud.md have a row for
// every registered gen target, so the docs follow the registry.
func TestDocsListEveryTarget(t *testing.T) {
	t.Parallel()
	var docs string
	for _, f := range []string{"../docs/gen.md", "../docs/cloud.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs += string(b)
	}
	for _, n := range gen.Names() {
		if !strings.Contains(docs, "| `"+n+"` |") {
			t.Errorf("docs/gen.md (or cloud.md) has no row | `%s` | for the registered target %s", n, n)
		}
	}
}

// TestProofsNameTestsThatExist: every test a stack's proof names (TestX,
// or TestX/sub) is a test function of the repository, so that --help and
// the docs never point at a test that is not there.
func TestProofsNameTestsThatExist(t *testing.T) {
	t.Parallel()
	defined := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range regexp.MustCompile(`(?m)^func (Test\w+)\(`).FindAllSubmatch(src, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`\bTest\w+`)
	for _, s := range gen.Stacks() {
		for _, name := range named.FindAllString(s.Proof, -1) {
			if !defined[name] {
				t.Errorf("stack %s: its proof names %s, which no _test.go file defines: %q", s.Name, name, s.Proof)
			}
		}
	}
}
