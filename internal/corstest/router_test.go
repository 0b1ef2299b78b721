package corstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestRouters runs the middleware in front of common routers over real HTTP
// on loopback. A Go 1.22 method pattern such as "GET /data" makes the mux
// answer a preflight with 405 unless the middleware wraps the whole mux.
func TestRouters(t *testing.T) {
	t.Parallel()
	data := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "42")
		io.WriteString(w, `{"message": "Hello from API!"}`)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /data", data)
	mux.HandleFunc("PUT /data", data)
	r := chi.NewRouter()
	r.Get("/data", data)
	r.Put("/data", data)

	m := mustNew(t, credentialed)
	for _, rt := range []struct {
		name    string
		handler http.Handler
	}{
		{"ServeMux", mux},
		{"chi", r},
	} {
		t.Run("router="+rt.name, func(t *testing.T) {
			t.Parallel()
			bare := httptest.NewServer(rt.handler)
			defer bare.Close()
			wrapped := httptest.NewServer(m.Handler(rt.handler))
			defer wrapped.Close()

			preflight := func(url string) *http.Response {
				req, _ := http.NewRequest("OPTIONS", url+"/data", nil)
				req.Header.Set("Origin", "https://app.example.com")
				req.Header.Set("Access-Control-Request-Method", "PUT")
				req.Header.Set("Access-Control-Request-Headers", "content-type")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp
			}
			if resp := preflight(bare.URL); resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("bare %s: got preflight status %d; want 405, the trap this test documents", rt.name, resp.StatusCode)
			}
			resp := preflight(wrapped.URL)
			if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
				t.Errorf("wrapped %s: got preflight %d with Access-Control-Allow-Origin %q; want 204 with the origin",
					rt.name, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}

			req, _ := http.NewRequest("PUT", wrapped.URL+"/data", nil)
			req.Header.Set("Origin", "https://app.example.com")
			actual, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(actual.Body)
			actual.Body.Close()
			if actual.StatusCode != 200 || string(body) != `{"message": "Hello from API!"}` ||
				actual.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
				actual.Header.Get("Access-Control-Expose-Headers") != "X-Request-Id" {
				t.Errorf("wrapped %s: got actual %d %q %v; want 200 with CORS headers", rt.name, actual.StatusCode, body, actual.Header)
			}
		})
	}
}
