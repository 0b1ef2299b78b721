// Records a HAR with Playwright's recordHar (playwright-core, the system's
// Chromium): a page on one loopback port fetches an API on another.
// API: /star answers Access-Control-Allow-Origin: * to everything (OPTIONS
// included, methods GET POST PUT DELETE, header Content-Type); /none sends
// no CORS header.
const http = require('http');
const { chromium } = require('playwright-core');
const out = process.argv[2];
const page = http.createServer((req, res) => { res.setHeader('Content-Type', 'text/html'); res.end('<!doctype html><title>p</title>'); });
const api = http.createServer((req, res) => {
  if (req.url.startsWith('/star')) {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.statusCode = 204; return res.end();
    }
  }
  res.setHeader('Content-Type', 'application/json');
  res.end('{"ok":true}');
});
(async () => {
  await new Promise((r) => page.listen(0, '127.0.0.1', r));
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  const P = `http://127.0.0.1:${page.address().port}`, A = `http://127.0.0.1:${api.address().port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const ctx = await browser.newContext({ recordHar: { path: out } });
  const p = await ctx.newPage();
  await p.goto(P + '/');
  await p.evaluate(async (A) => {
    const go = (u, init) => fetch(u, init).then((r) => r.status, (e) => String(e));
    await go(A + '/star/data', { credentials: 'include' });
    await go(A + '/star/data', { method: 'PUT', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{"n":1}' });
    await go(A + '/none/data');
    await go(A + '/star/data', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"n":1}' });
  }, A);
  await ctx.close(); await browser.close(); page.close(); api.close();
})();
