package check

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/pastetest"
	"github.com/corskit/corskit/internal/servertest"
)

// snippetOptions is the request every stack's snippet is proved with: a
// credentialed JSON PUT from a dev server that reads a custom header.
var snippetOptions = Options{
	Origin: "http://localhost:3000", Method: "PUT", Credentials: browser.Include, Body: "{}",
	Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Debug", Value: "1"}},
	Read:    []string{"X-Request-Id"},
}

// upstream is the API behind the proxies: it sets its own, wrong, CORS header
// (which the snippet must replace) and fails on /fail.
func upstream(t *testing.T) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("X-Request-Id", "42")
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/fail" {
			w.WriteHeader(500)
		}
		fmt.Fprint(w, `{"message": "Hello from API!"}`)
	}))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// proveSnippet checks the running server with the doctor: the snippet's
// request is allowed with the header readable, on an error response too, and
// another origin is refused.
func proveSnippet(t *testing.T, base string, paths ...string) {
	t.Helper()
	for _, path := range paths {
		o := snippetOptions
		o.URL = base + path
		r, err := Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Verdict.Allowed || !containsStr(r.Verdict.Readable, "x-request-id") {
			t.Errorf("%s: got allowed=%v readable=%q: %s", o.URL, r.Verdict.Allowed, r.Verdict.Readable, r.Verdict.Message)
		}
		o.Origin = "http://evil.test"
		if r, _ := Run(context.Background(), o); r.Verdict.Allowed {
			t.Errorf("%s from %s: allowed; want blocked", o.URL, o.Origin)
		}
	}
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// paste applies the stack's fix for snippetOptions to an app's source as
// its text tells a person to.
func paste(t *testing.T, stack, src string) string {
	t.Helper()
	o := snippetOptions
	o.URL = "http://127.0.0.1:5000/data"
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	parts, err := pieces(stack, policyFor(o, nil))
	if err != nil {
		t.Fatal(err)
	}
	out, err := pastetest.Apply(src, parts)
	if err != nil {
		t.Fatalf("%v\n%s", err, renderSnippet(stack, policyFor(o, nil), parts))
	}
	return out
}

func TestSnippetNginx(t *testing.T) {
	t.Parallel()
	port, up := servertest.FreePort(t), upstream(t)
	conf := paste(t, "nginx", fmt.Sprintf("server {\n    listen 127.0.0.1:%d;\n    location / {\n        proxy_pass http://%s;\n    }\n}\n", port, up))
	servertest.Nginx(t, port, conf)
	proveSnippet(t, fmt.Sprintf("http://127.0.0.1:%d", port), "/data", "/fail")
}

func TestSnippetCaddy(t *testing.T) {
	t.Parallel()
	bin := servertest.Need(t, "caddy")
	dir, port, up := t.TempDir(), servertest.FreePort(t), upstream(t)
	conf := paste(t, "caddy", fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n}\n:%d {\n\treverse_proxy %s {\n\t}\n}\n", port, up))
	os.WriteFile(filepath.Join(dir, "Caddyfile"), []byte(conf), 0o600)
	servertest.Start(t, dir, port, []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir}, bin, "run", "--config", filepath.Join(dir, "Caddyfile"), "--adapter", "caddyfile")
	proveSnippet(t, fmt.Sprintf("http://127.0.0.1:%d", port), "/data", "/fail")
}

func TestSnippetPHP(t *testing.T) {
	t.Parallel()
	bin := servertest.Need(t, "php")
	dir, port := t.TempDir(), servertest.FreePort(t)
	app := paste(t, "php", `<?php
header('X-Request-Id: 42');
header('Content-Type: application/json');
if ($_SERVER['REQUEST_URI'] === '/fail') { http_response_code(500); }
echo json_encode(['message' => 'Hello from API!']);
`)
	os.WriteFile(filepath.Join(dir, "index.php"), []byte(app), 0o600)
	servertest.Start(t, dir, port, nil, bin, "-S", fmt.Sprintf("127.0.0.1:%d", port), "index.php")
	proveSnippet(t, fmt.Sprintf("http://127.0.0.1:%d", port), "/data", "/fail")
}

func TestSnippetFlask(t *testing.T) {
	t.Parallel()
	python := servertest.Flask(t)
	dir, port := t.TempDir(), servertest.FreePort(t)
	app := paste(t, "flask", "from flask import Flask, jsonify\napp = Flask(__name__)\n"+fmt.Sprintf(`
@app.route("/data", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def data():
    return jsonify(message="Hello from API!"), 200, {"X-Request-Id": "42"}

@app.route("/fail", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def fail():
    return jsonify(error="boom"), 500, {"X-Request-Id": "42"}

app.run(host="127.0.0.1", port=%d)
`, port))
	os.WriteFile(filepath.Join(dir, "app.py"), []byte(app), 0o600)
	servertest.Start(t, dir, port, nil, python, "app.py")
	proveSnippet(t, fmt.Sprintf("http://127.0.0.1:%d", port), "/data", "/fail")
}

func TestSnippetExpress(t *testing.T) {
	t.Parallel()
	dir, port := t.TempDir(), servertest.FreePort(t)
	node := servertest.NPMInstall(t, dir, "express@4", "cors@2")
	app := paste(t, "express", "const express = require('express');\nconst app = express();\n"+fmt.Sprintf(`
app.all('/data', (req, res) => { res.set('X-Request-Id', '42'); res.json({message: 'Hello from API!'}); });
app.all('/fail', (req, res) => { res.set('X-Request-Id', '42'); res.status(500).json({error: 'boom'}); });
app.listen(%d, '127.0.0.1');
`, port))
	os.WriteFile(filepath.Join(dir, "app.js"), []byte(app), 0o600)
	servertest.Start(t, dir, port, nil, node, "app.js")
	proveSnippet(t, fmt.Sprintf("http://127.0.0.1:%d", port), "/data", "/fail")
}

func TestSnippetGo(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	port := servertest.FreePort(t)
	src := paste(t, "go", `package main

import (
	"log"
	"net/http"

	"github.com/corskit/corskit/cors"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/data", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "42")
		w.Write([]byte("{}"))
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "42")
		w.WriteHeader(500)
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:`+fmt.Sprint(port)+`", mux))
}
`)
	app := servertest.BuildGo(t, root, src)
	servertest.Start(t, filepath.Dir(app), port, nil, app)
	proveSnippet(t, fmt.Sprintf("http://127.0.0.1:%d", port), "/data", "/fail")
}
