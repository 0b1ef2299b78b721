package hooks_test

import (
	"fmt"
	"strings"

	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/cors/unstable/hooks"
)

// A server that writes its own HTTP/1.1 responses answers an allowed
// preflight without an http.Request; when ok is false, Decide and Apply (or Handler) serve it.
func ExamplePolicy_AppendPreflight() {
	m, err := cors.New(cors.Config{
		AllowOrigins: []string{"https://app.example.com"},
		AllowMethods: []string{"PUT"},
		MaxAge:       600,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	lines, status, ok := hooks.Of(m).AppendPreflight(nil, []string{"https://app.example.com"}, []string{"PUT"}, nil, nil)
	fmt.Println(status, ok)
	fmt.Print(strings.ReplaceAll(string(lines), "\r\n", "\n")) // each line ends in CRLF
	_, _, ok = hooks.Of(m).AppendPreflight(nil, []string{"https://evil.test"}, []string{"PUT"}, nil, nil)
	fmt.Println(ok)
	// Output:
	// 204 true
	// Access-Control-Allow-Origin: https://app.example.com
	// Access-Control-Allow-Methods: PUT
	// Access-Control-Max-Age: 600
	// Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
	// false
}
