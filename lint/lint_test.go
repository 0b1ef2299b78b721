package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpus lists, for each broken file, every finding expected as
// "line:rule=severity"; the clean files must have none.
var corpus = map[string][]string{
	"bad/nginx-classic.conf": {
		"3:nginx-unanchored-origin-regex=high", "3:nginx-unescaped-dot=high",
		"8:nginx-missing-always=medium", "8:nginx-origin-echo=high", "8:nginx-no-vary=medium", "8:nginx-upstream-duplicate=low",
		"9:nginx-missing-always=medium",
		"11:nginx-add-header-in-if=high", "11:nginx-missing-always=medium",
		"20:nginx-inherited-headers-lost=medium",
	},
	"bad/gateway.yaml": {
		"3:wildcard-beside-credentials=medium",
		"4:max-age-capped=info",
		"5:secret-exposed=medium",
		"8:policy-invalid=high", "8:policy-invalid=high",
		"11:http-origin=medium",
	},
	"bad/app.js":    {"5:express-reflect-any-origin=high", "11:express-header-reflect=high"},
	"bad/app.py":    {"6:flask-cors-credentials-any-origin=high", "9:flask-cors-unanchored-regex=high"},
	"bad/index.php": {"2:php-reflect-origin=high"},
	"bad/main.go":   {"10:go-reflect-origin=high", "15:go-allow-origin-func-true=high"},
	"bad/s3-cors.json": {
		"4:storage-any-origin=medium", "8:storage-rule-shadowed=medium",
		"13:storage-wildcard-origin-unsupported=high", "13:storage-rule-never-matches=medium", "13:http-origin=medium",
		"14:storage-method-unsupported=high", "14:s3-upload-etag-hidden=low", "14:s3-upload-content-type=low",
	},
	"bad/azure-cors.xml": {
		"5:storage-wildcard-origin-unsupported=high", "5:storage-rule-never-matches=medium",
		"6:storage-method-unsupported=low", "6:storage-method-unsupported=high", "6:storage-limit=high",
	},
	"bad/gcs-cors.json": {"3:storage-any-origin=medium", "9:storage-wildcard-origin-unsupported=high", "9:storage-rule-shadowed=medium"},
	"bad/httproute.yaml": {
		"13:gateway-star-beside-others=high", "13:gateway-any-origin-credentials=high", "14:gateway-origin-invalid=high",
		"15:gateway-method-invalid=high", "16:gateway-any-header-credentials=medium", "18:max-age-capped=info",
	},
	"bad/ingress.yaml": {
		"6:ingress-cors-default=medium", "6:max-age-capped=info", "7:ingress-origin-without-scheme=high",
		"7:ingress-one-label-wildcard=info", "8:ingress-annotation-refused=high",
	},
	"bad/s3-wildcards.xml": {"6:storage-wildcard-origin-broad=high", "7:storage-wildcard-origin-broad=high"},
	// What corskit gen writes for these services passes its own lint.
	"good/s3-cors.json": nil, "good/azure-cors.xml": nil, "good/gcs-cors.json": nil, "good/httproute.yaml": nil, "good/ingress-nginx.yaml": nil,
	"good/nginx-correct.conf": nil, "good/gateway.yaml": nil, "good/app.js": nil, "good/app.py": nil,
	"good/index.php": nil, "good/main.go": nil,
	// The Python stacks' rules (gen/stack_django.go, stack_fastapi.go,
	// stack_aiohttp.go); the good files are corskit gen's output.
	"bad/django_settings.py":  {"3:django-cors-middleware-order=medium", "5:django-old-setting-name=low", "5:django-origin-with-path=medium", "6:django-allow-all-with-credentials=high"},
	"bad/fastapi_app.py":      {"4:starlette-star-with-credentials=high"},
	"bad/aiohttp_app.py":      {"3:aiohttp-cors-star-with-credentials=high", "3:aiohttp-cors-no-methods=low"},
	"good/django_settings.py": nil, "good/fastapi_app.py": nil, "good/aiohttp_app.py": nil,
	// Fastify, Koa, rack-cors and HAProxy (gen/stack_fastify.go, stack_koa.go,
	// stack_rackcors.go, stack_haproxy.go); the good files are corskit gen's output.
	"bad/fastify_app.js":  {"2:fastify-methods-default=medium", "3:fastify-origin-any-with-credentials=high"},
	"bad/koa_app.js":      {"9:koa-cors-after-routes=medium", "9:koa-credentials-any-origin=high"},
	"bad/config.ru":       {"4:rack-cors-credentials-wildcard=high", "4:rack-cors-origin-with-path=medium"},
	"bad/rails_cors.rb":   {"1:rack-cors-not-first=medium"},
	"bad/haproxy.cfg":     {"3:haproxy-reflects-any-origin=high", "4:haproxy-add-header-acao=medium", "5:haproxy-origin-read-in-response=medium"},
	"good/fastify_app.js": nil, "good/koa_app.js": nil, "good/config.ru": nil, "good/haproxy.cfg": nil,
	// Tomcat's CorsFilter and lighttpd (gen/stack_tomcat.go,
	// stack_lighttpd.go); the good files are corskit gen's output.
	"bad/web.xml":       {"5:tomcat-default-methods=low", "5:tomcat-filter-without-mapping=medium", "7:tomcat-any-origin-with-credentials=high"},
	"bad/lighttpd.conf": {"3:lighttpd-auth-on-preflight=medium", "4:lighttpd-add-header-acao=medium", "5:lighttpd-any-origin-with-credentials=high"},
	"good/web.xml":      nil, "good/lighttpd.conf": nil,
	// Laravel, Symfony (NelmioCorsBundle), Spring and ASP.NET Core
	// (gen/stack_laravel.go, stack_symfony.go, stack_spring.go,
	// stack_aspnetcore.go); the good files are corskit gen's output.
	"bad/laravel_cors.php":  {"3:laravel-empty-paths=medium", "5:laravel-star-with-credentials=high"},
	"bad/nelmio_cors.yaml":  {"4:symfony-unanchored-origin-regex=medium", "8:symfony-star-with-credentials=high"},
	"bad/WebConfig.java":    {"8:spring-security-without-cors=medium", "13:spring-star-with-credentials=high"},
	"bad/Program.cs":        {"2:aspnetcore-any-origin-credentials=high", "6:aspnetcore-usecors-order=medium"},
	"bad/Startup.cs":        {"5:aspnetcore-usecors-order=medium"},
	"good/laravel_cors.php": nil, "good/nelmio_cors.yaml": nil, "good/CorsApplication.java": nil, "good/Program.cs": nil,
	// The platforms' files (gen/stack_vercel.go, stack_netlify.go,
	// stack_firebase.go, stack_apigateway.go, stack_lambdaurl.go,
	// stack_cloudflare.go); the good files are corskit gen's output.
	"bad/platforms/vercel.json":       {"6:vercel-star-with-credentials=high"},
	"bad/platforms/firebase.json":     {"8:firebase-hosting-origin-list=medium"},
	"bad/platforms/netlify.toml":      {"7:netlify-star-with-credentials=high"},
	"bad/platforms/_headers":          {"3:netlify-origin-list=medium"},
	"bad/platforms/template.yaml":     {"8:api-gateway-star-with-credentials=high"},
	"bad/platforms/function-url.yaml": {"9:lambda-url-star-with-credentials=high", "10:lambda-url-headers-in-one-entry=medium"},
	"bad/platforms/worker.js":         {"5:workers-no-preflight=medium"},
	"good/platforms/vercel.json":      nil, "good/platforms/firebase.json": nil, "good/platforms/netlify.toml": nil, "good/platforms/_headers": nil,
	"good/platforms/template.yaml": nil, "good/platforms/function-url.yaml": nil, "good/platforms/cors.json": nil, "good/platforms/worker.js": nil,
	// NestJS and Hono (gen/stack_nestjs.go, stack_hono.go); the good files
	// are corskit gen's output.
	"bad/nest_main.ts":    {"7:nestjs-enablecors-after-listen=medium", "7:nestjs-origin-any-with-credentials=high"},
	"bad/nest_default.js": {"4:nestjs-enablecors-default-star=medium"},
	"bad/hono_app.ts":     {"6:hono-cors-after-routes=medium", "7:hono-origin-any-with-credentials=high"},
	"good/nest_main.js":   nil, "good/hono_app.js": nil,
	// Next.js (gen/stack_nextjs.go): next.config.js headers(), a route
	// handler without OPTIONS; the good proxy.ts is corskit gen's output.
	"bad/nextjs/next.config.js":        {"7:nextjs-star-with-credentials=high"},
	"bad/nextjs/app/api/data/route.ts": {"9:nextjs-route-without-options=medium"},
	"good/nextjs/proxy.ts":             nil,
}

