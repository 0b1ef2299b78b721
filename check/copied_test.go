package check_test

import (
	"slices"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// TestParseCopiedRequests: DevTools' "Copy as cURL" (as the shell splits
// it) and "Copy as fetch", in the shapes Chromium, Firefox and Safari write
// them. The headers the browser added (Origin, Referer, Cookie, User-Agent,
// Sec-Fetch-*) tell the origin and the credentials mode and are not sent as
// the page's; a Cookie means credentials: include, as credentials: "include"
// does; without Origin, the Referer's origin is the page's.
func TestParseCopiedRequests(t *testing.T) {
	t.Parallel()
	json := []browser.Header{{Name: "accept", Value: "*/*"}, {Name: "content-type", Value: "application/json"}}
	for _, tc := range []struct {
		desc string
		curl []string
		tfet string
		want check.Options
	}{
		{desc: "Chromium cURL (bash)", curl: []string{"curl", "http://api.test/data", "-X", "PUT",
			"-H", "accept: */*", "-H", "content-type: application/json", "-b", "session=1", "-H", "origin: http://localhost:3000",
			"-H", "referer: http://localhost:3000/", "-H", "sec-fetch-mode: cors", "-H", "user-agent: Mozilla/5.0", "--data-raw", `{"a":1}`},
			want: check.Options{URL: "http://api.test/data", Origin: "http://localhost:3000", Method: "PUT", Headers: json, Body: `{"a":1}`, Credentials: browser.Include}},
		{desc: "Firefox cURL", curl: []string{"curl", "http://api.test/data", "--compressed", "-X", "PUT", "-H", "User-Agent: Mozilla/5.0", "-H", "Accept: */*",
			"-H", "Content-Type: application/json", "-H", "Origin: http://localhost:3000", "-H", "Connection: keep-alive", "--data-raw", "{}"},
			want: check.Options{URL: "http://api.test/data", Origin: "http://localhost:3000", Method: "PUT", Headers: []browser.Header{{Name: "Accept", Value: "*/*"}, {Name: "Content-Type", Value: "application/json"}}, Body: "{}"}},
		{desc: "Safari cURL, origin from the Referer, POST from the body", curl: []string{"curl", "http://api.test/data", "-H", "Content-Type: text/plain", "-H", "Referer: https://app.example.com/page",
			"--data-binary", "x"},
			want: check.Options{URL: "http://api.test/data", Origin: "https://app.example.com", Method: "POST", Headers: []browser.Header{{Name: "Content-Type", Value: "text/plain"}}, Body: "x"}},
		{desc: "Chromium fetch", tfet: `fetch("http://api.test/data", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/json",
    "sec-fetch-mode": "cors"
  },
  "referrer": "http://localhost:3000/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"a\":1}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "include"
});`,
			want: check.Options{URL: "http://api.test/data", Origin: "http://localhost:3000", Method: "PUT", Headers: json, Body: `{"a":1}`, Credentials: browser.Include}},
		{desc: "Firefox fetch", tfet: `await fetch("http://api.test/data", {
    "credentials": "omit",
    "headers": {
        "User-Agent": "Mozilla/5.0",
        "Accept": "*/*",
        "X-Debug": "1"
    },
    "referrer": "http://localhost:5173/",
    "method": "DELETE",
    "mode": "cors"
});`,
			want: check.Options{URL: "http://api.test/data", Origin: "http://localhost:5173", Method: "DELETE", Headers: []browser.Header{{Name: "Accept", Value: "*/*"}, {Name: "X-Debug", Value: "1"}}, Credentials: browser.Omit}},
	} {
		var c check.Copied
		var err error
		if tc.curl != nil {
			c, err = check.ParseCurl(tc.curl)
		} else {
			c, err = check.ParseFetch(tc.tfet)
		}
		got := c.Options()
		if err != nil || got.URL != tc.want.URL || got.Origin != tc.want.Origin || got.Method != tc.want.Method || got.Body != tc.want.Body ||
			got.Credentials != tc.want.Credentials || !slices.Equal(got.Headers, tc.want.Headers) {
			t.Errorf("%s:\n got  %+v %v\n want %+v", tc.desc, got, err, tc.want)
		}
	}
	for _, bad := range [][]string{{"wget", "http://x"}, {"curl"}, {"curl", "-H"}, {"curl", "http://a.test", "http://b.test"}, {"curl", "ftp://x.test/"}} {
		if _, err := check.ParseCurl(bad); err == nil {
			t.Errorf("ParseCurl(%q): no error", bad)
		}
	}
	for _, bad := range []string{`console.log(1)`, `fetch(url)`, `fetch("http://x.test", {"headers": [})`} {
		if _, err := check.ParseFetch(bad); err == nil {
			t.Errorf("ParseFetch(%q): no error", bad)
		}
	}
}
