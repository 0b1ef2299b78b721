package gen_test

import (
	"encoding/xml"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// The hostile policy: every field holds what ends a string, a comment or a
// line, or starts an interpolation, in one target's language or another.
// cors.New accepts it all: header names and methods are HTTP tokens (' `
// $ % # | ^ ~ ! & * + . are token characters), and a re: origin is any RE2
// expression that starts with a scheme. Several values run a command or
// write a file named pwned if they leave their string.
var (
	hostileOrigin = `re:https://x(|'.system('touch pwned').'|"if __import__("os").system("touch pwned") else"|\x60id\x60|` + "`id`" +
		`|\$\{HOME\}|{$HOME}|{{env "HOME"}}|%{HOME}e|a\\"b|x";return 200 "|-->|\*/|]]>|\/;require\("fs"\).writeFileSync\("pwned",""\);\/)\.example\.com`
	hostileMethods = []string{"PUT", "M'.`ID`.'", "M$HOST", "M%T", "M#X", "M|^~!&*+."}
	hostileHeaders = []string{"Content-Type", "X-'.`id`.'", "X-$host", "X-%t", "X-#", "X-|^~!&*+.", "X-`"}
	hostileExpose  = []string{"X-'.`id`.'", "X-$", "X-$uri", "X-%D", "X-#'", "X-*"}
	// hostileSource is the policy file's name, written in every header
	// comment.
	hostileSource = "cors\n<?php touch('pwned'); ?>\r\n*/ --> --- ?><?php touch('pwned'); // \u2028 x.yaml"
	hostilePolicy = cors.Config{AllowOrigins: []string{"https://app.example.com", hostileOrigin}, AllowMethods: hostileMethods,
		AllowHeaders: hostileHeaders, ExposeHeaders: hostileExpose, AllowCredentials: true, MaxAge: 600}
)

// safelisted are the methods every target lists besides the policy's.
var safelisted = []string{"GET", "HEAD", "POST"}

func hostileGenerate(t *testing.T, target string, o gen.Options) string {
	t.Helper()
	o.Policy, o.Source, o.BestEffort = hostilePolicy, hostileSource, true
	out, _, err := gen.Generate(target, o)
	if err != nil {
		t.Fatalf("gen %s: %v", target, err)
	}
	return out
}

// items splits a header's comma-separated value.
func items(v string) []string {
	var out []string
	for x := range strings.SplitSeq(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func sameItems(got string, want []string, fold bool) bool {
	w := slices.Clone(want)
	g := items(got)
	if fold {
		for i := range w {
			w[i] = strings.ToLower(w[i])
		}
		for i := range g {
			g[i] = strings.ToLower(g[i])
		}
		slices.Sort(g)
	}
	slices.Sort(w)
	return slices.Equal(g, w)
}

// roundTrip asks a server running a hostile output for a preflight and a
// GET, and requires every hostile value back byte for byte: none left its
// string, none was read as a variable, a placeholder or a format (the
// methods are upper case: Flask-CORS upper-cases them). No file
// named pwned may appear in dir. flask: Flask-CORS answers with the
// requested headers it allows, lower-cased, and does not answer the GET's
// allowlist the same way.
func roundTrip(t *testing.T, base, dir string, flask bool) {
	t.Helper()
	roundTripFrom(t, base, dir, flask, false, "https://x.example.com", nil)
}

// roundTripFrom is roundTrip with the preflight and GET from o, and the
// headers a server always adds to its allowlist (Starlette adds Accept,
// Accept-Language, Content-Language) expected besides the policy's.
// askedMethod: the server answers the method the preflight asked for alone
// (aiohttp-cors).
func roundTripFrom(t *testing.T, base, dir string, flask, askedMethod bool, o string, alwaysAllowed []string) {
	t.Helper()
	do := func(method, origin string, h map[string]string) http.Header {
		req, _ := http.NewRequest(method, base+"/data", nil)
		req.Header.Set("Origin", origin)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	pre := do("OPTIONS", o, map[string]string{"Access-Control-Request-Method": hostileMethods[1], "Access-Control-Request-Headers": strings.ToLower(strings.Join(hostileHeaders[1:], ","))})
	if got := pre.Get("Access-Control-Allow-Origin"); got != o {
		t.Errorf("preflight from %s: Access-Control-Allow-Origin %q", o, got)
	}
	wantMethods := append(slices.Clone(safelisted), hostileMethods...)
	if askedMethod {
		wantMethods = hostileMethods[1:2]
	}
	if got := pre.Get("Access-Control-Allow-Methods"); !sameItems(got, wantMethods, false) {
		t.Errorf("Access-Control-Allow-Methods %q, want %q", got, wantMethods)
	}
	wantHeaders := append(slices.Clone(hostileHeaders), alwaysAllowed...)
	if flask {
		wantHeaders = hostileHeaders[1:] // the requested ones
	}
	// Header names are case-insensitive (Tomcat lower-cases them).
	if got := pre.Get("Access-Control-Allow-Headers"); !sameItems(got, wantHeaders, true) {
		t.Errorf("Access-Control-Allow-Headers %q, want %q", got, wantHeaders)
	}
	get := do("GET", o, nil)
	if got := get.Get("Access-Control-Expose-Headers"); !sameItems(got, hostileExpose, false) {
		t.Errorf("Access-Control-Expose-Headers %q, want %q", got, hostileExpose)
	}
	for _, evil := range []string{"https://evil.example.com", "https://'.system('touch pwned').'.example.com"} {
		if got := do("GET", evil, nil).Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s allowed: %q", evil, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Errorf("a hostile value ran: %s/pwned exists", dir)
	}
}

// TestHostileValuesStayInTheirStrings: for every target that runs here, the
// real server (or language) takes the hostile output as it is (nginx -t,
// apache2 -t, php -l, node --check, CPython, Caddy's own parser), answers
// with every value byte for byte, and runs none of them.
func TestHostileValuesStayInTheirStrings(t *testing.T) {
	t.Parallel()
	t.Run("nginx", func(t *testing.T) {
		t.Parallel()
		servertest.Need(t, "nginx")
		port := servertest.FreePort(t)
		servertest.Nginx(t, port, hostileGenerate(t, "nginx", gen.Options{Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)}))
		roundTrip(t, fmt.Sprintf("http://127.0.0.1:%d", port), t.TempDir(), false)
	})
	t.Run("caddy", func(t *testing.T) {
		t.Parallel()
		bin := servertest.Need(t, "caddy")
		dir, port := t.TempDir(), servertest.FreePort(t)
		file := filepath.Join(dir, "Caddyfile")
		os.WriteFile(file, []byte(hostileGenerate(t, "caddy", gen.Options{Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)})), 0o600)
		env := []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir}
		servertest.Start(t, dir, port, env, bin, "run", "--config", file, "--adapter", "caddyfile")
		roundTrip(t, fmt.Sprintf("http://127.0.0.1:%d", port), dir, false)
	})
	t.Run("apache", func(t *testing.T) {
		t.Parallel()
		bin := servertest.Need(t, "/usr/sbin/apache2")
		dir, port := t.TempDir(), servertest.FreePort(t)
		os.Chmod(dir, 0o755)
		file := filepath.Join(dir, "httpd.conf")
		conf := hostileGenerate(t, "apache", gen.Options{Upstream: upstream(t), Listen: fmt.Sprintf("127.0.0.1:%d", port)})
		os.WriteFile(file, []byte(conf), 0o644)
		if out, err := exec.Command(bin, "-d", dir, "-f", file, "-t").CombinedOutput(); err != nil {
			t.Fatalf("apache2 -t: %v\n%s\n%s", err, out, conf)
		}
		servertest.Start(t, dir, port, nil, bin, "-d", dir, "-f", file, "-DFOREGROUND")
		roundTrip(t, fmt.Sprintf("http://127.0.0.1:%d", port), dir, false)
	})
	t.Run("php", func(t *testing.T) {
		t.Parallel()
		bin := servertest.Need(t, "php")
		dir, port := t.TempDir(), servertest.FreePort(t)
		src := hostileGenerate(t, "php", gen.Options{})
		os.WriteFile(filepath.Join(dir, "app.php"), []byte(src), 0o600)
		if out, err := exec.Command(bin, "-l", filepath.Join(dir, "app.php")).CombinedOutput(); err != nil {
			t.Fatalf("php -l: %v\n%s\n%s", err, out, src)
		}
		servertest.Start(t, dir, port, nil, bin, "-S", fmt.Sprintf("127.0.0.1:%d", port), "app.php")
		roundTrip(t, fmt.Sprintf("http://127.0.0.1:%d", port), dir, false)
	})
	t.Run("flask", func(t *testing.T) {
		t.Parallel()
		python := servertest.Flask(t)
		dir, port := t.TempDir(), servertest.FreePort(t)
		os.WriteFile(filepath.Join(dir, "app.py"), []byte(hostileGenerate(t, "flask", gen.Options{})), 0o600)
		servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, python, "app.py")
		roundTrip(t, fmt.Sprintf("http://127.0.0.1:%d", port), dir, true)
	})
	t.Run("express", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		node := servertest.NPMInstall(t, dir, "express@4", "cors@2")
		port := servertest.FreePort(t)
		file := filepath.Join(dir, "app.js")
		src := hostileGenerate(t, "express", gen.Options{})
		os.WriteFile(file, []byte(src), 0o600)
		if out, err := exec.Command(node, "--check", file).CombinedOutput(); err != nil {
			t.Fatalf("node --check: %v\n%s\n%s", err, out, src)
		}
		servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, node, file)
		roundTrip(t, fmt.Sprintf("http://127.0.0.1:%d", port), dir, false)
	})
}

