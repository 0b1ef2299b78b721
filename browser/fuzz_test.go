package browser

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzEngines: whatever a hostile server answers (any status, any CORS
// header values, redirects anywhere), every engine's model returns a verdict
// without panicking, a blocked verdict has its reason, and any console lines
// it has are non-empty; an allowed one has none.
func FuzzEngines(f *testing.F) {
	f.Add(204, "http://localhost:3000", "true", "PUT", "x-custom", 200, "", "PUT", "include", "X-Custom")
	f.Add(302, "*", "", "*", "*", 307, "http://other.test/x", "DELETE", "omit", "Authorization")
	f.Add(200, "null", "TRUE", "GET POST, x y", ",,", 303, "mailto:x", "patch", "same-origin", "Content-Type")
	f.Fuzz(func(t *testing.T, preStatus int, acao, acac, acam, acah string, status int, location, method, creds, header string) {
		server := func(o Outgoing) (Incoming, error) {
			h := http.Header{}
			for _, v := range strings.Split(acao, "|") {
				h.Add("Access-Control-Allow-Origin", v)
			}
			h.Set("Access-Control-Allow-Credentials", acac)
			h.Set("Access-Control-Allow-Methods", acam)
			h.Set("Access-Control-Allow-Headers", acah)
			if o.Preflight {
				return Incoming{Status: preStatus, Header: h}, nil
			}
			if location != "" {
				h.Set("Location", location)
			}
			return Incoming{Status: status, Header: h}, nil
		}
		req := Request{Origin: "http://localhost:3000", URL: "http://api.test/data", Method: method, Credentials: Credentials(creds),
			Headers: []Header{{Name: header, Value: "1"}}, Body: true}
		if !req.Credentials.Valid() {
			req.Credentials = ""
		}
		for _, e := range Engines() {
			v := e.Fetch(req, server)
			if v.Allowed && (v.Reason != Allowed || len(v.Messages) > 0) || !v.Allowed && v.Reason == Allowed {
				t.Fatalf("%s: allowed=%v reason=%q messages=%q", e.Name, v.Allowed, v.Reason, v.Messages)
			}
			for _, m := range v.Messages {
				if m == "" {
					t.Fatalf("%s: an empty console line in %q", e.Name, v.Messages)
				}
			}
		}
	})
}
