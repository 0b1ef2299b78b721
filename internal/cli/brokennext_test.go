package cli

import (
	"fmt"
	"os"
	"testing"

	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/pastetest"
	"github.com/corskit/corskit/internal/servertest"
)

// The broken Next.js apps join the table of
// TestBrokenServersFromEvidenceToAWorkingApp. They run on the test
// process's one next dev, one case at a time (each writes the project's
// files), and only with CORSKIT_SLOW=1 or CORSKIT_BROKEN_ALL=1 or =rest (or a -run
// naming them): next dev's start and compiles cost tens of seconds.
func init() { brokenServers = append(brokenServers, nextBrokenServers...) }

// nextSlow reports whether the Next.js cases run in this go test.
func nextSlow() bool {
	return os.Getenv("CORSKIT_SLOW") == "1" || os.Getenv("CORSKIT_BROKEN_ALL") == "1"
}

// nextApp is a Next.js project as one text (pastetest.FileMark lines).
func nextApp(files map[string]string) string { return pastetest.JoinFiles(files) }

// nextRoute is a route handler answering GET and PUT, each with the
// headers cors(request) returns.
func nextRoute(cors string) string {
	return cors + `
export function GET(request: Request) {
  return Response.json({ items: [] }, { headers: cors(request) });
}

export function PUT(request: Request) {
  return Response.json({ saved: true }, { headers: cors(request) });
}
`
}

var nextBrokenServers = []brokenServer{
	// The route handler sends CORS headers on its answers and exports no
	// OPTIONS: Next.js answers the preflight itself, 204 with Allow and
	// without them (vercel/next.js issues 48770, 57999).
	{name: "nextjs route handler without OPTIONS", stack: "nextjs", path: "/r/data", detect: true,
		app: func(_ int, _ string, origins, _ []string) string {
			return nextApp(map[string]string{"app/r/data/route.ts": nextRoute(fmt.Sprintf(`const allowed = %s;

function cors(request: Request): Record<string, string> {
  const origin = request.headers.get('origin') || '';
  if (!allowed.includes(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
  };
}
`, jsList(origins)))})
		},
		worked:   []browsertest.Request{{URL: "/r/data", Method: "GET", Credentials: "include"}},
		problems: "nextjs-route-without-options"},
	// next.config.js headers() with * and credentials, as guides for
	// Vercel write it: Next.js's automatic OPTIONS carries them, and a
	// credentialed request refuses the *.
	{name: "nextjs next.config headers() * with credentials", stack: "nextjs", path: "/c/data", detect: true,
		app: func(_ int, _ string, _, _ []string) string {
			return nextApp(map[string]string{
				"next.config.js": `module.exports = {
  turbopack: { root: '/' },
  async headers() {
    return [
      {
        source: '/c/:path*',
        headers: [
          { key: 'Access-Control-Allow-Credentials', value: 'true' },
          { key: 'Access-Control-Allow-Origin', value: '*' },
          { key: 'Access-Control-Allow-Methods', value: 'GET,DELETE,PATCH,POST,PUT' },
          { key: 'Access-Control-Allow-Headers', value: 'Accept, Content-Length, Content-Type, Date, X-Requested-With' },
        ],
      },
    ];
  },
};
`,
				"app/c/data/route.ts": nextRoute("const cors = (_request: Request): Record<string, string> => ({});\n")})
		},
		worked: []browsertest.Request{{URL: "/c/data", Method: "GET", Credentials: "omit"}},
		// The headers hold Access-Control-Allow-Credentials: true; the *
		// is the one problem.
		problems: "nextjs-config-headers-static"},
}

// startNext serves the project src on the shared next dev (the case
// holds it: lockNext) and returns its base URL.
func startNext(t *testing.T, src string) string {
	t.Helper()
	n := servertest.SharedNextDev(t)
	n.Serve(t, pastetest.SplitFiles(src))
	return n.URL
}

// lockNext gives a Next.js case the shared next dev for its whole run.
func lockNext(t *testing.T) { servertest.SharedNextDev(t).Lock(t) }
