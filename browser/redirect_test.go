package browser

import "testing"

// TestEveryRedirectStatusIsFollowed: each of the Fetch standard's redirect
// statuses (301, 302, 303, 307, 308) is followed, in every engine; 307 and
// 308 keep the method and body, the others turn a POST into a GET. Any
// other 3xx is an answer like any other. The real engines hold the same
// through scenario.Redirects in check's TestModelAgainstEngines.
func TestEveryRedirectStatusIsFollowed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status   int
		followed bool
		method   string // of the second request
	}{
		{301, true, "GET"}, {302, true, "GET"}, {303, true, "GET"}, {307, true, "POST"}, {308, true, "POST"},
		{300, false, ""}, {304, false, ""}, {305, false, ""}, {306, false, ""},
	} {
		for _, e := range Engines() {
			var sent []Outgoing
			v := e.Fetch(Request{Origin: page, URL: api, Method: "POST", Body: true, Headers: []Header{{"Content-Type", "text/plain"}}},
				server{api: {tc.status, hdr("Location", "/next", "Access-Control-Allow-Origin", page)},
					"http://api.test/next": {200, hdr("Access-Control-Allow-Origin", page)}}.rt(&sent))
			if !v.Allowed {
				t.Errorf("%s, %d: blocked (%s)", e.Name, tc.status, v.Message)
			}
			if followed := len(sent) == 2; followed != tc.followed {
				t.Errorf("%s, %d: followed=%v (sent %+v); want %v", e.Name, tc.status, followed, sent, tc.followed)
			} else if followed && (sent[1].Method != tc.method || sent[1].Body != (tc.method == "POST")) {
				t.Errorf("%s, %d: the second request is %s, body %v; want %s", e.Name, tc.status, sent[1].Method, sent[1].Body, tc.method)
			}
		}
	}
}
