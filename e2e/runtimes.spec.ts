/** The package where pages and workers load it: a plain <script>, a strict CSP, an ES module, a worker. */
import { expect, idCount, pageLog, range, test } from './fixtures.js';

test('a plain <script> page gets window.ResilientEventSource', async ({ page, server }) => {
  server.publishMany(3);
  await page.goto(`${server.url}/pages/umd.html?store=memory`);
  await expect.poll(() => idCount(page)).toBe(3);
  expect(
    await page.evaluate(() => typeof (window as unknown as { ResilientEventSource: unknown }).ResilientEventSource),
  ).toBe('function');
  expect(await page.evaluate(() => (window as unknown as { es: EventSource }).es instanceof EventTarget)).toBe(true);
});

test('the UMD bundle works under a strict Content-Security-Policy (no eval, no inline script)', async ({
  page,
  server,
}) => {
  server.publishMany(3);
  // Chromium logs the socket the test destroys (ERR_INCOMPLETE_CHUNKED_ENCODING);
  // only policy messages matter here.
  const cspMessages: string[] = [];
  // Firefox requests /favicon.ico by itself, not the page: under
  // `default-src 'none'` that is an img-src report about the browser's own
  // request, whatever the bundle does. It is left out, and only it.
  const browserOwn = (text: string) => text.includes(`${server.url}/favicon.ico`);
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to|Trusted Type/i.test(m.text()) && !browserOwn(m.text()))
      cspMessages.push(m.text());
  });
  await page.goto(`${server.url}/pages/csp.html`);
  await expect.poll(() => idCount(page)).toBe(3);
  server.faults.dropAll();
  server.publishMany(2);
  await expect.poll(() => idCount(page)).toBe(5);
  expect((await pageLog(page)).ids).toEqual(range(1, 5));
  const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
  expect(violations.filter((v) => v !== `img-src: ${server.url}/favicon.ico`)).toEqual([]);
  expect(cspMessages).toEqual([]);
});

test('the ES module build, imported as it is (no import map)', async ({ page, server }) => {
  server.publishMany(2);
  await page.goto(`${server.url}/pages/esm.html?store=memory`);
  await expect.poll(() => idCount(page)).toBe(2);
  server.faults.dropAll();
  server.publishMany(2);
  await expect.poll(() => idCount(page)).toBe(4);
  expect((await pageLog(page)).ids).toEqual(range(1, 4));
});

test('a dedicated worker: no window or document, IndexedDB persistence across a reload', async ({ page, server }) => {
  type WorkerLog = { ids: string[]; errors: string[]; opens: number; ready: Record<string, boolean> | null };
  const log = () => page.evaluate(() => (window as unknown as { log: WorkerLog }).log);
  server.publishMany(5);
  await page.goto(`${server.url}/pages/worker.html`);
  await expect.poll(async () => (await log()).ids.length).toBe(5);
  expect((await log()).ready).toEqual({ type: 'ready', hasWindow: false, hasDocument: false, hasIndexedDB: true });
  server.faults.dropAll();
  server.publishMany(5);
  await expect.poll(async () => (await log()).ids.length).toBe(10);
  expect((await log()).ids).toEqual(range(1, 10));
  // The worker's cursor is in IndexedDB: once it has landed, a reload asks
  // for what is new. (A worker gets no pagehide, so it writes each change as
  // soon as the previous write is done; see README, "In the browser".)
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise<string | undefined>((resolve) => {
            const open = indexedDB.open('resilient-eventsource');
            open.onsuccess = () => {
              const get = open.result.transaction('cursors').objectStore('cursors').get('worker-stream');
              get.onsuccess = () => {
                resolve((get.result as { lastEventId?: string } | undefined)?.lastEventId);
                open.result.close();
              };
            };
          }),
      ),
    )
    .toBe('10');
  await page.reload();
  server.publishMany(2);
  await expect.poll(async () => (await log()).ids.length).toBe(2);
  expect((await log()).ids).toEqual(['11', '12']);
  expect(server.requests.at(-1)?.lastEventId).toBe('10');
});
