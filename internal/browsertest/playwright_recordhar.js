// Records HARs with Playwright's recordHar, as a Playwright user does:
// playwright-core launches the given Chromium once, then, for each job,
// opens a browser context that records a HAR and a page in it, runs each
// fetch expression in turn in the page, and closes the context, which
// writes the HAR. browsertest's RecordPlaywrightHAR starts it with one
// JSON argument, {"modules": node_modules holding playwright-core,
// "chromium": the browser's path, "timeout": milliseconds}, and sends it
// jobs, one JSON object a line on standard input:
//   {"id": n, "page": the page's URL, "fetches": JavaScript expressions,
//    each a promise of the page's view of one fetch(), "har": the HAR's path}
// Each answer is one line on standard output: {"id": n, "results": [...]}
// or {"id": n, "error": "..."}. When standard input ends (the test process
// exited), it closes the browser and exits.
'use strict';
const path = require('path');
const readline = require('readline');

const spec = JSON.parse(process.argv[2]);
const { chromium } = require(path.join(spec.modules, 'playwright-core'));
const launched = chromium.launch({
  executablePath: spec.chromium,
  timeout: spec.timeout,
  // Nothing but loopback: no name resolves but loopback's.
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
});

async function record(job) {
  const browser = await launched;
  const ctx = await browser.newContext({ recordHar: { path: job.har } });
  try {
    ctx.setDefaultTimeout(spec.timeout);
    const page = await ctx.newPage();
    await page.goto(job.page);
    const out = [];
    for (const f of job.fetches) {
      out.push(await page.evaluate(f));
    }
    return out;
  } finally {
    await ctx.close();
  }
}

const answer = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let job;
  try {
    job = JSON.parse(line);
  } catch (e) {
    return;
  }
  record(job).then(
    (results) => answer({ id: job.id, results }),
    (e) => answer({ id: job.id, error: String((e && e.stack) || e) }));
});
lines.on('close', async () => {
  try {
    await (await launched).close();
  } finally {
    process.exit(0);
  }
});
