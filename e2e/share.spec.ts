/**
 * share: true — several pages of one origin, one connection. The server
 * counts connections; every page must show every event once, in order,
 * through leader closes, vanishings and (Chromium) crashes.
 */
import type { Page } from '@playwright/test';
import { expect, idCount, pageLog, test } from './fixtures.js';

const role = (page: Page) =>
  page.evaluate(() => (window as unknown as { es: { stats: { role: string } } }).es.stats.role);
const ids = async (page: Page) => (await pageLog(page)).ids.map(Number);
/** Contiguous and increasing: nothing skipped, nothing repeated. */
function expectExactlyOnce(list: number[]) {
  expect(list).toEqual(Array.from({ length: list.length }, (_, i) => (list[0] ?? 0) + i));
}

/**
 * How a leading page ends. `close`: a normal close (pagehide runs, the leader
 * steps down). `vanish`: the page closes without any of its pagehide
 * listeners running, which is what a crash looks like to the library (no code
 * of it runs, the browser releases its lock and channel); every engine can do
 * it. `crash`: a real renderer crash through CDP, which only Chromium has
 * (`newCDPSession` does not exist in Firefox), so it is an extra kind there.
 */
type Kill = 'close' | 'vanish' | 'crash';
const killsFor = (browserName: string): Kill[] =>
  browserName === 'chromium' ? ['close', 'vanish', 'crash'] : ['close', 'vanish'];

/**
 * Pages of this context can vanish: a capture listener registered before any
 * page script swallows pagehide once `__vanish` is set.
 */
async function allowVanish(context: import('@playwright/test').BrowserContext) {
  await context.addInitScript(() => {
    window.addEventListener(
      'pagehide',
      (event) => {
        if ((window as unknown as { __vanish?: boolean }).__vanish) event.stopImmediatePropagation();
      },
      { capture: true },
    );
  });
}

/** Ends a leading page (see {@link Kill}). */
async function kill(context: import('@playwright/test').BrowserContext, page: Page, how: Kill) {
  if (how === 'close') {
    await page.close({ runBeforeUnload: false });
    return;
  }
  if (how === 'vanish') {
    await page.evaluate(() => {
      (window as unknown as { __vanish?: boolean }).__vanish = true;
    });
    await page.close({ runBeforeUnload: false });
    return;
  }
  const cdp = await context.newCDPSession(page);
  // Not awaited: a crashed page never answers.
  void cdp.send('Page.crash').catch(() => {});
}

async function openPages(context: import('@playwright/test').BrowserContext, url: string, n: number) {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    await page.goto(url);
    pages.push(page);
  }
  return pages;
}

test('three pages share one connection; every page shows every event once, in order', async ({ context, server }) => {
  const url = `${server.url}/pages/umd.html?share=1&key=shared-a&store=memory`;
  server.publishMany(3);
  const pages = await openPages(context, url, 3);
  await expect
    .poll(async () => (await Promise.all(pages.map(role))).sort())
    .toEqual(['follower', 'follower', 'leader']);
  server.publishMany(20);
  for (const page of pages) await expect.poll(() => page.evaluate(() => (window as any).log.ids.at(-1))).toBe('23');
  expect(server.requests).toHaveLength(1);
  expect(server.openStreams).toBe(1);
  for (const page of pages) {
    const list = await ids(page);
    expectExactlyOnce(list);
    expect((await pageLog(page)).opens).toBe(1);
  }
  // The leader saw the backlog; the followers joined at the live cursor.
  const leader = pages[(await Promise.all(pages.map(role))).indexOf('leader')] as Page;
  expect((await ids(leader))[0]).toBe(1);
});

test('the leader closes, then the next leader vanishes (and, in Chromium, the next crashes): takeovers without gaps or repeats', async ({
  context,
  server,
  browserName,
}) => {
  const kills = killsFor(browserName);
  await allowVanish(context);
  const url = `${server.url}/pages/umd.html?share=1&key=shared-b&store=memory`;
  const pages = await openPages(context, url, kills.length + 1);
  await expect.poll(async () => (await Promise.all(pages.map(role))).filter((r) => r === 'leader').length).toBe(1);
  server.publishMany(5);
  for (const page of pages) await expect.poll(() => idCount(page)).toBe(5);

  const takeovers: number[] = [];
  for (const how of kills) {
    const roles = await Promise.all(pages.map(role));
    const leader = pages.splice(roles.indexOf('leader'), 1)[0] as Page;
    const before = server.requests.length;
    const killed = Date.now();
    await kill(context, leader, how);
    await expect.poll(() => server.requests.length, { timeout: 5000 }).toBe(before + 1);
    takeovers.push(Date.now() - killed);
    server.publishMany(5);
    for (const page of pages) await expect.poll(() => idCount(page)).toBe(5 + 5 * takeovers.length);
  }
  for (const page of pages) expectExactlyOnce(await ids(page));
  expect(takeovers.every((ms) => ms < 1000)).toBe(true);
  // Each new leader resumed from the last event it had shown.
  expect(server.requests.slice(1).map((r) => r.lastEventId)).toEqual(kills.map((_, i) => String(5 * (i + 1))));
  console.info(`share (${browserName}): takeover ${kills.map((k, i) => `after ${k} ${takeovers[i]} ms`).join(', ')}`);
});

