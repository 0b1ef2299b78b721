package gen_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/corskit/corskit/gen"
)

// TestFrameworksRecognized: the marks of Laravel, Symfony, Spring and
// ASP.NET Core name their stack, an app's own marks winning over a proxy's
// Server header, and the causes an answer shows itself are seen in it.
func TestFrameworksRecognized(t *testing.T) {
	t.Parallel()
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	for _, c := range []struct {
		name  string
		a     gen.Answer
		want  string
		rank  gen.Rank
		cause string
	}{
		{"laravel_session behind nginx with PHP", gen.Answer{Header: h("Server", "nginx", "X-Powered-By", "PHP/8.2.36", "Set-Cookie", "laravel_session=eyJpdiI6; expires=Sat, 05 Dec 2026 06:00:00 GMT; path=/; httponly; samesite=lax")}, "laravel", gen.ByApp, ""},
		{"XSRF-TOKEN", gen.Answer{Header: h("Set-Cookie", "XSRF-TOKEN=eyJpdiI6; path=/; samesite=lax")}, "laravel", gen.ByApp, ""},
		{"Symfony's profiler token", gen.Answer{Header: h("Server", "nginx", "X-Debug-Token", "a1b2c3", "X-Debug-Token-Link", "http://127.0.0.1/_profiler/a1b2c3")}, "symfony", gen.ByApp, ""},
		{"NelmioCorsBundle's refusal", gen.Answer{Status: 400, Header: h("Content-Type", "text/html; charset=UTF-8"), Body: []byte("Unauthorized header x-custom")}, "symfony", gen.ByApp, "symfony-header-not-listed"},
		{"Spring's CORS refusal", gen.Answer{Status: 403, Body: []byte("Invalid CORS request")}, "spring", gen.ByApp, "spring-refused"},
		{"Spring Boot's error JSON", gen.Answer{Status: 404, Header: h("Content-Type", "application/json"), Body: []byte(`{"timestamp":"2026-12-05T04:00:00.000+00:00","status":404,"error":"Not Found","path":"/data"}`)}, "spring", gen.ByApp, ""},
		{"Whitelabel", gen.Answer{Status: 500, Body: []byte("<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error</p></body></html>")}, "spring", gen.ByApp, ""},
		{"Kestrel", gen.Answer{Status: 204, Header: h("Server", "Kestrel")}, "aspnetcore", gen.ByServer, ""},
		{"ASP.NET behind IIS", gen.Answer{Header: h("Server", "Microsoft-IIS/10.0", "X-Powered-By", "ASP.NET")}, "aspnetcore", gen.ByApp, ""},
		{"ProblemDetails with traceparent", gen.Answer{Status: 404, Body: []byte(`{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"traceId":"0af7651916cd43dd8448eb211c80319c","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}`)}, "aspnetcore", gen.ByApp, ""},
		{"ProblemDetails without an Activity", gen.Answer{Status: 400, Body: []byte(`{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Bad Request","status":400,"traceId":"0HN7GLK2V5C1B:00000002"}`)}, "aspnetcore", gen.ByApp, ""},
		{"ProblemDetails", gen.Answer{Status: 405, Body: []byte(`{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.6","title":"Method Not Allowed","status":405,"traceId":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}`)}, "aspnetcore", gen.ByApp, ""},
		{"a JSON body that is not Spring's", gen.Answer{Status: 403, Body: []byte(`{"status":403,"error":"Forbidden"}`)}, "", gen.NoEvidence, ""},
		{"a 403 that is not Spring's", gen.Answer{Status: 403, Body: []byte("Invalid CORS request, see the logs")}, "", gen.NoEvidence, ""},
	} {
		got, ev := gen.Recognize(c.a)
		if got != c.want || ev.Rank != c.rank || (got != "" && ev.From == "") {
			t.Errorf("%s: got %q %+v, want %q by rank %d", c.name, got, ev, c.want, c.rank)
		}
		if c.want == "" {
			continue
		}
		s, _ := gen.LookupStack(c.want)
		var seen []string
		for _, cause := range s.Causes {
			if cause.Seen != nil && cause.Seen(c.a) {
				seen = append(seen, cause.ID)
			}
		}
		if want := slices.DeleteFunc([]string{c.cause}, func(s string) bool { return s == "" }); !slices.Equal(seen, want) {
			t.Errorf("%s: causes seen %q, want %q", c.name, seen, want)
		}
	}
}

