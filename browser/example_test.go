package browser_test

import (
	"fmt"
	"net/http"

	"github.com/corskit/corskit/browser"
)

// Fetch asks a RoundTripper for each answer; here the server allows the origin
// but forgets Content-Type in the preflight's Access-Control-Allow-Headers.
func ExampleFetch() {
	server := func(o browser.Outgoing) (browser.Incoming, error) {
		h := http.Header{}
		h.Set("Access-Control-Allow-Origin", "http://localhost:3000")
		if o.Preflight {
			h.Set("Access-Control-Allow-Methods", "PUT")
			return browser.Incoming{Status: 204, Header: h}, nil
		}
		return browser.Incoming{Status: 200, Header: h}, nil
	}
	v := browser.Fetch(browser.Request{
		Origin:  "http://localhost:3000",
		URL:     "http://api.example.com/data",
		Method:  "PUT",
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}},
	}, server)
	fmt.Println(v.Allowed, v.Preflight, v.Reason)
	fmt.Println(v.Message)
	// Output:
	// false true header_not_allowed
	// Access to fetch at 'http://api.example.com/data' from origin 'http://localhost:3000' has been blocked by CORS policy: Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.
}

// NeedsPreflight tells which requests are preflighted: JSON is, a form is not,
// and "patch" stays lower-case (it is not one of the methods browsers normalise).
func ExampleNeedsPreflight() {
	form := browser.Request{Method: "POST", Headers: []browser.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}}}
	json := browser.Request{Method: "POST", Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}}
	fmt.Println(browser.NeedsPreflight(form), browser.NeedsPreflight(json), browser.NeedsPreflight(browser.Request{Method: "get"}))
	// Output: false true false
}

// PreflightFor shows the preflight a browser sends first.
func ExamplePreflightFor() {
	p, ok := browser.PreflightFor(browser.Request{
		Origin: "http://localhost:3000", URL: "http://api.example.com/data", Method: "patch",
		Headers: []browser.Header{{Name: "X-Debug", Value: "1"}, {Name: "Content-Type", Value: "application/json"}},
	})
	fmt.Println(ok, p.Method, p.Header.Get("Access-Control-Request-Method"), p.Header.Get("Access-Control-Request-Headers"))
	// Output: true OPTIONS patch content-type,x-debug
}

// Each engine words the same refusal its own way, and Firefox and WebKit log
// more than one line.
func ExampleEngine_Fetch() {
	server := func(o browser.Outgoing) (browser.Incoming, error) {
		return browser.Incoming{Status: 200, Header: http.Header{}}, nil // no CORS headers
	}
	req := browser.Request{Origin: "http://localhost:3000", URL: "http://api.example.com/data"}
	for _, e := range browser.Engines() {
		v := e.Fetch(req, server)
		fmt.Println(e.Product, v.Allowed, v.Reason)
		for _, line := range v.Messages {
			fmt.Println("  " + line)
		}
	}
	// Output:
	// Chromium 156 false missing_allow_origin
	//   Access to fetch at 'http://api.example.com/data' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
	// Firefox 153 false missing_allow_origin
	//   Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.example.com/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.
	// Safari (WebKit 2.50) false missing_allow_origin
	//   Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200
	//   Fetch API cannot load http://api.example.com/data due to access control checks.
}
