/**
 * Throughput in Chromium: ours (IndexedDB store on, and off) against the
 * browser's native EventSource, on the same 100-byte-event stream from the
 * benchmark server. Then the cost at a fixed rate: the same clients fed
 * 10,000 events/s for 3 s, measured as the renderer's main-thread busy time
 * (Chrome DevTools Protocol `Performance.getMetrics`: TaskDuration) over the
 * last 2 s, once start-up is over. Each
 * run is a fresh browser context; prints JSON lines.
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
  const path = q.get('paced') ? '/paced?rate=' + q.get('paced') + '&n=' + N : '/small';
  // Started by the runner (window.go), so that its first measurement comes before the stream.
  window.go = () => {
  const started = performance.now();
  let n = 0;
  window.count = () => n;
  const es = mode === 'native' ? new EventSource(path)
    : new ResilientEventSource(path, mode === 'ours-idb' ? { storageKey: 'bench-' + Math.random() } : { store: false });
  es.addEventListener('message', (e) => {
    n++;
    // The same check for both: the right id, and data of the right size.
    if (e.lastEventId !== String(n) || e.data.length < 80) { window.result = { error: 'event ' + n + ' wrong' }; es.close(); return; }
    if (n === N) { window.result = { ms: performance.now() - started }; es.close(); }
  });
  };
</script>`;

/** The paced phase: events per second, and how many. */
const pacedRate = 10_000;
const pacedEvents = 30_000;

const modes = [
  'native EventSource',
  'resilient-eventsource (IndexedDB store)',
  'resilient-eventsource (store: false)',
] as const;
const param = {
  'native EventSource': 'native',
  'resilient-eventsource (IndexedDB store)': 'ours-idb',
  'resilient-eventsource (store: false)': 'ours-none',
};

const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
/** Runs one client in a fresh context; with `paced`, also reports the main thread's busy time. */
async function run(mode: (typeof modes)[number], n: number, paced?: number) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.route(`${base}/bench.html*`, (route) => route.fulfill({ contentType: 'text/html', body: page }));
  await tab.route(`${base}/dist/umd.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: bundle }));
  await tab.goto(`${base}/bench.html?n=${n}&mode=${param[mode]}${paced ? `&paced=${paced}` : ''}`);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN) * 1000;
  };
  let before = await busy();
  await tab.evaluate(() => (window as unknown as { go: () => void }).go());
  if (paced) {
    // The steady state only: from the first second's last event on, so that
    // start-up (opening IndexedDB, reading the cursor) is not counted as a
    // cost per event.
    await tab.waitForFunction((first) => (window as unknown as { count: () => number }).count() >= first, paced, {
      timeout: 60_000,
      polling: 10,
    });
    before = await busy();
  }
  await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, {
    timeout: 120_000,
    polling: 100,
  });
  const busyMs = (await busy()) - before;
  const result = await tab.evaluate(() => (window as unknown as { result: { ms?: number; error?: string } }).result);
  await context.close();
  return paced
    ? { phase: 'paced', mode, events: n - paced, rate: paced, busyMs, ...result }
    : { phase: 'throughput', mode, events: n, ...result };
}

try {
  for (let rep = 0; rep < reps; rep++) {
    for (const mode of modes) process.stdout.write(`${JSON.stringify(await run(mode, events))}\n`);
    for (const mode of modes) process.stdout.write(`${JSON.stringify(await run(mode, pacedEvents, pacedRate))}\n`);
  }
} finally {
  await browser.close();
}
