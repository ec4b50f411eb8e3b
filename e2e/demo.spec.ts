/**
 * The demo page, driven as a person would: every fault button in turn, then a
 * reload. The resilient panel must keep exactly-once delivery throughout; the
 * native panel shows what EventSource does instead. A screenshot is saved to
 * test-results/demo.png for a person to look at.
 */
import { type Page, test as base } from '@playwright/test';
import type { SseServer } from '../server/sse-server.js';
import { startDemo } from '../demo/server.js';
import { expect } from './fixtures.js';

const test = base.extend<{ demo: SseServer }>({
  demo: async ({}, use) => {
    const server = await startDemo({ port: 0, interval: 150 });
    await use(server);
    await server.close();
  },
});

interface PanelState {
  counts: Record<'received' | 'duplicates' | 'gaps' | 'reconnects' | 'suppressed', number>;
  ids: string[];
  readyState: number;
}
type DemoState = { native: PanelState; resilient: PanelState };

const state = (page: Page) =>
  page.evaluate(() => {
    const d = (window as unknown as { demo: Record<string, any> }).demo;
    const panel = (k: 'native' | 'resilient') => ({ counts: { ...d[k].counts }, ids: [...d[k].ids], readyState: d['sources'][k].readyState });
    return { native: panel('native'), resilient: panel('resilient') } as DemoState;
  });

/** Waits until the resilient panel has shown `more` new events and is open. */
async function resilientMovesOn(page: Page, more = 3, timeout = 15_000) {
  const before = (await state(page)).resilient.counts.received;
  await expect.poll(async () => {
    const s = (await state(page)).resilient;
    return s.counts.received >= before + more && s.readyState === 1;
  }, { timeout }).toBe(true);
}

/** Waits until the native panel is open and has shown `more` new events. */
async function nativeMovesOn(page: Page, more = 2) {
  const before = (await state(page)).native.counts.received;
  await expect.poll(async () => {
    const s = (await state(page)).native;
    return s.counts.received >= before + more && s.readyState === 1;
  }, { timeout: 15_000 }).toBe(true);
}

const click = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).click();

function expectExactlyOnce(ids: string[]) {
  const numbers = ids.map(Number);
  expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => (numbers[0] ?? 0) + i));
}

