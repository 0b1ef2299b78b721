import http.server, threading, sys, json
done = threading.Event()
PAGE_PORT, API_PORT = int(sys.argv[1]), int(sys.argv[2])
API = "http://127.0.0.1:%d" % API_PORT
START = b"""<!doctype html><title>start</title><script>setTimeout(()=>{location.href='/page'}, 6000)</script>"""
PAGE = ("""<!doctype html><title>page</title><script>
const api = '%s';
Promise.allSettled([
 fetch(api + '/star', {credentials: 'include'}),
 fetch(api + '/star', {method: 'PUT', credentials: 'include', headers: {'Content-Type': 'application/json'}, body: '{"n":1}'}),
 fetch(api + '/after', {credentials: 'include'}),
 fetch(api + '/after', {method: 'PUT', credentials: 'include', headers: {'Content-Type': 'application/json'}, body: '{"n":1}'}),
]).then(() => fetch('/done'));
</script><img src="/hold">""" % API).encode()
class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/hold':
            done.wait(30)
            self.send_response(200); self.send_header('Content-Type','image/gif'); self.end_headers()
            self.wfile.write(b'GIF89a\x01\x00\x01\x00\x00\x00\x00;'); return
        if self.path == '/done':
            done.set(); self.send_response(204); self.end_headers(); return
        body = START if self.path == '/' else PAGE
        self.send_response(200); self.send_header('Content-Type','text/html'); self.end_headers(); self.wfile.write(body)
class Api(http.server.BaseHTTPRequestHandler):
    def _h(self, code, hdrs, body=b''):
        self.send_response(code)
        for k,v in hdrs: self.send_header(k,v)
        self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_OPTIONS(self):
        o = self.headers.get('Origin','')
        if self.path == '/star':   # * only, OPTIONS not handled: 405
            self._h(405, [('Access-Control-Allow-Origin','*')], b'method not allowed')
        else:  # CORS code answers preflights (runs after the routes)
            self._h(204, [('Access-Control-Allow-Origin',o),('Access-Control-Allow-Credentials','true'),('Access-Control-Allow-Methods','GET,PUT'),('Access-Control-Allow-Headers','content-type'),('Vary','Origin')])
    def do_GET(self):
        if self.path == '/star': self._h(200, [('Access-Control-Allow-Origin','*'),('Content-Type','application/json')], b'{"ok":1}')
        else: self._h(200, [('Content-Type','application/json')], b'{"route":1}')
    def do_PUT(self):
        n = int(self.headers.get('Content-Length','0')); self.rfile.read(n)
        self.do_GET()
    def log_message(self, *a): sys.stderr.write("%s %s\n" % (self.command, self.path))
class T(http.server.ThreadingHTTPServer): daemon_threads = True
threading.Thread(target=T(('127.0.0.1', API_PORT), Api).serve_forever, daemon=True).start()
T(('127.0.0.1', PAGE_PORT), Page).serve_forever()