// TestUnknownFileIsAnError: a file lint cannot read is an error naming it,
// never an empty list of findings.
func TestUnknownFileIsAnError(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(file, []byte("CORS_ALLOW_ALL_ORIGINS = True\n"), 0o600)
	fs, err := Files([]string{file, "testdata/good/app.py"})
	if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "not read") {
		t.Errorf("got %v, %v; want an error naming %s", fs, err, file)
	}
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	for file, want := range corpus {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			fs, err := File(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, fmt.Sprintf("%d:%s=%s", f.Line, f.Rule, f.Level))
				if f.Message == "" || f.Fix == "" || f.Column < 1 {
					t.Errorf("finding without message, fix or column: %+v", f)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s:\n got  %q\n want %q\n%s", file, got, want, strings.Join(lines(fs), "\n"))
			}
		})
	}
}

func lines(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, "  "+f.String())
	}
	return out
}

func TestPolicyErrorsAreLocated(t *testing.T) {
	t.Parallel()
	fs, _ := File("testdata/bad/gateway.yaml")
	for _, f := range fs {
		if f.Rule == "policy-invalid" && strings.Contains(f.Message, "trailing slash") {
			if f.Line != 8 || f.Column != 21 || !strings.Contains(f.Fix, `use "https://app.example.com"`) {
				t.Errorf("got %s", f)
			}
			return
		}
	}
	t.Errorf("no located trailing-slash finding in %q", lines(fs))
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"broken.conf": "server { location / { add_header X 1; }",
		"quote.conf":  "server { add_header X \"1; }",
		"notes.txt":   "hello",
		"bad.yaml":    "allow_origins: [",
		"rules.xml":   "<html></html>",
		"s3.json":     `{"CORSRules": [{"AllowedOrigin": ["*"]}]}`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		fs, err := File(p)
		if want := map[string]string{"bad.yaml": "policy-invalid", "s3.json": "storage-invalid"}[name]; want != "" {
			if err != nil || len(fs) != 1 || fs[0].Rule != want {
				t.Errorf("%s: got %v %v; want one %s finding", name, fs, err, want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v; want an error naming the file", name, err)
		}
	}
	if _, err := File(filepath.Join(dir, "missing.conf")); err == nil {
		t.Error("missing file: got no error")
	}
}

func FuzzNginx(f *testing.F) {
	for file := range corpus {
		if strings.HasSuffix(file, ".conf") {
			b, _ := os.ReadFile(filepath.Join("testdata", file))
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		lintNginx("f.conf", src) // must not panic
	})
}

// FuzzCloudFiles feeds hostile bytes to the storage and Kubernetes readers:
// no panic, and every finding located inside the file.
func FuzzCloudFiles(f *testing.F) {
	for file := range corpus {
		if strings.Contains(file, "cors") || strings.Contains(file, "route") || strings.Contains(file, "ingress") || strings.HasSuffix(file, ".xml") {
			b, _ := os.ReadFile(filepath.Join("testdata", file))
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, fs := range [][]Finding{lintStorage("f", data, "s3"), lintStorage("f", data, "azure-blob"), lintStorage("f", data, "gcs"), lintKubernetes("f", data)} {
			for _, x := range fs {
				if x.Line < 1 || x.Line > lines || x.Column < 1 {
					t.Fatalf("finding outside the file (%d lines): %+v", lines, x)
				}
			}
		}
	})
}
