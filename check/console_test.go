package check_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// TestParseConsoleTextsThatAreNotCORS: the texts users paste that are no
// CORS failure are named as what they are, and texts that name no check ask
// for the line that does. (The engines' real CORS lines are read back in
// TestModelAgainstEngines, for every blocked scenario.)
func TestParseConsoleTextsThatAreNotCORS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, kind, errPart string
	}{
		{text: "GET http://127.0.0.1:5000/data net::ERR_CONNECTION_REFUSED", kind: "network_error"},
		{text: "Refused to connect to 'http://api.test/data' because it violates the following Content Security Policy directive: \"connect-src 'self'\".", kind: "content_security_policy"},
		{text: "GET http://127.0.0.1:6000/x net::ERR_UNSAFE_PORT", kind: "bad_port"},
		{text: "Mixed Content: The page at 'https://app.test/' was loaded over HTTPS, but requested an insecure resource 'http://api.test/x'. This request has been blocked; the content must be served over HTTPS.", kind: "mixed_content"},
		{text: "Response {type: 'opaque', url: '', redirected: false, status: 0, ok: false, …}", kind: "opaque_response"},
		{text: `Response { type: "opaque", url: "", redirected: false, status: 0, ok: false, statusText: "", headers: Headers(0), body: null, bodyUsed: false }`, kind: "opaque_response"},
		{text: "TypeError: Failed to fetch", errPart: "the same for every failure"},
		{text: "", errPart: "empty"},
		{text: "Uncaught ReferenceError: x is not defined", errPart: "cannot read"},
		{text: "Fetch API cannot load http://api.test/x due to access control checks.", errPart: "paste the line above it"},
	} {
		_, err := check.ParseConsole(tc.text)
		var nc *check.NotCORSError
		switch {
		case tc.kind != "" && (!errors.As(err, &nc) || nc.Kind != tc.kind):
			t.Errorf("%q: got %v; want it named %s", tc.text, err, tc.kind)
		case tc.errPart != "" && (err == nil || !strings.Contains(err.Error(), tc.errPart)):
			t.Errorf("%q: got %v; want an error saying %q", tc.text, err, tc.errPart)
		}
	}
}

// TestParseConsoleAsCopied: lines as users copy them, with the prefixes
// Safari's Web Inspector and a terminal add, and Chromium's redirect form.
func TestParseConsoleAsCopied(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		want check.Evidence
	}{
		{"[Error] Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 403\n[Error] Fetch API cannot load http://api.test/data due to access control checks.",
			check.Evidence{Engine: "safari", URL: "http://api.test/data", Origin: "http://localhost:3000", Reason: browser.AllowOriginMismatch, Status: 403}},
		{"Access to fetch at 'http://b.test/r' (redirected from 'http://a.test/s') from origin 'http://localhost:3000' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
			check.Evidence{Engine: "chromium", URL: "http://b.test/r", FirstURL: "http://a.test/s", Origin: "http://localhost:3000", Method: "PUT", Reason: browser.MethodNotAllowed, Preflight: true}},
		{"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.test/data. (Reason: header ‘x-debug’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).\nCross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.test/data. (Reason: CORS request did not succeed). Status code: (null).",
			check.Evidence{Engine: "firefox", URL: "http://api.test/data", Reason: browser.HeaderNotAllowed, Header: "x-debug", Preflight: true}},
	} {
		got, err := check.ParseConsole(tc.text)
		if err != nil || got != tc.want {
			t.Errorf("%q:\n got  %+v %v\n want %+v", tc.text, got, err, tc.want)
		}
	}
}
