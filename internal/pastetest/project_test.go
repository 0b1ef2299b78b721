package pastetest

import (
	"strings"
	"testing"

	"github.com/corskit/corskit/gen"
)

// TestNextProxyPaste: the Next.js piece goes to proxy.ts, and the
// Access-Control-* headers set elsewhere go, with a headers() rule left
// empty (which Next.js refuses); other headers and files stay.
func TestNextProxyPaste(t *testing.T) {
	app := JoinFiles(map[string]string{
		"next.config.js": `module.exports = {
  async headers() {
    return [
      {
        source: '/c/:path*',
        headers: [
          { key: 'Access-Control-Allow-Origin', value: '*' },
          { key: 'Access-Control-Allow-Credentials', value: 'true' },
        ],
      },
      { source: '/(.*)', headers: [{ key: 'X-Frame-Options', value: 'DENY' }] },
    ];
  },
};
`,
		"app/r/route.ts": "const h = (o: string) => ({\n  'Access-Control-Allow-Origin': o,\n  'X-Kept': '1',\n});\nexport function GET() { const r = Response.json({}); r.headers.set('Access-Control-Allow-Credentials', 'true'); return r; }\n",
	})
	out, err := Apply(app, []gen.Part{{Where: "proxy.ts at the project root, beside app/", Text: "export function proxy() {}\n"}})
	if err != nil {
		t.Fatal(err)
	}
	files := SplitFiles(out)
	if files["proxy.ts"] != "export function proxy() {}\n" {
		t.Errorf("proxy.ts: %q", files["proxy.ts"])
	}
	for name, text := range files {
		if name != "proxy.ts" && strings.Contains(text, "Access-Control-") {
			t.Errorf("%s keeps an Access-Control-* header:\n%s", name, text)
		}
	}
	if c := files["next.config.js"]; strings.Contains(c, "/c/:path*") || !strings.Contains(c, "X-Frame-Options") {
		t.Errorf("next.config.js: the emptied rule must go, the other stay:\n%s", c)
	}
	if r := files["app/r/route.ts"]; !strings.Contains(r, "'X-Kept': '1'") || !strings.Contains(r, "export function GET()") {
		t.Errorf("the route lost more than its CORS headers:\n%s", r)
	}
	withProxy := JoinFiles(map[string]string{"proxy.ts": "export function proxy() {}\n"})
	if _, err := Apply(withProxy, []gen.Part{{Where: "proxy.ts at the project root", Text: "x"}}); err == nil {
		t.Error("an app with its own proxy.ts was pasted over")
	}
}
