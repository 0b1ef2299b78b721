package cors_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/corskit/corskit/cors"
)

// The usual setup: wrap the whole router, so that preflights are answered
// before route matching.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /data", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"message": "Hello from API!"}`)
	})
	m, err := cors.New(cors.Config{
		AllowOrigins:     []string{"https://app.example.com", "http://localhost:3000"},
		AllowMethods:     []string{"GET", "POST", "PUT", "DELETE"},
		AllowHeaders:     []string{"Content-Type", "Authorization"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	handler := m.Handler(mux)

	req := httptest.NewRequest("OPTIONS", "http://api.example.com/data", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("Access-Control-Allow-Origin"))
	fmt.Println(rec.Header().Get("Access-Control-Allow-Methods"))
	// Output:
	// 204
	// http://localhost:3000
	// GET, POST, PUT, DELETE
}

// A common mistake: copying the origin from the browser's address bar, with
// its trailing slash, and allowing every origin with credentials. New refuses
// the policy and says how to fix each entry.
func Example_commonMistake() {
	_, err := cors.New(cors.Config{
		AllowOrigins:     []string{"https://app.example.com/", "*"},
		AllowCredentials: true,
	})
	fmt.Println(err)
	// Output:
	// cors: AllowOrigins: "https://app.example.com/" has a trailing slash; an origin is scheme://host[:port], e.g. "https://app.example.com": use "https://app.example.com"
	// cors: AllowOrigins: "*" cannot be used with AllowCredentials: browsers refuse Access-Control-Allow-Origin: * on credentialed requests, and allowing every origin with credentials would let any site read your users' data; list the origins instead
}

// Every problem is a *ConfigError that names the field and the bad value.
func ExampleConfigError() {
	_, err := cors.New(cors.Config{AllowOrigins: []string{"https://x.com:443"}, MaxAge: 90000})
	var ce *cors.ConfigError
	if errors.As(err, &ce) {
		fmt.Printf("%s %q\n", ce.Field, ce.Value)
	}
	// Output:
	// AllowOrigins "https://x.com:443"
}

// Reconfigure swaps the policy while the server runs; an invalid policy is
// refused and the one in force stays.
func ExampleMiddleware_Reconfigure() {
	m, _ := cors.New(cors.Config{AllowOrigins: []string{"https://a.example.com"}})
	err := m.Reconfigure(cors.Config{AllowOrigins: []string{"https://b.example.com/"}})
	fmt.Println(err != nil, m.Config().AllowOrigins)
	err = m.Reconfigure(cors.Config{AllowOrigins: []string{"https://b.example.com"}})
	fmt.Println(err, m.Config().AllowOrigins)
	// Output:
	// true [https://a.example.com]
	// <nil> [https://b.example.com]
}
