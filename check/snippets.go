package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// snippets write, for each stack, the configuration that sends the fix. Each
// answers preflights itself, names the allowed origin rather than echoing any
// Origin, and adds Vary: Origin.
var snippets = map[string]func(policy) string{
	"express": expressSnippet,
	"flask":   flaskSnippet,
	"php":     phpSnippet,
	"nginx":   nginxSnippet,
	"go":      goSnippet,
	"caddy":   caddySnippet,
}

// Stacks lists the stacks --stack accepts, besides auto.
func Stacks() []string {
	var out []string
	for k := range snippets {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func snippetFor(stack string) func(policy) string { return snippets[stack] }

func quoteList(items []string, quote string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = quote + s + quote
	}
	return strings.Join(out, ", ")
}

func expressSnippet(p policy) string {
	var b strings.Builder
	b.WriteString("// npm install cors\nconst cors = require('cors');\n\napp.use(cors({  // before the routes: it answers preflights too\n")
	fmt.Fprintf(&b, "  origin: [%s],  // exact origins: scheme://host:port, no trailing slash\n", quoteList([]string{p.Origin}, "'"))
	if len(p.Methods) > 0 {
		fmt.Fprintf(&b, "  methods: [%s],\n", quoteList(append([]string{"GET", "HEAD", "POST"}, p.Methods...), "'"))
	}
	if len(p.Headers) > 0 {
		fmt.Fprintf(&b, "  allowedHeaders: [%s],\n", quoteList(p.Headers, "'"))
	}
	if len(p.Expose) > 0 {
		fmt.Fprintf(&b, "  exposedHeaders: [%s],\n", quoteList(p.Expose, "'"))
	}
	if p.Credentials {
		b.WriteString("  credentials: true,\n")
	}
	fmt.Fprintf(&b, "  maxAge: %d,\n}));\n", p.MaxAge)
	return b.String()
}

func flaskSnippet(p policy) string {
	var b strings.Builder
	b.WriteString("# pip install flask-cors\nfrom flask_cors import CORS\n\nCORS(\n    app,\n")
	fmt.Fprintf(&b, "    origins=[%s],  # exact origins, no trailing slash\n", quoteList([]string{p.Origin}, `"`))
	if len(p.Methods) > 0 {
		fmt.Fprintf(&b, "    methods=[%s],\n", quoteList(append([]string{"GET", "HEAD", "POST", "OPTIONS"}, p.Methods...), `"`))
	}
	if len(p.Headers) > 0 {
		fmt.Fprintf(&b, "    allow_headers=[%s],\n", quoteList(p.Headers, `"`))
	}
	if len(p.Expose) > 0 {
		fmt.Fprintf(&b, "    expose_headers=[%s],\n", quoteList(p.Expose, `"`))
	}
	if p.Credentials {
		b.WriteString("    supports_credentials=True,\n")
	}
	fmt.Fprintf(&b, "    max_age=%d,\n)\n", p.MaxAge)
	return b.String()
}

func phpSnippet(p policy) string {
	var b strings.Builder
	b.WriteString("<?php\n// At the top of every endpoint (or in a front controller), before any output.\n")
	fmt.Fprintf(&b, "$allowed = [%s];\n", quoteList([]string{p.Origin}, "'"))
	b.WriteString("$origin = $_SERVER['HTTP_ORIGIN'] ?? '';\nheader('Vary: Origin', false);\nif (in_array($origin, $allowed, true)) {\n    header('Access-Control-Allow-Origin: ' . $origin);\n")
	if p.Credentials {
		b.WriteString("    header('Access-Control-Allow-Credentials: true');\n")
	}
	if len(p.Expose) > 0 {
		fmt.Fprintf(&b, "    header('Access-Control-Expose-Headers: %s');\n", strings.Join(p.Expose, ", "))
	}
	b.WriteString("}\nif ($_SERVER['REQUEST_METHOD'] === 'OPTIONS' && isset($_SERVER['HTTP_ACCESS_CONTROL_REQUEST_METHOD'])) {\n")
	if len(p.Methods) > 0 {
		fmt.Fprintf(&b, "    header('Access-Control-Allow-Methods: %s');\n", strings.Join(p.Methods, ", "))
	}
	if len(p.Headers) > 0 {
		fmt.Fprintf(&b, "    header('Access-Control-Allow-Headers: %s');\n", strings.Join(p.Headers, ", "))
	}
	fmt.Fprintf(&b, "    header('Access-Control-Max-Age: %d');\n    http_response_code(204);\n    exit;  // answer the preflight here: never run the endpoint for it\n}\n", p.MaxAge)
	return b.String()
}

func nginxSnippet(p policy) string {
	var b strings.Builder
	b.WriteString("# In http { }: an allowlist, never $http_origin echoed as is.\nmap $http_origin $cors_origin {\n    default \"\";\n")
	fmt.Fprintf(&b, "    %q $http_origin;\n}\n\n", p.Origin)
	b.WriteString("# In the server { } or location { } that serves the API. `always` keeps the\n# headers on 4xx/5xx; no add_header inside `if`, where it would replace these.\n")
	b.WriteString("add_header Access-Control-Allow-Origin $cors_origin always;\n")
	if p.Credentials {
		b.WriteString("add_header Access-Control-Allow-Credentials \"true\" always;\n")
	}
	if len(p.Expose) > 0 {
		fmt.Fprintf(&b, "add_header Access-Control-Expose-Headers %q always;\n", strings.Join(p.Expose, ", "))
	}
	if len(p.Methods) > 0 {
		fmt.Fprintf(&b, "add_header Access-Control-Allow-Methods %q always;\n", strings.Join(p.Methods, ", "))
	}
	if len(p.Headers) > 0 {
		fmt.Fprintf(&b, "add_header Access-Control-Allow-Headers %q always;\n", strings.Join(p.Headers, ", "))
	}
	fmt.Fprintf(&b, "add_header Access-Control-Max-Age %d always;\nadd_header Vary Origin always;\n", p.MaxAge)
	b.WriteString("# Drop the upstream's own CORS headers, so none is sent twice.\n")
	b.WriteString("proxy_hide_header Access-Control-Allow-Origin;\nproxy_hide_header Access-Control-Allow-Credentials;\nproxy_hide_header Access-Control-Expose-Headers;\n")
	b.WriteString("# Answer preflights here (return is safe inside if).\nif ($request_method = OPTIONS) {\n    return 204;\n}\n")
	return b.String()
}

func goSnippet(p policy) string {
	var b strings.Builder
	b.WriteString("// go get github.com/corskit/corskit\nm, err := cors.New(cors.Config{\n")
	fmt.Fprintf(&b, "\tAllowOrigins:     []string{%q},\n", p.Origin)
	if len(p.Methods) > 0 {
		fmt.Fprintf(&b, "\tAllowMethods:     []string{%s},\n", quoteList(p.Methods, `"`))
	}
	if len(p.Headers) > 0 {
		fmt.Fprintf(&b, "\tAllowHeaders:     []string{%s},\n", quoteList(p.Headers, `"`))
	}
	if len(p.Expose) > 0 {
		fmt.Fprintf(&b, "\tExposeHeaders:    []string{%s},\n", quoteList(p.Expose, `"`))
	}
	if p.Credentials {
		b.WriteString("\tAllowCredentials: true,\n")
	}
	fmt.Fprintf(&b, "\tMaxAge:           %d,\n})\nif err != nil {\n\tlog.Fatal(err)\n}\n", p.MaxAge)
	b.WriteString("// Wrap the whole router, so that preflights are answered before routing.\nlog.Fatal(http.ListenAndServe(\":8080\", m.Handler(mux)))\n")
	return b.String()
}

func caddySnippet(p policy) string {
	var b strings.Builder
	b.WriteString("# Inside the site block of the API.\n")
	fmt.Fprintf(&b, "@cors_origin header Origin %s\n", p.Origin)
	b.WriteString("header @cors_origin {\n\tAccess-Control-Allow-Origin \"{http.request.header.Origin}\"\n")
	if p.Credentials {
		b.WriteString("\tAccess-Control-Allow-Credentials true\n")
	}
	if len(p.Expose) > 0 {
		fmt.Fprintf(&b, "\tAccess-Control-Expose-Headers %q\n", strings.Join(p.Expose, ", "))
	}
	b.WriteString("}\nheader +Vary Origin\n\n")
	fmt.Fprintf(&b, "@preflight {\n\tmethod OPTIONS\n\theader Origin %s\n\theader Access-Control-Request-Method *\n}\nhandle @preflight {\n\theader {\n", p.Origin)
	if len(p.Methods) > 0 {
		fmt.Fprintf(&b, "\t\tAccess-Control-Allow-Methods %q\n", strings.Join(p.Methods, ", "))
	}
	if len(p.Headers) > 0 {
		fmt.Fprintf(&b, "\t\tAccess-Control-Allow-Headers %q\n", strings.Join(p.Headers, ", "))
	}
	fmt.Fprintf(&b, "\t\tAccess-Control-Max-Age %s\n\t}\n\trespond 204\n}\n\n", strconv.Itoa(p.MaxAge))
	b.WriteString("reverse_proxy 127.0.0.1:5000 {\n\t# drop the upstream's own CORS headers\n\theader_down -Access-Control-Allow-Origin\n\theader_down -Access-Control-Allow-Credentials\n}\n")
	return b.String()
}
