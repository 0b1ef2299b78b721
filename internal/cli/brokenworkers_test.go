package cli

import (
	"fmt"

	"github.com/corskit/corskit/internal/browsertest"
)

// The broken Cloudflare Workers (run on workerd) join the table of
// TestBrokenServersFromEvidenceToAWorkingApp: each is a mistake Workers'
// users report.
func init() { brokenServers = append(brokenServers, brokenWorkers...) }

// workerRoutes is a Worker's own routes: GET and PUT on /data, 405 for
// any other method (OPTIONS included).
const workerRoutes = `    const url = new URL(request.url);
    let response;
    if (url.pathname === '/data' && request.method === 'GET') response = Response.json({ items: [] });
    else if (url.pathname === '/data' && request.method === 'PUT') response = Response.json({ saved: true });
    else response = new Response('method not allowed', { status: 405 });
`

var brokenWorkers = []brokenServer{
	// The Worker adds the headers to every answer but lets OPTIONS reach
	// its routes, which refuse it.
	{name: "workers no preflight", stack: "cloudflare-workers", path: "/data",
		app: func(_ int, _ string, origins, _ []string) string {
			return fmt.Sprintf(`export default {
  async fetch(request, env, ctx) {
    const allowed = %s;
%s    response = new Response(response.body, response);
    const origin = request.headers.get('Origin');
    if (allowed.includes(origin)) {
      response.headers.set('Access-Control-Allow-Origin', origin);
      response.headers.set('Access-Control-Allow-Credentials', 'true');
    }
    return response;
  },
};
`, jsList(origins), workerRoutes)
		},
		worked:   []browsertest.Request{getReq("include")},
		problems: "preflight not handled,method not allowed,JSON content type"},
	// * with credentials: the Worker answers preflights, but a
	// credentialed request is refused.
	{name: "workers star with credentials", stack: "cloudflare-workers", path: "/data",
		app: func(_ int, _ string, _, _ []string) string {
			return `export default {
  async fetch(request, env, ctx) {
    const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, PUT', 'Access-Control-Allow-Headers': 'Content-Type' };
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
` + workerRoutes + `    response = new Response(response.body, response);
    for (const [k, v] of Object.entries(cors)) response.headers.set(k, v);
    return response;
  },
};
`
		},
		worked:   []browsertest.Request{getReq("omit")},
		problems: "wildcard with credentials,credentials not allowed"},
}
