package check

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/internal/servertest"
)

const (
	probePage  = "http://localhost:3000"
	probeOther = "http://localhost:4000"
)

// rackApp is a Rack app behind rack-cors that allows GET, POST and DELETE
// with Content-Type and X-Request-Id from two origins, with credentials:
// a preflight for PUT gets 200 with no header at all.
const rackApp = `require 'rack/cors'
use Rack::Cors do
  allow do
    origins '` + probePage + `', '` + probeOther + `'
    resource '/data', headers: ['Content-Type', 'X-Request-Id'], methods: [:get, :post, :delete, :options], credentials: true, max_age: 600
  end
end
run ->(env) { [200, {'Content-Type' => 'application/json'}, ['{"ok":true}']] }
`

// starletteApp returns a Starlette app whose CORSMiddleware has the
// arguments given, answering /data for every method.
func starletteApp(args string) string {
	return `from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

async def data(request):
    return JSONResponse({"ok": True})

app = Starlette(routes=[Route("/data", data, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])], middleware=[
    Middleware(CORSMiddleware, ` + args + `),
])
`
}

func probeCheck(t *testing.T, url, method string, hs ...browser.Header) Report {
	t.Helper()
	r, err := Run(context.Background(), Options{URL: url, Origin: probePage, AlsoOrigins: []string{probeOther}, Method: method, Headers: hs,
		Credentials: browser.Include, Browser: "chromium", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict.Allowed {
		t.Fatalf("%s %s allowed: %+v", method, url, r.Verdict)
	}
	return r
}

func problemNames(r Report) string {
	var names []string
	for _, p := range r.Problems {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}

func hasFold(list []string, want ...string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, w) }) {
			return false
		}
	}
	return true
}

// TestProbeLearnsRackCors: rack-cors refuses PUT with a bare 200. The
// doctor names the refusal (not "the CORS middleware is missing"), the
// probe learns the methods, headers, origins and credentials allowed, and
// the fix keeps DELETE, X-Request-Id and the other origin.
func TestProbeLearnsRackCors(t *testing.T) {
	t.Parallel()
	base := servertest.ServeRack(t, rackApp)
	r := probeCheck(t, base+"/data", "PUT", browser.Header{Name: "Content-Type", Value: "application/json"})
	if got := problemNames(r); !strings.HasPrefix(got, "request refused by the CORS code") || !strings.Contains(r.Problems[0].Sentence, "rack-cors") {
		t.Errorf("problems %q, want the rack-cors refusal first: %+v", got, r.Problems)
	}
	l := r.Fix.Learned
	if l == nil || l.Requests == 0 || l.Requests > 30 || !l.CORS || !l.Credentials || l.AnyHeader || l.AnyOrigin ||
		!hasFold(l.Methods, "GET", "POST", "DELETE") || hasFold(l.Methods, "PUT") || !hasFold(l.Headers, "Content-Type", "X-Request-Id") ||
		!hasFold(l.Origins, probePage, probeOther) || len(l.Refused) == 0 || l.MaxAge != 600 {
		t.Fatalf("learned %+v", l)
	}
	p := r.Fix.Policy
	if !hasFold(p.AllowMethods, "PUT", "DELETE") || !hasFold(p.AllowHeaders, "Content-Type", "X-Request-Id") || !hasFold(p.AllowOrigins, probePage, probeOther) || !p.AllowCredentials {
		t.Errorf("the fix narrows what rack-cors allows: %+v", p)
	}
	if !strings.Contains(r.Fix.Keeps, "DELETE") || r.Fix.Adds != "method PUT" {
		t.Errorf("keeps %q, adds %q", r.Fix.Keeps, r.Fix.Adds)
	}
}

// TestProbeLearnsStarlette: Starlette refuses with its own 400; the doctor
// names the refusal first, and with allow_headers=["*"] the fix keeps any
// header (an Authorization request from the other origin worked).
func TestProbeLearnsStarlette(t *testing.T) {
	t.Parallel()
	anyHeader := servertest.ServeASGI(t, starletteApp(`allow_origins=["`+probePage+`", "`+probeOther+`"], allow_methods=["GET", "POST", "DELETE"], allow_headers=["*"], allow_credentials=True`))
	listed := servertest.ServeASGI(t, starletteApp(`allow_origins=["`+probePage+`", "`+probeOther+`"], allow_methods=["GET", "PUT"], allow_headers=["Content-Type"], allow_credentials=True`))

	r := probeCheck(t, anyHeader+"/data", "PUT", browser.Header{Name: "Content-Type", Value: "application/json"})
	if got := problemNames(r); !strings.HasPrefix(got, "method refused by the CORS code") || !strings.Contains(r.Problems[0].Sentence, "Starlette") {
		t.Errorf("problems %q, want Starlette's method refusal first: %+v", got, r.Problems)
	}
	l := r.Fix.Learned
	if l == nil || !l.AnyHeader || !hasFold(l.Headers, "Authorization") || !hasFold(l.Methods, "DELETE") || !hasFold(l.Origins, probePage, probeOther) || !l.Credentials {
		t.Fatalf("learned %+v", l)
	}
	if p := r.Fix.Policy; !hasFold(p.AllowHeaders, "*", "Authorization") || !hasFold(p.AllowMethods, "PUT", "DELETE") || !hasFold(p.AllowOrigins, probeOther) {
		t.Errorf("the fix narrows what Starlette allows: %+v", p)
	}

	r = probeCheck(t, listed+"/data", "PUT", browser.Header{Name: "Content-Type", Value: "application/json"}, browser.Header{Name: "X-Request-Id", Value: "1"})
	if got := problemNames(r); !strings.HasPrefix(got, "header refused by the CORS code") || !strings.Contains(r.Problems[0].Sentence, "allow_headers") {
		t.Errorf("problems %q, want Starlette's header refusal first: %+v", got, r.Problems)
	}
}

// TestProbeHostileAnswersBounded: a server that answers every preflight
// with a megabyte of header names costs the probe bounded time, and at
// most maxLearned names per list.
func TestProbeHostileAnswersBounded(t *testing.T) {
	t.Parallel()
	names := strings.Repeat("X-A,", 1<<17) // 512 KiB of one name, then many
	var b strings.Builder
	for i := range 1 << 15 {
		fmt.Fprintf(&b, "X-%d,", i)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Headers", names+b.String())
		w.Header().Set("Access-Control-Allow-Methods", b.String())
		w.Header().Set("Access-Control-Expose-Headers", b.String())
	}))
	t.Cleanup(srv.Close)
	url := srv.URL
	start := time.Now()
	l := Probe(Options{URL: url, Origin: probePage, Method: "PUT", Timeout: 5 * time.Second}, Transport(context.Background(), Options{Timeout: 5 * time.Second}))
	if len(l.Headers) > maxLearned || len(l.Methods) > maxLearned+1 || len(l.Expose) > maxLearned || !l.CORS {
		t.Errorf("learned %d headers, %d methods, %d exposed: want at most %d each", len(l.Headers), len(l.Methods), len(l.Expose), maxLearned)
	}
	// A bound, not a speed claim: quadratic work on a megabyte of names
	// would take minutes. The race detector slows the parsing several
	// times over, and the package's parallel tests share the machine.
	bound := 20 * time.Second
	if raceEnabled {
		bound *= 4
	}
	if d := time.Since(start); d > bound {
		t.Errorf("the probe took %v on hostile answers, over %v", d, bound)
	}
}
