package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAPI(t *testing.T) {
	t.Parallel()
	h, err := newHandler(defaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	pre, _ := http.NewRequest("OPTIONS", srv.URL+"/data", nil)
	pre.Header.Set("Origin", "http://localhost:3000")
	pre.Header.Set("Access-Control-Request-Method", "PATCH")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("preflight: got %d %v", resp.StatusCode, resp.Header)
	}

	get, _ := http.NewRequest("GET", srv.URL+"/data", nil)
	get.Header.Set("Origin", "http://localhost:3000")
	resp, err = http.DefaultClient.Do(get)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "{\"message\":\"Hello from API!\"}\n" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("GET: got %q %v", body, resp.Header)
	}
}

func TestLoadPolicyKeepsDefaults(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CORS_ALLOW_ORIGINS": "http://localhost:5173"}
	cfg, err := loadPolicy("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AllowOrigins[0] != "http://localhost:5173" || len(cfg.AllowMethods) != 5 || !cfg.AllowCredentials {
		t.Errorf("got %+v; want the default policy with the origin replaced", cfg)
	}
	env["CORS_MAX_AGE"] = "soon"
	if _, err := loadPolicy("", func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err == nil {
		t.Error("bad CORS_MAX_AGE: got no error")
	}
}
