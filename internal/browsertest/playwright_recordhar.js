// Records a HAR with Playwright's recordHar, as a Playwright user does:
// playwright-core drives the given Chromium, opens the page, runs each
// fetch expression in turn in the page, and closes the context, which
// writes the HAR. browsertest.RecordPlaywrightHAR runs it with one JSON
// argument on standard input:
//   {"modules": node_modules holding playwright-core,
//    "chromium": the browser's path, "page": the page's URL,
//    "fetches": JavaScript expressions, each a promise of the page's view
//    of one fetch(), "har": the HAR's path, "timeout": milliseconds}
// and reads the outcomes, one JSON array, from standard output.
'use strict';
const path = require('path');

async function main(spec) {
  const { chromium } = require(path.join(spec.modules, 'playwright-core'));
  const browser = await chromium.launch({
    executablePath: spec.chromium,
    timeout: spec.timeout,
    // Nothing but loopback: no name resolves but loopback's.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
  });
  try {
    const ctx = await browser.newContext({ recordHar: { path: spec.har } });
    ctx.setDefaultTimeout(spec.timeout);
    const page = await ctx.newPage();
    await page.goto(spec.page);
    const out = [];
    for (const f of spec.fetches) {
      out.push(await page.evaluate(f));
    }
    await ctx.close();
    return out;
  } finally {
    await browser.close();
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  main(JSON.parse(input)).then(
    (out) => { process.stdout.write(JSON.stringify(out)); },
    (e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
});
