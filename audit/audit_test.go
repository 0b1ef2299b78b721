package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/audit"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/internal/servertest"
	"github.com/corskit/corskit/proxy"
)

const trusted = "https://app.example.com"

func run(t *testing.T, target string) audit.Result {
	t.Helper()
	res, err := audit.Run(context.Background(), audit.Options{URLs: []string{target}, Trusted: []string{trusted}, Rate: 500, Concurrency: 8, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func rules(r audit.Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule+"="+f.Level)
	}
	slices.Sort(out)
	return out
}

func expect(t *testing.T, name string, r audit.Result, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := rules(r); !slices.Equal(got, want) {
		t.Errorf("%s: got findings %q; want %q (notes %q)", name, got, want, r.Notes)
	}
}

func serve(t *testing.T, h http.HandlerFunc) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL + "/me"
}

func TestAuditGoServers(t *testing.T) {
	t.Parallel()
	reflectAll := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		if r.Method == "OPTIONS" {
			w.Header().Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
			w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
			if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
				w.Header().Set("Access-Control-Allow-Private-Network", "true")
			}
		}
	})
	expect(t, "reflects every origin", run(t, reflectAll),
		"reflect-any-origin=high", "null-origin=high", "missing-vary=medium", "preflight-allows-anything=low", "private-network-any-origin=medium")

	wildcardCreds := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	})
	expect(t, "* with credentials", run(t, wildcardCreds), "wildcard-with-credentials=info")

	public := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	})
	expect(t, "a public API (* without credentials) is not a finding", run(t, public))

	suffix := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); strings.HasSuffix(o, "example.com") {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		}
	})
	// appxexample.com ends with example.com too: the dot probe finds it as well.
	expect(t, "suffix match", run(t, suffix), "suffix-match=high", "unescaped-dot=high", "any-subdomain=medium")

	// The preflight is handled by one layer, the response by another that
	// forgets CORS.
	split := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "OPTIONS" && r.Header.Get("Origin") == trusted {
			w.Header().Set("Access-Control-Allow-Origin", trusted)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
		}
	})
	expect(t, "preflight and response disagree", run(t, split), "inconsistent-preflight=info")

	other := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	redirect := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		http.Redirect(w, r, other, http.StatusFound)
	})
	r := run(t, redirect)
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "another host: not followed") }) {
		t.Errorf("redirect to another host: got notes %q", r.Notes)
	}
}

func TestAuditCorskitGatewayIsClean(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*") // the gateway replaces it
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	g, err := proxy.New(proxy.Config{Upstream: u, Policy: cors.Config{AllowOrigins: []string{trusted}, AllowMethods: []string{"PUT"},
		AllowHeaders: []string{"Content-Type"}, AllowCredentials: true, MaxAge: 600}})
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(g)
	defer gw.Close()
	expect(t, "corskit gateway", run(t, gw.URL+"/me"))
}

func TestAuditNginx(t *testing.T) {
	t.Parallel()
	port := servertest.FreePort(t)
	servertest.Nginx(t, port, fmt.Sprintf(`    server {
        listen 127.0.0.1:%d;
        location / {
            # The classic snippet: the request's origin echoed, with credentials.
            add_header Access-Control-Allow-Origin $http_origin always;
            add_header Access-Control-Allow-Credentials true always;
            return 200 "{}";
        }
    }`, port))
	r := run(t, fmt.Sprintf("http://127.0.0.1:%d/me", port))
	expect(t, "nginx echoing $http_origin", r, "reflect-any-origin=high", "null-origin=high", "missing-vary=medium")
}

func TestAuditPHP(t *testing.T) {
	t.Parallel()
	bin := servertest.Need(t, "php")
	dir, port := t.TempDir(), servertest.FreePort(t)
	os.WriteFile(filepath.Join(dir, "index.php"), []byte(`<?php
header('Access-Control-Allow-Origin: ' . ($_SERVER['HTTP_ORIGIN'] ?? ''));
header('Access-Control-Allow-Credentials: true');
header('Vary: Origin');
echo '{"user": "alice"}';
`), 0o600)
	servertest.Start(t, dir, port, nil, bin, "-S", fmt.Sprintf("127.0.0.1:%d", port), "index.php")
	expect(t, "PHP reflecting HTTP_ORIGIN", run(t, fmt.Sprintf("http://127.0.0.1:%d/me", port)), "reflect-any-origin=high", "null-origin=high")
}

func TestAuditExpress(t *testing.T) {
	t.Parallel()
	dir, port := t.TempDir(), servertest.FreePort(t)
	node := servertest.NPMInstall(t, dir, "express@4", "cors@2")
	os.WriteFile(filepath.Join(dir, "app.js"), []byte(fmt.Sprintf(`const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors({origin: true, credentials: true}));  // reflects any origin
app.get('/me', (req, res) => res.json({user: 'alice'}));
app.listen(%d, '127.0.0.1');
`, port)), 0o600)
	servertest.Start(t, dir, port, nil, node, "app.js")
	expect(t, "Express cors({origin: true, credentials: true})", run(t, fmt.Sprintf("http://127.0.0.1:%d/me", port)),
		"reflect-any-origin=high", "null-origin=high")
}

func TestAuditFlask(t *testing.T) {
	t.Parallel()
	python := servertest.Flask(t)
	dir, port := t.TempDir(), servertest.FreePort(t)
	os.WriteFile(filepath.Join(dir, "app.py"), []byte(fmt.Sprintf(`import re
from flask import Flask, jsonify
from flask_cors import CORS
app = Flask(__name__)
# A regex with neither escaped dots nor an end anchor.
CORS(app, origins=[re.compile(r"https://app.example.com")], supports_credentials=True)

@app.route("/me")
def me():
    return jsonify(user="alice")

app.run(host="127.0.0.1", port=%d)
`, port)), 0o600)
	servertest.Start(t, dir, port, nil, python, "app.py")
	expect(t, "Flask-CORS regex without anchors", run(t, fmt.Sprintf("http://127.0.0.1:%d/me", port)),
		"prefix-match=high", "unescaped-dot=high", "special-characters=medium")
}

func TestOutputsAndCommand(t *testing.T) {
	t.Parallel()
	target := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Vary", "Origin")
	})
	res, err := audit.Run(context.Background(), audit.Options{URLs: []string{target}, Rate: 500})
	if err != nil {
		t.Fatal(err)
	}
	var sarif bytes.Buffer
	if err := audit.WriteSARIF(&sarif, res, "test"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sarif.Bytes(), &log); err != nil || log.Version != "2.1.0" || log.Runs[0].Tool.Driver.Name != "corskit" ||
		!slices.ContainsFunc(log.Runs[0].Results, func(r struct {
			RuleID string `json:"ruleId"`
			Level  string `json:"level"`
		}) bool {
			return r.RuleID == "reflect-any-origin" && r.Level == "error"
		}) {
		t.Errorf("SARIF: %v %+v", err, log)
	}
	var table bytes.Buffer
	audit.WriteTable(&table, res)
	if !strings.Contains(table.String(), "high      reflect-any-origin") || !strings.Contains(table.String(), "Fix: compare the Origin header") {
		t.Errorf("table:\n%s", table.String())
	}
	if _, err := audit.Run(context.Background(), audit.Options{URLs: []string{"ftp://x"}, Trusted: []string{"https://a.example.com/"}}); err == nil ||
		!strings.Contains(err.Error(), `"ftp://x" is not an absolute http or https URL`) || !strings.Contains(err.Error(), `Options.Trusted "https://a.example.com/"`) {
		t.Errorf("bad options: got %v", err)
	}
}
