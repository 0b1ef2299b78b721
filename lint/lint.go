package lint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/severity"
)

// Severity is the scale audit shares (internal/severity): what an attacker's
// page could read.
type Severity = severity.Severity

// Finding is one problem in a file.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"-"`
	Level    string   `json:"severity"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s [%s] %s; fix: %s", f.File, f.Line, f.Column, f.Level, f.Rule, f.Message, f.Fix)
}

func newFinding(file string, line, col int, rule string, sev Severity, msg, fix string) Finding {
	return Finding{File: file, Line: line, Column: col, Rule: rule, Severity: sev, Level: sev.String(), Message: msg, Fix: fix}
}

// MaxFileSize bounds a linted file.
const MaxFileSize = 4 << 20

// Kind is how a file is read.
type Kind string

// The kinds of file.
const (
	KindPolicy  Kind = "policy"
	KindNginx   Kind = "nginx"
	KindExpress Kind = "express"
	KindFlask   Kind = "flask"
	KindPHP     Kind = "php"
	KindGo      Kind = "go"
	// KindRuby and KindHAProxy are read by the stack files' rules alone
	// (rack-cors in config.ru or a Rails initializer; HAProxy's haproxy.cfg).
	KindRuby    Kind = "ruby"
	KindHAProxy Kind = "haproxy"
	// KindWebXML (a web.xml with Tomcat's CorsFilter) and KindLighttpd
	// (lighttpd.conf) are read by the stack files' rules alone.
	KindWebXML   Kind = "web.xml"
	KindLighttpd Kind = "lighttpd"
	// KindJava, KindCSharp and KindSymfony are read by the stack files'
	// rules alone (Spring sources, ASP.NET Core's Program.cs or Startup.cs,
	// NelmioCorsBundle's nelmio_cors.yaml).
	KindJava    Kind = "java"
	KindCSharp  Kind = "csharp"
	KindSymfony Kind = "symfony"
	// Storage services' CORS rules and Kubernetes objects.
	KindS3         Kind = "s3"
	KindAzureBlob  Kind = "azure-blob"
	KindGCS        Kind = "gcs"
	KindKubernetes Kind = "kubernetes"
	// KindPlatform is a hosting platform's configuration (vercel.json,
	// firebase.json, netlify.toml, _headers, a CloudFormation/SAM template
	// or serverless.yml with a CORS block), read by the stack files' rules.
	KindPlatform Kind = "platform"
)

// Detect decides a file's kind from its name and, for .conf files, contents.
func Detect(name string, data []byte) (Kind, error) {
	if platformFile(name, data) {
		return KindPlatform, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		if bytes.Contains(data, []byte("nelmio_cors:")) {
			return KindSymfony, nil
		}
		if k := kubeKind(data); k != "" {
			return KindKubernetes, nil
		}
		if s, ok := buckets.Detect(data); ok && s != buckets.Azure {
			return Kind(s), nil
		}
		return KindPolicy, nil
	case ".xml":
		if s, ok := buckets.Detect(data); ok {
			return Kind(s), nil
		}
		if strings.Contains(string(data), "<web-app") {
			return KindWebXML, nil
		}
		return "", fmt.Errorf("lint: %s: XML that is neither S3's <CORSConfiguration>, Azure's <Cors> rules nor a web.xml (<web-app>)", name)
	case ".js", ".mjs", ".cjs", ".ts":
		return KindExpress, nil
	case ".py":
		return KindFlask, nil // Flask's rules, and the stack files' (Django, FastAPI, aiohttp-cors)
	case ".php":
		return KindPHP, nil
	case ".go":
		return KindGo, nil
	case ".conf":
		if isLighttpd(string(data)) {
			return KindLighttpd, nil
		}
		return KindNginx, nil
	case ".rb", ".ru":
		return KindRuby, nil
	case ".cfg":
		return KindHAProxy, nil
	case ".java":
		return KindJava, nil
	case ".cs":
		return KindCSharp, nil
	}
	s := string(data)
	if strings.Contains(s, "server {") || strings.Contains(s, "location ") || strings.Contains(s, "add_header") {
		return KindNginx, nil
	}
	return "", fmt.Errorf("lint: %s: unknown kind of file; name it .yaml/.json (policy, HTTPRoute, Ingress, S3 or GCS rules), .xml (S3 or Azure rules, web.xml), .conf (nginx, lighttpd), .js, .py (Flask, Django settings, FastAPI, aiohttp), .php, .go, .rb or .ru (rack-cors), .cfg (HAProxy), .java (Spring), .cs (ASP.NET Core), or a platform's file (vercel.json, firebase.json, netlify.toml, _headers, a SAM/CloudFormation template); it was not read", name)
}

// Files lints each file and returns every finding, sorted by file and line.
func Files(paths []string) ([]Finding, error) {
	var all []Finding
	var errs []error
	for _, p := range paths {
		fs, err := File(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, fs...)
	}
	slices.SortStableFunc(all, func(a, b Finding) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		return a.Line - b.Line
	})
	if all == nil {
		all = []Finding{}
	}
	return all, errors.Join(errs...)
}

// File lints one file.
func File(path string) ([]Finding, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("lint: %s is %d bytes, over the %d-byte limit", path, st.Size(), MaxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	kind, err := Detect(path, data)
	if err != nil {
		return nil, err
	}
	switch kind {
	case KindPolicy:
		return lintPolicy(path, data), nil
	case KindNginx:
		return lintNginx(path, string(data))
	case KindS3, KindAzureBlob, KindGCS:
		return lintStorage(path, data, buckets.Service(kind)), nil
	case KindKubernetes:
		return lintKubernetes(path, data), nil
	case KindPlatform:
		return lintStacks(path, string(data)), nil
	}
	return append(lintSource(path, kind, string(data)), lintStacks(path, string(data))...), nil
}

// isLighttpd reports whether a .conf file is lighttpd's: its options are
// dotted names set with = (server.modules, setenv.*), nginx's directives
// are words ended by ;.
func isLighttpd(text string) bool {
	return reLighttpdOption.MatchString(text) && !strings.Contains(text, "server {")
}

var reLighttpdOption = regexp.MustCompile(`(?m)^\s*(server\.modules|server\.document-root|server\.port|setenv\.[a-z-]+|proxy\.server)\s*\+?=`)