// TestHostileValuesInGo: go/parser reads the Go output, whose literals are
// the policy's values byte for byte and whose comments are comments.
func TestHostileValuesInGo(t *testing.T) {
	t.Parallel()
	src := hostileGenerate(t, "go", gen.Options{})
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	var lits []string
	ast.Inspect(f, func(n ast.Node) bool {
		if l, ok := n.(*ast.BasicLit); ok && l.Kind == token.STRING {
			s, _ := strconv.Unquote(l.Value)
			lits = append(lits, s)
		}
		return true
	})
	for _, v := range slices.Concat(hostilePolicy.AllowOrigins, hostileMethods, hostileHeaders, hostileExpose) {
		if !slices.Contains(lits, v) {
			t.Errorf("no Go string literal holds %q", v)
		}
	}
	if f.Name.Name != "main" || len(f.Decls) != 2 {
		t.Errorf("the comments hold code: %d declarations\n%s", len(f.Decls), src)
	}
}

// TestHostileValuesInYAML: Envoy, Traefik (a Go template first) and the
// Kubernetes targets are YAML whose values read back byte for byte; Envoy
// and Traefik do not run here, so this is their proof.
func TestHostileValuesInYAML(t *testing.T) {
	t.Parallel()
	find := func(doc any, key string) []any {
		var out []any
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if k == key {
						out = append(out, x)
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(doc)
		return out
	}
	str := func(v any) string { s, _ := v.(string); return s }
	list := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, str(x))
		}
		return out
	}
	for _, target := range []string{"envoy", "traefik", "gateway-api", "ingress-nginx"} {
		out := hostileGenerate(t, target, gen.Options{Upstream: "http://127.0.0.1:5000"})
		if target == "traefik" {
			tmpl, err := template.New("traefik").Parse(out)
			if err != nil {
				t.Fatalf("traefik: not a Go template: %v\n%s", err, out)
			}
			var b strings.Builder
			if err := tmpl.Execute(&b, nil); err != nil {
				t.Fatalf("traefik: %v", err)
			}
			out = b.String()
		}
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: not YAML: %v\n%s", target, err, out)
		}
		allMethods := slices.Concat(safelisted, hostileMethods)
		switch target {
		case "envoy":
			for key, want := range map[string]string{"allow_methods": strings.Join(allMethods, ", "), "allow_headers": strings.Join(hostileHeaders, ", "), "expose_headers": strings.Join(hostileExpose, ", ")} {
				if got := find(doc, key); len(got) != 1 || str(got[0]) != want {
					t.Errorf("envoy %s: %q, want %q", key, got, want)
				}
			}
			if got := find(doc, "regex"); len(got) != 1 || !strings.Contains(str(got[0]), strings.TrimPrefix(hostileOrigin, "re:")) {
				t.Errorf("envoy regex: %q", got)
			}
		case "traefik":
			for key, want := range map[string][]string{"accessControlAllowMethods": allMethods, "accessControlAllowHeaders": hostileHeaders, "accessControlExposeHeaders": hostileExpose} {
				if got := find(doc, key); len(got) != 1 || !slices.Equal(list(got[0]), want) {
					t.Errorf("traefik %s: %q, want %q", key, got, want)
				}
			}
			if got := find(doc, "accessControlAllowOriginListRegex"); len(got) != 1 || !strings.Contains(list(got[0])[0], strings.TrimPrefix(hostileOrigin, "re:")) {
				t.Errorf("traefik regex: %q", got)
			}
		case "gateway-api":
			for key, want := range map[string][]string{"allowHeaders": hostileHeaders, "exposeHeaders": hostileExpose} {
				if got := find(doc, key); len(got) != 1 || !slices.Equal(list(got[0]), want) {
					t.Errorf("gateway-api %s: %q, want %q", key, got, want)
				}
			}
		case "ingress-nginx":
			// Values ingress-nginx would refuse are left out (with
			// --best-effort); what is written reads back.
			a := find(doc, "annotations")[0].(map[string]any)
			if got := str(a["nginx.ingress.kubernetes.io/cors-allow-methods"]); got != "GET, HEAD, POST, PUT" {
				t.Errorf("ingress-nginx methods %q", got)
			}
		}
		if strings.Contains(out, "\n<?php") || strings.Contains(out, "\n*/") {
			t.Errorf("%s: the comment ended early:\n%s", target, out)
		}
	}
}

