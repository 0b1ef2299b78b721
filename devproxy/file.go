package devproxy

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is corskit dev's configuration file, the flags' equivalent:
//
//	listen: 127.0.0.1:3000
//	frontend: http://localhost:5173   # or static: dist
//	keep_host: false
//	allowed_hosts: [app.test, .dev.example.com]
//	cookies: {strip_domain: true, strip_secure: true, samesite_lax: true}
//	api:
//	  - {prefix: /api, target: "http://localhost:5000", rewrite: /, change_origin: true}
type File struct {
	Listen   string `yaml:"listen"`
	Frontend string `yaml:"frontend"`
	Static   string `yaml:"static"`
	KeepHost bool   `yaml:"keep_host"`
	// AllowedHosts is Config.AllowedHosts.
	AllowedHosts []string `yaml:"allowed_hosts"`
	Cookies      *struct {
		StripDomain bool `yaml:"strip_domain"`
		StripSecure bool `yaml:"strip_secure"`
		SameSiteLax bool `yaml:"samesite_lax"`
	} `yaml:"cookies"`
	API []struct {
		Prefix       string  `yaml:"prefix"`
		Target       string  `yaml:"target"`
		Rewrite      *string `yaml:"rewrite"`
		ChangeOrigin bool    `yaml:"change_origin"`
	} `yaml:"api"`
}

// ReadFile reads a configuration file; unknown keys are errors with their line.
func ReadFile(path string) (File, error) {
	var f File
	data, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("dev: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return f, fmt.Errorf("dev: %s: %s; the keys are listen, frontend, static, keep_host, allowed_hosts, cookies, api", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return f, nil
}

// Apply fills cfg from the file; the caller then applies the flags.
func (f File) Apply(cfg *Config) (listen string, err error) {
	var errs []error
	parse := func(what, s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("dev: %s %q is not a URL, e.g. http://localhost:5000", what, s))
			return nil
		}
		return u
	}
	if f.Frontend != "" {
		cfg.Frontend = parse("frontend", f.Frontend)
	}
	cfg.Static = f.Static
	cfg.KeepHost = f.KeepHost
	cfg.AllowedHosts = append(cfg.AllowedHosts, f.AllowedHosts...)
	if f.Cookies != nil {
		cfg.Cookies = CookieRewrite{StripDomain: f.Cookies.StripDomain, StripSecure: f.Cookies.StripSecure, SameSiteToLax: f.Cookies.SameSiteLax}
	}
	for _, a := range f.API {
		if u := parse("api target", a.Target); u != nil {
			cfg.Routes = append(cfg.Routes, Route{Prefix: a.Prefix, Target: u, Rewrite: a.Rewrite, ChangeOrigin: a.ChangeOrigin})
		}
	}
	return f.Listen, errors.Join(errs...)
}
