"""The page and the API a DevTools HAR of Firefox (or WebKit) is recorded
against (see README.md). Both listen on 127.0.0.1, ports from the kernel;
the first line printed is the page's URL. The page calls fetch() for each
case, then goes to /done, which makes Firefox's HAR automation write the
HAR of the page."""
import http.server, json, socketserver, sys, threading

class API(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, status, headers, body=b'{"ok": true}'):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def any(self):
        if self.command != "OPTIONS":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/star"):  # PHP's * only: 405 to OPTIONS
            self.send(405 if self.command == "OPTIONS" else 200, [("Access-Control-Allow-Origin", "*")])
        elif self.command == "OPTIONS":  # CORS after the routes
            self.send(204, [("Access-Control-Allow-Origin", self.headers["Origin"]), ("Access-Control-Allow-Credentials", "true"),
                            ("Access-Control-Allow-Methods", "GET, PUT"), ("Access-Control-Allow-Headers", "Content-Type"),
                            ("Access-Control-Max-Age", "600")], b"")
        else:
            self.send(200, [("Content-Type", "application/json")])
    do_GET = do_PUT = do_OPTIONS = do_POST = any

class Page(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == "/favicon.ico":
            self.send_response(404); self.end_headers(); return
        body = PAGE.encode() if self.path == "/" else b"<!doctype html><title>done</title>done"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

def serve(handler):
    s = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s.server_address[1]

api = serve(API)
closed = socketserver.TCPServer(("127.0.0.1", 0), API, bind_and_activate=False)  # never listens
PAGE = """<!doctype html><title>corskit HAR</title><script>
const api = 'http://127.0.0.1:%d';
const json = {'Content-Type': 'application/json'};
const cases = [
  [api + '/star', {credentials: 'include'}],
  [api + '/star', {}],
  [api + '/star', {method: 'PUT', headers: json, body: '{"n":1}', credentials: 'include'}],
  [api + '/after', {method: 'PUT', headers: json, body: '{"n":1}', credentials: 'include'}],
  [api + '/after', {method: 'PUT', headers: json, body: '{"n":2}', credentials: 'include'}],
  ['http://127.0.0.1:9/none', {}],
];
// Wait for the DevTools toolbox (opened by -devtools) to watch the page.
setTimeout(async () => {
  for (const [u, o] of cases) { try { await fetch(u, o); } catch (e) {} }
  setTimeout(() => { location.href = '/done'; }, 1500);
}, 10000);
</script>""" % api
page = serve(Page)
print("http://127.0.0.1:%d/" % page, flush=True)
sys.stdin.read()
