package check_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/servertest"
)

// TestFrameworkServersGetTheirFix: a server that answers as Laravel,
// Symfony with NelmioCorsBundle, Spring or ASP.NET Core does (their
// cookies, headers and refusal bodies, sent by a loopback server here)
// is recognised, its own causes come first (the one its answer shows on
// top), and the fix is that framework's configuration in both forms (add,
// replace), keeping the method the server already allows. The Laravel
// snippet is PHP (php -l) and the Symfony one YAML.
func TestFrameworkServersGetTheirFix(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		stack, seen, keyword string
		mark                 func(w http.ResponseWriter, r *http.Request)
	}{
		{"laravel", "", "'supports_credentials' => true", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Set-Cookie", "laravel_session=eyJpdiI6; path=/; httponly")
		}},
		{"symfony", "symfony-header-not-listed", "allow_credentials: true", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				w.WriteHeader(400)
				w.Write([]byte("Unauthorized header x-custom"))
			}
		}},
		{"spring", "spring-refused", ".allowCredentials(true)", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				w.WriteHeader(403)
				w.Write([]byte("Invalid CORS request"))
			}
		}},
		{"aspnetcore", "", ".AllowCredentials()", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Server", "Kestrel")
		}},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			url := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", pageOrigin)
				w.Header().Set("Access-Control-Allow-Methods", "GET, PATCH")
				c.mark(w, r)
			})
			r, err := check.Run(context.Background(), check.Options{URL: url + "/data", Origin: pageOrigin, Method: "PUT", Credentials: browser.Include,
				Headers: []browser.Header{{Name: "X-Custom", Value: "1"}}})
			if err != nil {
				t.Fatal(err)
			}
			f := r.Fix
			if f.Stack != c.stack {
				t.Fatalf("stack %q (from %q), want %s", f.Stack, f.StackFrom, c.stack)
			}
			if len(f.Causes) == 0 || (c.seen != "") != f.Causes[0].Seen || (c.seen != "" && f.Causes[0].ID != c.seen) {
				t.Errorf("causes %+v, want %q seen first", f.Causes, c.seen)
			}
			for _, want := range []string{"A. The app has no CORS yet", "B. The app already configures CORS", c.keyword, "PATCH", "PUT"} {
				if !strings.Contains(f.Snippet, want) {
					t.Errorf("the snippet lacks %q:\n%s", want, f.Snippet)
				}
			}
			if n := len(f.Pieces[c.stack]); n != 2 && !(c.stack == "aspnetcore" && n == 4) {
				t.Fatalf("%d pieces, want the two forms (of AddCors and UseCors for aspnetcore)", n)
			}
			for _, p := range f.Pieces[c.stack] {
				switch c.stack {
				case "laravel":
					php := servertest.Need(t, "php")
					file := filepath.Join(t.TempDir(), "cors.php")
					os.WriteFile(file, []byte("<?php\nreturn [\n"+p.Text+"];\n"), 0o600)
					if out, err := exec.Command(php, "-l", file).CombinedOutput(); err != nil {
						t.Errorf("php -l: %v\n%s\n%s", err, out, p.Text)
					}
				case "symfony":
					var doc map[string]map[string]any
					if err := yaml.Unmarshal([]byte(p.Text), &doc); err != nil || doc["nelmio_cors"]["defaults"] == nil {
						t.Errorf("%s: not nelmio_cors YAML: %v\n%s", p.Where, err, p.Text)
					}
				}
			}
		})
	}
}
