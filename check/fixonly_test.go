package check

import (
	"context"
	"slices"
	"testing"
)

// TestFixOnlyWidensAPartTheFillDidNotJudge: when the fill brings no report
// for the file's part for the other credentials mode (it could not judge
// it, or found it allowed where the file records a failure), the part's
// fix, written from the file's answers alone, is widened to what the
// probe learned, as the report's own is: it never narrows what the
// server allows today.
func TestFixOnlyWidensAPartTheFillDidNotJudge(t *testing.T) {
	t.Parallel()
	const url = "http://127.0.0.1:8081/data"
	preflight := `{"_resourceType": "preflight", "request": {"method": "OPTIONS", "url": "` + url + `", "headers": [{"name": "Origin", "value": "http://localhost:3000"}, {"name": "Access-Control-Request-Method", "value": "PUT"}, {"name": "Access-Control-Request-Headers", "value": "content-type"}]},
		"response": {"status": 400, "headers": [{"name": "Access-Control-Allow-Origin", "value": "http://localhost:3000"}, {"name": "Access-Control-Allow-Methods", "value": "GET"}, {"name": "Access-Control-Allow-Headers", "value": "content-type"}], "content": {"size": 0}}}`
	put := `{"_resourceType": "fetch", "request": {"method": "PUT", "url": "` + url + `", "headers": [{"name": "Content-Type", "value": "application/json"}, {"name": "Referer", "value": "http://localhost:3000/"}]}, "response": {"status": 0, "headers": [], "_error": "net::ERR_FAILED"}}`
	h, err := ParseHAR([]byte(`{"log": {"entries": [` + put + "," + preflight + `]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var file *Report
	for r := range JudgeHAR(context.Background(), h, Options{Browser: "chromium"}, HARMode{Offline: true}).Results {
		file = r.Full
	}
	if file == nil || file.OtherCredentials == nil || file.OtherCredentials.Allowed || slices.Contains(file.OtherCredentials.Fix.Policy.AllowHeaders, "*") {
		t.Fatalf("the file's report: %+v; want a blocked part for the other mode, its fix from the file alone", file)
	}
	learned := &Learned{Requests: 25, CORS: true, AnyHeader: true, Headers: []string{"Authorization"}, Methods: []string{"GET"}, Origins: []string{"http://localhost:3000"}, Credentials: true}
	filled := *file
	filled.OtherCredentials = nil
	filled.Fix = fixFor(file.Options, file.Verdict, answersOf(file.Verdict), learned)
	got := fixOnly(*file, filled, nil)
	a := got.OtherCredentials
	if a == nil || a.Credentials != file.OtherCredentials.Credentials || a.Allowed != file.OtherCredentials.Allowed || a.Fix.Learned != learned {
		t.Fatalf("the part for the other mode: %+v; want the file's, with a fix from what the probe learned", a)
	}
	if p := a.Fix.Policy; !slices.Contains(p.AllowHeaders, "*") || !slices.Contains(p.AllowHeaders, "Authorization") || !slices.Contains(p.AllowMethods, "PUT") || !p.AllowCredentials {
		t.Errorf("the part's fix allows headers %q, methods %q, credentials %v; want *, Authorization, PUT, credentials (what the probe learned, and the request's needs)", p.AllowHeaders, p.AllowMethods, p.AllowCredentials)
	}
	if !samePolicy(got.Fix, filled.Fix) {
		t.Errorf("the report's own fix is not the fill's")
	}
}