test('every page reflects the shared stream: error and reconnecting on a drop, CLOSED on 204', async ({
  context,
  server,
}) => {
  const url = `${server.url}/pages/umd.html?share=1&key=shared-e&store=memory`;
  const pages = await openPages(context, url, 3);
  server.publishMany(2);
  for (const page of pages) await expect.poll(() => idCount(page)).toBe(2);
  server.faults.dropAll();
  for (const page of pages) {
    await expect.poll(async () => (await pageLog(page)).reconnects.length).toBe(1);
    expect((await pageLog(page)).errors).toEqual(['network']);
  }
  for (const page of pages) await expect.poll(async () => (await pageLog(page)).opens).toBe(2);
  server.faults.stop();
  server.faults.dropAll();
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => (window as any).es.readyState)).toBe(2);
    expect((await pageLog(page)).errors).toEqual(['network', 'network', 'http-status']);
  }
  // The stream is over for every tab. Once all are CLOSED nothing can ask
  // again; at most one extra 204 is possible, from a tab whose lock was
  // granted before the leader's news reached it (locks and channel are not
  // ordered with each other).
  expect(server.requests.filter((r) => r.status === 204).length).toBeLessThanOrEqual(2);
});

test('a page that joins late starts from the live cursor, on the same connection', async ({ context, server }) => {
  const url = `${server.url}/pages/umd.html?share=1&key=shared-c&store=memory`;
  const [first] = await openPages(context, url, 1);
  server.publishMany(10);
  await expect.poll(() => idCount(first as Page)).toBe(10);
  const [late] = await openPages(context, url, 1);
  await expect.poll(() => role(late as Page)).toBe('follower');
  await expect.poll(async () => (await pageLog(late as Page)).opens).toBe(1);
  server.publishMany(3);
  await expect.poll(() => idCount(late as Page)).toBe(3);
  expect(await ids(late as Page)).toEqual([11, 12, 13]);
  expect(server.requests).toHaveLength(1);
});

test('without share, each page has its own connection', async ({ context, server }) => {
  const pages = await openPages(context, `${server.url}/pages/umd.html?key=private&store=memory`, 3);
  server.publishMany(2);
  for (const page of pages) await expect.poll(() => idCount(page)).toBe(2);
  expect(server.requests).toHaveLength(3);
  expect(await Promise.all(pages.map(role))).toEqual(['private', 'private', 'private']);
});

test('20 leader kills (each kind in turn): every takeover under a second, no page skips or repeats', async ({
  context,
  server,
  browserName,
}) => {
  test.setTimeout(120_000);
  const kills = killsFor(browserName);
  await allowVanish(context);
  const url = `${server.url}/pages/umd.html?share=1&key=shared-d&store=memory`;
  const pages = await openPages(context, url, 3);
  await expect.poll(async () => (await Promise.all(pages.map(role))).filter((r) => r === 'leader').length).toBe(1);
  const takeovers: number[] = [];
  for (let round = 0; round < 20; round++) {
    server.publishMany(3);
    const last = server.events.at(-1)?.id;
    for (const page of pages) await expect.poll(() => page.evaluate(() => (window as any).log.ids.at(-1))).toBe(last);
    const leader = pages.splice((await Promise.all(pages.map(role))).indexOf('leader'), 1)[0] as Page;
    const before = server.requests.length;
    const killed = Date.now();
    await kill(context, leader, kills[round % kills.length] as Kill);
    await expect.poll(() => server.requests.length, { timeout: 5000 }).toBe(before + 1);
    takeovers.push(Date.now() - killed);
    const fresh = await context.newPage();
    await fresh.goto(url);
    pages.push(fresh);
  }
  server.publishMany(3);
  const last = server.events.at(-1)?.id;
  for (const page of pages) await expect.poll(() => page.evaluate(() => (window as any).log.ids.at(-1))).toBe(last);
  let repeats = 0;
  for (const page of pages) {
    const list = await ids(page);
    repeats += list.length - new Set(list).size;
    expectExactlyOnce(list);
  }
  expect(Math.max(...takeovers)).toBeLessThan(1000);
  expect(server.openStreams).toBe(1);
  const sorted = [...takeovers].sort((a, b) => a - b);
  console.info(
    `share (${browserName}): 20 leader kills, takeover median ${sorted[10]} ms, max ${sorted.at(-1)} ms, repeats ${repeats}`,
  );
});