// TestFrameworkLint: each framework's lint rules find the planted
// mistakes (the file names are the frameworks' own), and nothing in gen's
// output for the same framework.
func TestFrameworkLint(t *testing.T) {
	t.Parallel()
	planted := []struct{ stack, file, text string }{
		{"laravel", "config/cors.php", "<?php\nreturn [\n    'paths' => [],\n    'allowed_origins' => ['*'],\n    'supports_credentials' => true,\n];\n"},
		{"symfony", "config/packages/nelmio_cors.yaml", "nelmio_cors:\n    defaults:\n        origin_regex: true\n        allow_origin: ['https://app.example.com', '^https://ok\\.example\\.com$']\n        allow_credentials: true\n    paths:\n        '^/api/':\n            allow_origin: ['*']\n"},
		{"spring", "src/main/java/app/WebConfig.java", "package app;\nimport org.springframework.security.config.annotation.web.builders.HttpSecurity;\nimport org.springframework.security.web.SecurityFilterChain;\nclass WebConfig {\n  SecurityFilterChain chain(HttpSecurity http) throws Exception { return http.build(); }\n  public void addCorsMappings(CorsRegistry registry) {\n    registry.addMapping(\"/**\").allowedOrigins(\"*\").allowCredentials(true);\n  }\n}\n"},
		{"aspnetcore", "Program.cs", "var builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin().AllowCredentials()));\nvar app = builder.Build();\napp.UseRouting();\napp.UseAuthorization();\napp.UseCors();\napp.Run();\n"},
		{"aspnetcore", "Startup.cs", "public void Configure(IApplicationBuilder app) {\n    app.UseCors(\"web\");\n    app.UseRouting();\n    app.UseEndpoints(e => e.MapControllers());\n}\n"},
	}
	want := map[string][]string{
		"config/cors.php":                  {"laravel-empty-paths", "laravel-star-with-credentials"},
		"config/packages/nelmio_cors.yaml": {"symfony-star-with-credentials", "symfony-unanchored-origin-regex"},
		"src/main/java/app/WebConfig.java": {"spring-security-without-cors", "spring-star-with-credentials"},
		"Program.cs":                       {"aspnetcore-any-origin-credentials", "aspnetcore-usecors-order"},
		"Startup.cs":                       {"aspnetcore-usecors-order"},
	}
	outputs := map[string]string{"laravel": "config/cors.php", "symfony": "config/packages/nelmio_cors.yaml", "spring": "src/main/java/corskit/CorsApplication.java", "aspnetcore": "Program.cs"}
	for _, p := range planted {
		if got := lintIDs(p.stack, p.file, p.text); !slices.Equal(got, want[p.file]) {
			t.Errorf("%s %s: rules %q, want %q", p.stack, p.file, got, want[p.file])
		}
	}
	for stack, file := range outputs {
		for _, c := range frameworkCases(stack) {
			if got := lintIDs(stack, file, generateCase(t, stack, c)); len(got) > 0 {
				t.Errorf("%s %s: gen's own output is flagged: %q", stack, c.name, got)
			}
		}
	}
}

// lintIDs are the ids of stack's lint rules that hit text (as file),
// sorted and once each.
func lintIDs(stack, file, text string) []string {
	s, _ := gen.LookupStack(stack)
	var out []string
	for _, r := range s.Lint {
		if r.Applies(file, text) && len(r.Find(text)) > 0 {
			out = append(out, r.ID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