// TestHostileValuesInStorage: the storage outputs parse (JSON, XML, and the
// shell scripts with sh -n), their comments included.
func TestHostileValuesInStorage(t *testing.T) {
	t.Parallel()
	sh := servertest.Need(t, "sh")
	for _, tc := range []struct{ target, format string }{{"s3", "sh"}, {"s3", "xml"}, {"azure-blob", "xml"}, {"azure-blob", "sh"}, {"gcs", "sh"}} {
		out := hostileGenerate(t, tc.target, gen.Options{Format: tc.format})
		switch tc.format {
		case "xml":
			d := xml.NewDecoder(strings.NewReader(out))
			for {
				if _, err := d.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Errorf("%s xml: %v\n%s", tc.target, err, out)
					}
					break
				}
			}
		case "sh":
			if b, err := exec.Command(sh, "-n", "-c", out).CombinedOutput(); err != nil {
				t.Errorf("%s sh -n: %v %s\n%s", tc.target, err, b, out)
			}
			for line := range strings.SplitSeq(out, "\n") {
				if strings.Contains(line, "touch") && !strings.HasPrefix(line, "#") {
					t.Errorf("%s: a comment ended early: %q", tc.target, line)
				}
			}
		}
	}
}

// TestHostileProxyAddressesRefused: --upstream and --listen are written
// where the servers take no quotes (nginx's listen and proxy_pass, Envoy's
// port_value): anything but an address is refused, naming the value.
func TestHostileProxyAddressesRefused(t *testing.T) {
	t.Parallel()
	policy := cors.Config{AllowOrigins: []string{"https://app.example.com"}}
	for _, tc := range []struct{ upstream, listen string }{
		{"http://127.0.0.1:5000; }\nserver { listen 9999; location / { return 200 pwned; } } #", "127.0.0.1:8080"},
		{"http://127.0.0.1:5000 {\n\trespond pwned\n}", "127.0.0.1:8080"},
		{"http://127.0.0.1:5000\"}}}", "127.0.0.1:8080"},
		{"http://127.0.0.1:5000/$host", "127.0.0.1:8080"},
		{"http://127.0.0.1:5000", "127.0.0.1:8080; }\nserver { listen 9999"},
		{"http://127.0.0.1:5000", "127.0.0.1:8080}, port_value: 1}"},
	} {
		for _, target := range []string{"nginx", "caddy", "apache", "envoy", "traefik"} {
			out, _, err := gen.Generate(target, gen.Options{Policy: policy, Upstream: tc.upstream, Listen: tc.listen})
			bad := tc.upstream
			if tc.listen != "127.0.0.1:8080" {
				bad = tc.listen
			}
			if err == nil || !strings.Contains(err.Error(), strconv.Quote(bad)) {
				t.Errorf("%s with upstream %q, listen %q: %v\n%s", target, tc.upstream, tc.listen, err, out)
			}
		}
	}
	for _, listen := range []string{"127.0.0.1:8080", ":8080", "8080", "[::1]:8080", "localhost:80"} {
		if _, _, err := gen.Generate("nginx", gen.Options{Policy: policy, Upstream: "https://api.internal:8443/base", Listen: listen}); err != nil {
			t.Errorf("listen %s refused: %v", listen, err)
		}
	}
	// lighttpd's mod_proxy speaks plain HTTP only: an https upstream is
	// refused with the fix, not written as a line that fails.
	out, _, err := gen.Generate("lighttpd", gen.Options{Policy: policy, Upstream: "https://api.internal:8443/base", Listen: "127.0.0.1:8080"})
	if err == nil || !strings.Contains(err.Error(), `"https://api.internal:8443/base"`) || !strings.Contains(err.Error(), "plain-HTTP address") {
		t.Errorf("lighttpd with an https upstream: %v\n%s", err, out)
	}
}

