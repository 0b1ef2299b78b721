// Command api is the smallest API that fixes its CORS error with corskit's
// middleware: one /data route, the policy from a file and CORS_* variables.
//
//	go run ./examples/api                       # allows http://localhost:3000
//	CORS_ALLOW_ORIGINS=https://app.example.com go run ./examples/api
//	go run ./examples/api -config cors.yaml -listen 127.0.0.1:8080
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/policy"
)

// defaultPolicy serves a frontend dev server on http://localhost:3000.
var defaultPolicy = cors.Config{
	AllowOrigins:     []string{"http://localhost:3000"},
	AllowMethods:     []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
	AllowHeaders:     []string{"Content-Type", "Authorization"},
	AllowCredentials: true,
	MaxAge:           600,
}

func main() {
	listen := flag.String("listen", "127.0.0.1:5000", "address to listen on")
	config := flag.String("config", "", "policy file (YAML or JSON); CORS_* variables override it")
	flag.Parse()

	cfg, err := loadPolicy(*config, os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	handler, err := newHandler(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "api: http://%s/data allows %v\n", *listen, cfg.AllowOrigins)
	srv := &http.Server{Addr: *listen, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// newHandler is the API: a router wrapped, as a whole, in the middleware.
func newHandler(cfg cors.Config) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/data", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"message": "Hello from API!"})
		default:
			w.Header().Set("Allow", "GET, POST, PUT, PATCH, DELETE")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
	m, err := cors.New(cfg)
	if err != nil {
		return nil, err
	}
	return m.Handler(mux), nil
}

// loadPolicy reads the policy file when one is given, else starts from
// defaultPolicy; CORS_* variables override either.
func loadPolicy(path string, lookup func(string) (string, bool)) (cors.Config, error) {
	if path != "" {
		return policy.Load(path, lookup)
	}
	cfg := defaultPolicy
	if err := policy.ApplyEnv(&cfg, lookup); err != nil {
		return cors.Config{}, err
	}
	return cfg, nil
}
