/**
 * Throughput in Chromium: ours (IndexedDB store on, and off) against the
 * browser's native EventSource, on the same 100-byte-event stream from the
 * benchmark server. Each run is a fresh browser context; prints JSON lines.
 * Usage: node --import tsx bench/browser.ts <base-url> <events> <reps>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright';

const [base = '', eventsArg = '200000', repsArg = '3'] = process.argv.slice(2);
const events = Number(eventsArg);
const reps = Number(repsArg);
const bundle = readFileSync(join(import.meta.dirname, '..', 'dist', 'resilient-eventsource.umd.min.js'), 'utf8');

const page = `<!doctype html><meta charset="utf-8"><script src="/dist/umd.js"></script><script>
  const q = new URLSearchParams(location.search);
  const N = Number(q.get('n'));
  const mode = q.get('mode');
  const started = performance.now();
  let n = 0;
  const es = mode === 'native' ? new EventSource('/small')
    : new ResilientEventSource('/small', mode === 'ours-idb' ? { storageKey: 'bench-' + Math.random() } : { store: false });
  es.addEventListener('message', (e) => {
    n++;
    // The same check for both: the right id, and data of the right size.
    if (e.lastEventId !== String(n) || e.data.length < 80) { window.result = { error: 'event ' + n + ' wrong' }; es.close(); return; }
    if (n === N) { window.result = { ms: performance.now() - started }; es.close(); }
  });
</script>`;

const modes = ['native EventSource', 'resilient-eventsource (IndexedDB store)', 'resilient-eventsource (store: false)'] as const;
const param = { 'native EventSource': 'native', 'resilient-eventsource (IndexedDB store)': 'ours-idb', 'resilient-eventsource (store: false)': 'ours-none' };

const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const mode of modes) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.route(`${base}/bench.html*`, (route) => route.fulfill({ contentType: 'text/html', body: page }));
      await tab.route(`${base}/dist/umd.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: bundle }));
      await tab.goto(`${base}/bench.html?n=${events}&mode=${param[mode]}`);
      await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 120_000, polling: 100 });
      const result = await tab.evaluate(() => (window as unknown as { result: { ms?: number; error?: string } }).result);
      process.stdout.write(`${JSON.stringify({ mode, events, ...result })}\n`);
      await context.close();
    }
  }
} finally {
  await browser.close();
}