// TestUnwritableOriginPatterns: a re: pattern holding a control character
// (which no origin holds) is refused by every target that writes patterns
// in its own syntax, and written as it is, quoted, by Go; a pattern holding
// a marker's words does not cut a pasted piece short.
func TestUnwritableOriginPatterns(t *testing.T) {
	t.Parallel()
	nl := cors.Config{AllowOrigins: []string{"https://app.example.com", "re:https://x(|\n|\u2028)\\.example\\.com"}}
	for _, target := range []string{"nginx", "caddy", "apache", "envoy", "traefik", "express", "flask", "php"} {
		_, omitted, err := gen.Generate(target, gen.Options{Policy: nl, Upstream: "http://127.0.0.1:5000"})
		if err == nil || !slices.ContainsFunc(omitted, func(o gen.Omission) bool { return strings.Contains(o.Part, `\n`) }) {
			t.Errorf("%s: %v %v", target, err, omitted)
		}
		out, _, err := gen.Generate(target, gen.Options{Policy: nl, Upstream: "http://127.0.0.1:5000", BestEffort: true})
		if err != nil || strings.Contains(out, "x(|\n") || !strings.Contains(out, "LEFT OUT") {
			t.Errorf("%s --best-effort: %v\n%s", target, err, out)
		}
	}
	if out, _, err := gen.Generate("go", gen.Options{Policy: nl}); err != nil || !strings.Contains(out, strconv.Quote(nl.AllowOrigins[1])) {
		t.Errorf("go: %v\n%s", err, out)
	}
	marker := cors.Config{AllowOrigins: []string{"re:https://x(|END corskit CORS|BEGIN corskit CORS: y)\\.example\\.com"}}
	for _, target := range []string{"express", "flask", "php", "nginx", "caddy"} {
		parts, _, err := gen.Parts(target, gen.Options{Policy: marker})
		if err != nil || len(parts) == 0 || !strings.Contains(parts[0].Text+parts[len(parts)-1].Text, "END corskit CORS|BEGIN") {
			t.Errorf("%s: the pattern cut the piece: %v %+v", target, err, parts)
		}
	}
}