test('every fault button: the resilient panel stays exactly-once, the native one visibly does not', async ({ page, demo }) => {
  test.setTimeout(90_000);
  await page.goto(`${demo.url}/`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('resilient-eventsource');
  await expect.poll(async () => (await state(page)).native.counts.received).toBeGreaterThan(2);
  await resilientMovesOn(page);

  await click(page, 'Drop all connections');
  await resilientMovesOn(page);
  await click(page, 'Drop mid-event');
  await resilientMovesOn(page);

  // The replay goes to open streams: wait for the native panel to be back
  // from its own reconnect (it waits the server's retry: 1000) first.
  await nativeMovesOn(page);
  await click(page, 'Replay old events');
  await expect.poll(async () => (await state(page)).native.counts.duplicates).toBeGreaterThanOrEqual(5);
  await expect.poll(async () => (await state(page)).resilient.counts.suppressed).toBeGreaterThanOrEqual(5);

  await click(page, 'Go silent');
  await resilientMovesOn(page);
  await expect(page.locator('#resilient .timeline')).toContainText('dropped: heartbeat-timeout');

  await click(page, '503 + Retry-After');
  await resilientMovesOn(page);
  // Retry-After: 2 is a floor, lengthened by up to half by the jitter.
  await expect(page.locator('#resilient .timeline')).toContainText(/reconnect in 2\d\d\d ms/);
  await expect.poll(async () => (await state(page)).native.readyState).toBe(2);
  await expect(page.locator('#native .state')).toHaveText('CLOSED');

  await click(page, 'Reset');
  await expect.poll(async () => (await state(page)).native.readyState).toBe(1);

  await click(page, '401 until a new token');
  await resilientMovesOn(page);
  await expect(page.locator('#resilient .timeline')).toContainText('dropped: http-status 401');
  await expect(page.locator('#resilient .timeline')).toContainText('retry at once');
  await expect.poll(async () => (await state(page)).native.readyState).toBe(2);

  await click(page, 'Reset');
  await click(page, 'Stop with 204');
  await expect.poll(async () => (await state(page)).resilient.readyState).toBe(2);
  await expect(page.locator('#resilient .timeline')).toContainText('closed: http-status 204');
  await click(page, 'Reset');
  await resilientMovesOn(page);

  await click(page, 'Restart the server');
  await resilientMovesOn(page, 3, 20_000);

  // Caught up with the server, with nothing lost or repeated.
  const published = Number(demo.events.at(-1)?.id);
  await expect.poll(async () => Number((await state(page)).resilient.ids.at(-1))).toBeGreaterThanOrEqual(published);
  const final = await state(page);
  expect(final.resilient.counts.duplicates).toBe(0);
  expect(final.resilient.counts.gaps).toBe(0);
  expectExactlyOnce(final.resilient.ids);
  expect(final.resilient.counts.reconnects).toBeGreaterThanOrEqual(8);
  expect(final.native.counts.duplicates).toBeGreaterThanOrEqual(5);
  await expect(page.locator('#resilient [data-count="duplicates"]')).toHaveText('0');
  await expect(page.locator('#resilient [data-count="gaps"]')).toHaveText('0');
  await page.screenshot({ path: 'test-results/demo.png', fullPage: true });

  // Reload: the resilient panel resumes right after the cursor it saved,
  // which is at least as far as the test saw before reloading.
  const lastSeen = Number(final.resilient.ids.at(-1));
  await page.reload();
  const start = page.locator('#resilient .start');
  await expect(start).toContainText('Resumed right after id');
  const cursor = Number(/after id (\d+)/.exec((await start.textContent()) ?? '')?.[1]);
  expect(cursor).toBeGreaterThanOrEqual(lastSeen);
  await expect.poll(async () => (await state(page)).resilient.ids.length).toBeGreaterThan(3);
  const after = await state(page);
  expect(Number(after.resilient.ids[0])).toBe(cursor + 1);
  expectExactlyOnce(after.resilient.ids);
  await expect(page.locator('#native .start')).toContainText('whatever was live');
});

test('the page works on a narrow screen', async ({ page, demo }) => {
  await page.setViewportSize({ width: 380, height: 800 });
  await page.goto(`${demo.url}/`);
  await expect.poll(async () => (await state(page)).resilient.counts.received).toBeGreaterThan(2);
  const [native, resilient] = await Promise.all([page.locator('#native').boundingBox(), page.locator('#resilient').boundingBox()]);
  // Stacked, and nothing wider than the screen.
  expect(resilient!.y).toBeGreaterThan(native!.y + native!.height - 1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(380);
  await page.screenshot({ path: 'test-results/demo-narrow.png', fullPage: true });
});

test('the tabs switch: with sharing on, two tabs cost the server one resilient connection', async ({ page, context, demo }) => {
  const byClient = async () => ((await (await fetch(`${demo.url}/control/state`, { method: 'POST' })).json()) as { byClient: Record<string, number> }).byClient;
  await page.goto(`${demo.url}/`);
  await page.getByLabel('Share one connection across tabs').check();
  await expect(page.locator('#resilient [data-field="role"]')).toHaveText('leader');
  const second = await context.newPage();
  await second.goto(`${demo.url}/`);
  await expect(second.getByLabel('Share one connection across tabs')).toBeChecked();
  await expect(second.locator('#resilient [data-field="role"]')).toHaveText('follower');
  await expect.poll(async () => (await state(second)).resilient.counts.received).toBeGreaterThan(3);
  await expect.poll(byClient).toEqual({ resilient: 1, native: 2 });
  await expect(second.locator('#connections-resilient')).toHaveText('1');
  await second.screenshot({ path: 'test-results/demo-tabs.png', fullPage: true });
  // Close the leading tab: the other takes over the one connection.
  await page.close();
  await expect(second.locator('#resilient [data-field="role"]')).toHaveText('leader');
  await expect.poll(byClient).toEqual({ resilient: 1, native: 1 });
  const before = (await state(second)).resilient.counts.received;
  await expect.poll(async () => (await state(second)).resilient.counts.received).toBeGreaterThan(before + 2);
  const after = await state(second);
  expect(after.resilient.counts.duplicates).toBe(0);
  expect(after.resilient.counts.gaps).toBe(0);
});
