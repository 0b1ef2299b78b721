package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/proxy"
)

// brokenAPI is a typical API with a CORS setup copied from a forum answer:
// Access-Control-Allow-Origin: * on every response, and routes that answer
// OPTIONS with 405.
func brokenAPI() http.Handler {
	mux := http.NewServeMux()
	data := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message": "Hello from API!"}`+"\n")
	}
	mux.HandleFunc("GET /data", data)
	mux.HandleFunc("PUT /data", data)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		mux.ServeHTTP(w, r)
	})
}

// serveLoopback serves h on a free loopback port until ctx ends.
func serveLoopback(ctx context.Context, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	return "http://" + ln.Addr().String(), nil
}

// runDemo shows the whole story on this machine alone: a broken API, the
// doctor's diagnosis, the gateway in front of it, and the request allowed.
const demoUsage = `Usage: corskit demo

Starts, on loopback only, an API with a copied CORS setup (Access-Control-Allow-Origin: *
and no OPTIONS route), shows corskit check's diagnosis of a page's credentialed
JSON PUT to it, puts corskit proxy in front of it, checks again, and exits 0.
It takes no flags.
`

func runDemo(args []string, stdout, stderr io.Writer) int {
	if code, ok := parseNoArgs("corskit demo", demoUsage, args, stderr); !ok {
		return code
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	color := useColor("auto", stdout)
	api, err := serveLoopback(ctx, brokenAPI())
	if err != nil {
		fmt.Fprintln(stderr, "corskit demo:", err)
		return ExitFail
	}
	const page = "http://localhost:3000"
	opts := check.Options{
		Origin: page, Method: "PUT", Credentials: browser.Include, Body: `{"name":"x"}`, Stack: "go",
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}},
	}
	rule := strings.Repeat("─", 72)
	fmt.Fprintf(stdout, "%s\n1. An API on %s with a copied CORS setup (Access-Control-Allow-Origin: * and no\n   OPTIONS route). A page on %s sends it a JSON PUT with cookies:\n\n   corskit check %s/data --origin %s -X PUT \\\n     -H 'Content-Type: application/json' -d '{\"name\":\"x\"}' --credentials include --stack go\n%s\n\n",
		rule, api, page, api, page, rule)
	opts.URL = api + "/data"
	before, err := check.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "corskit demo:", err)
		return ExitFail
	}
	before.WriteText(flagTermsWriter{stdout}, color)

	upstream, _ := url.Parse(api)
	policy := cors.Config{AllowOrigins: []string{page}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}, AllowCredentials: true, MaxAge: 600}
	g, err := proxy.New(proxy.Config{Upstream: upstream, Policy: policy})
	if err != nil {
		fmt.Fprintln(stderr, "corskit demo:", err)
		return ExitFail
	}
	gw, err := serveLoopback(ctx, g)
	if err != nil {
		fmt.Fprintln(stderr, "corskit demo:", err)
		return ExitFail
	}
	fmt.Fprintf(stdout, "\n%s\n2. The same API, untouched, behind the gateway on %s:\n\n   corskit proxy --upstream %s --allow-origin %s --allow-method PUT \\\n     --allow-header Content-Type --allow-credentials --max-age 600\n\n   and the same check against the gateway:\n%s\n\n",
		rule, gw, api, page, rule)
	opts.URL = gw + "/data"
	after, err := check.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "corskit demo:", err)
		return ExitFail
	}
	after.WriteText(flagTermsWriter{stdout}, color)
	if before.Verdict.Allowed || !after.Verdict.Allowed {
		fmt.Fprintln(stdout, "\nThe demo did not go as expected: blocked first, then allowed.")
		return ExitFail
	}
	fmt.Fprintf(stdout, "\n%s\nBlocked before, allowed through the gateway. Next: corskit check against your own API.\n", rule)
	return ExitOK
}
