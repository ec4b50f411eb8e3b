/**
 * The demo page, driven as a person would: every button in turn, then a
 * reload, and another order (a fatal fault first). The resilient panel must
 * keep exactly-once delivery throughout; the native panel shows what
 * EventSource does instead, and comes back after a fatal fault. Screenshots at
 * 1280 and 390 px after each button go to test-results/demo/ for a person to
 * look at.
 */
import { type Page, test as base } from '@playwright/test';
import type { SseServer } from '../server/sse-server.js';
import { startDemo } from '../demo/server.js';
import { expect } from './fixtures.js';

const test = base.extend<{ demo: SseServer }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from its first parameter's pattern
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
    const panel = (k: 'native' | 'resilient') => ({
      counts: { ...d[k].counts },
      ids: [...d[k].ids],
      readyState: d['sources'][k].readyState,
    });
    return { native: panel('native'), resilient: panel('resilient') } as DemoState;
  });

/** Waits until the resilient panel has shown `more` new events and is open. */
async function resilientMovesOn(page: Page, more = 3, timeout = 15_000) {
  const before = (await state(page)).resilient.counts.received;
  await expect
    .poll(
      async () => {
        const s = (await state(page)).resilient;
        return s.counts.received >= before + more && s.readyState === 1;
      },
      { timeout },
    )
    .toBe(true);
}

/** Waits until the native panel is open and has shown `more` new events. */
async function nativeMovesOn(page: Page, more = 2) {
  const before = (await state(page)).native.counts.received;
  await expect
    .poll(
      async () => {
        const s = (await state(page)).native;
        return s.counts.received >= before + more && s.readyState === 1;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
}

async function click(page: Page, name: string) {
  marks.set(
    page,
    await page.evaluate(() => {
      const d = (window as unknown as { demo: Record<string, { history: string[] }> }).demo;
      return { native: d['native']!.history.length, resilient: d['resilient']!.history.length };
    }),
  );
  await page.getByRole('button', { name, exact: true }).click();
}
/** Where each panel's timeline stood at the last click, per page: checks look at what came after. */
const marks = new WeakMap<Page, { native: number; resilient: number }>();
/** Every timeline row since the last click (the list on screen keeps the newest 10). */
const history = (page: Page, kind: 'native' | 'resilient') =>
  page.evaluate(
    ([k, from]) =>
      ((window as unknown as { demo: Record<string, { history: string[] }> }).demo[k]?.history ?? [])
        .slice(from)
        .join('\n'),
    [kind, marks.get(page)?.[kind] ?? 0] as const,
  );
/** Waits until the panel's timeline has shown a row matching `what` since the last click. */
const shown = (page: Page, kind: 'native' | 'resilient', what: string | RegExp, timeout = 15_000) =>
  expect.poll(() => history(page, kind), { timeout }).toMatch(what);

/** Screenshots at 1280 px (the whole page) and 390 px (what a phone shows first), for a person to look at. */
async function shoot(page: Page, name: string) {
  const dir = `test-results/demo/${test.info().project.name || 'chromium'}`;
  await page.screenshot({ path: `${dir}/1280-${name}.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${dir}/390-${name}.png` });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Loads the page at 1280 px, failing on any response >= 400 (the favicon included). */
async function open(page: Page, url: string) {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('resilient-eventsource');
  await expect.poll(async () => (await state(page)).native.counts.received, { timeout: 15_000 }).toBeGreaterThan(2);
  await resilientMovesOn(page);
  expect(failed).toEqual([]);
}

/** The native panel gave up on a fatal status, said why, and the page brought a new one back. */
async function nativeComesBack(page: Page) {
  await shown(page, 'native', 'The native EventSource gave up: it closes on any non-200 status', 15_000);
  await shown(page, 'native', 'The page creates a new one');
  await shown(page, 'native', 'recreated by the page', 15_000);
  await nativeMovesOn(page);
}

function expectExactlyOnce(ids: string[]) {
  const numbers = ids.map(Number);
  expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => (numbers[0] ?? 0) + i));
}

test('every button: the resilient panel stays exactly-once, the native one visibly does not', async ({
  page,
  demo,
}) => {
  test.setTimeout(180_000);
  await open(page, `${demo.url}/`);
  await shoot(page, '00-start');

  await click(page, 'Drop all connections');
  await resilientMovesOn(page);
  await nativeMovesOn(page);
  for (const kind of ['native', 'resilient'] as const) {
    await shown(page, kind, 'dropped between two events, after id');
    await shown(page, kind, /back at id \d+, right after \d+: nothing lost/);
  }
  await shoot(page, '01-drop');

  await click(page, 'Drop mid-event');
  await resilientMovesOn(page);
  await nativeMovesOn(page);
  for (const kind of ['native', 'resilient'] as const) {
    await shown(
      page,
      kind,
      /cut mid-event after id \d+: the half-written event that followed \(id \d+\) was discarded/,
    );
  }
  await shown(page, 'resilient', /back at id \d+, sent again whole/);
  await shoot(page, '02-drop-mid-event');

  // The replay goes to open streams: the native panel is back (above) first.
  await click(page, 'Replay old events');
  await expect.poll(async () => (await state(page)).native.counts.duplicates).toBeGreaterThanOrEqual(5);
  await expect.poll(async () => (await state(page)).resilient.counts.suppressed).toBeGreaterThanOrEqual(5);
  await expect(page.locator('#native tr.dup').first()).toBeVisible();
  // The timeline says what happened, where it stays after the red rows have scrolled away.
  await shown(page, 'native', 'the server sent its last 5 events again: 5 shown a second time');
  await shown(page, 'resilient', 'the server sent its last 5 events again: 5 suppressed by id, none shown twice');
  await shoot(page, '03-replay');

  await click(page, 'Go silent');
  await resilientMovesOn(page);
  await shown(page, 'resilient', 'dropped: heartbeat-timeout');
  await shown(page, 'native', 'cannot tell a silent socket from a quiet stream');
  await shoot(page, '04-silent');
  await shown(page, 'native', 'It never notices a silent socket', 20_000);
  await nativeMovesOn(page);

  await click(page, 'Sleep (simulated)');
  await expect(page.locator('#last-action')).toContainText(
    'simulated sleep: streams go silent, then the page gets the Page Lifecycle resume event',
  );
  await shown(page, 'resilient', 'reconnect (wake) at once', 15_000);
  await resilientMovesOn(page);
  await shown(page, 'native', 'the native EventSource ignores it');
  // The resume event to an open stream again: a local reconnect, well under the 3 s heartbeatTimeout.
  const wakeToOpen = await page.evaluate(
    () => (window as unknown as { demo: { wakeToOpenMs: number[] } }).demo.wakeToOpenMs,
  );
  expect(wakeToOpen).toHaveLength(1);
  expect(wakeToOpen[0]).toBeLessThan(3000);
  test.info().annotations.push({ type: 'wake to open', description: `${wakeToOpen[0]} ms` });
  process.stdout.write(`wake to open: ${wakeToOpen[0]} ms\n`);
  expect((await state(page)).native.readyState).toBe(1);
  await shoot(page, '05-sleep');
  await shown(page, 'native', 'It never notices a silent socket', 20_000);
  await nativeMovesOn(page);

  await click(page, 'Reconnect now');
  await shown(page, 'resilient', 'reconnect (requested) at once');
  await shown(page, 'native', 'has no reconnect(): the page closes it and creates a new one');
  await resilientMovesOn(page);
  await nativeMovesOn(page);
  await shoot(page, '06-reconnect-now');

  await click(page, '503 + Retry-After');
  await resilientMovesOn(page);
  // Retry-After: 2 is a floor, lengthened by up to half by the jitter.
  await shown(page, 'resilient', /reconnect in 2\d\d\d ms/);
  await shown(page, 'native', 'gave up', 15_000);
  await shoot(page, '07-503');
  await nativeComesBack(page);

  await click(page, '401 until a new token');
  await resilientMovesOn(page);
  await shown(page, 'resilient', 'dropped: http-status 401');
  await shown(page, 'resilient', 'retry at once');
  await expect.poll(async () => (await state(page)).native.readyState, { timeout: 15_000 }).toBe(2);
  await shown(page, 'native', 'cannot send an Authorization header');
  await shoot(page, '08-401');
  // The native panel comes back, labelled, so every later button still compares against something.
  await shown(page, 'native', 'recreated by the page: a new EventSource, let in without a token', 15_000);
  await nativeMovesOn(page);
  await resilientMovesOn(page);

  await click(page, 'Replay old events');
  await shown(page, 'native', 'the server sent its last 5 events again: 5 shown a second time');
  await shown(page, 'resilient', '5 suppressed by id, none shown twice');

  await click(page, 'Reset');
  await click(page, 'Stop with 204');
  await expect.poll(async () => (await state(page)).resilient.readyState, { timeout: 15_000 }).toBe(2);
  await shown(page, 'resilient', 'closed: http-status 204');
  await expect.poll(async () => (await state(page)).native.readyState, { timeout: 15_000 }).toBe(2);
  await shown(page, 'native', '204');
  await shoot(page, '09-204');
  await click(page, 'Reset');
  await resilientMovesOn(page);
  await nativeMovesOn(page);
  await shoot(page, '10-reset');

  await click(page, 'Restart the server');
  // The control answers before the server goes down (it used to fail: "Failed to fetch").
  await shown(page, 'resilient', 'server: going down for 3 s');
  await expect(page.locator('#last-action')).not.toContainText('Failed');
  await resilientMovesOn(page, 3, 30_000);
  await nativeMovesOn(page);
  await shoot(page, '11-restart');

  // Caught up with the server, with nothing lost or repeated.
  const published = Number(demo.events.at(-1)?.id);
  await expect.poll(async () => Number((await state(page)).resilient.ids.at(-1))).toBeGreaterThanOrEqual(published);
  const final = await state(page);
  expect(final.resilient.counts.duplicates).toBe(0);
  expect(final.resilient.counts.gaps).toBe(0);
  expectExactlyOnce(final.resilient.ids);
  expect(final.resilient.counts.reconnects).toBeGreaterThanOrEqual(10);
  expect(final.native.counts.duplicates).toBeGreaterThanOrEqual(5);
  await expect(page.locator('#resilient [data-count="duplicates"]')).toHaveText('0');
  await expect(page.locator('#resilient [data-count="gaps"]')).toHaveText('0');

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
  // The difference a reload makes, on both timelines: the resilient one picks up right after the last
  // event it showed; the native one starts over from what is live and says how many it missed.
  await expect.poll(async () => (await state(page)).native.ids.length).toBeGreaterThan(0);
  const reload = await page.evaluate(
    () =>
      (
        window as unknown as {
          demo: { reload: Record<string, { last: number; first: number; missed: number; repeated: number }> };
        }
      ).demo.reload,
  );
  // (The page may have shown a few more than the test saw before it reloaded.)
  const resumed = reload['resilient']!;
  expect(resumed.last).toBeGreaterThanOrEqual(lastSeen);
  expect(resumed).toEqual({ last: resumed.last, first: resumed.last + 1, missed: 0, repeated: 0 });
  const native = reload['native']!;
  expect(native.missed).toBe(Math.max(0, native.first - native.last - 1));
  await expect(page.locator('#resilient .timeline')).toContainText(
    `the last event shown before it was id ${resumed.last}; resumed at id ${resumed.first}, right after the cursor it saved: 0 missed`,
  );
  await expect(page.locator('#native .timeline')).toContainText(
    `the last event shown before it was id ${native.last}; started over at id ${native.first}, whatever was live: ${native.missed} missed`,
  );
  await expect(page.locator('#native .start')).toContainText(`Started over after a reload at id ${native.first}`);
  await shoot(page, '12-reload');

  // No timeline row starts with a stray ". " or ": " (a sentence with nothing before it).
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll('.timeline span')].map((s) => s.textContent ?? ''),
  );
  expect(rows.filter((r) => /^[.:,;] /.test(r))).toEqual([]);
});

test('another order: a fatal 503 first, and the native panel still shows duplicates after it', async ({
  page,
  demo,
}) => {
  test.setTimeout(120_000);
  await open(page, `${demo.url}/`);

  await click(page, '503 + Retry-After');
  await nativeComesBack(page);
  await resilientMovesOn(page);
  await click(page, 'Replay old events');
  await expect.poll(async () => (await state(page)).native.counts.duplicates).toBeGreaterThanOrEqual(5);
  await expect.poll(async () => (await state(page)).resilient.counts.suppressed).toBeGreaterThanOrEqual(5);
  await expect(page.locator('#native [data-count="duplicates"]')).toHaveClass(/bad/);
  await shoot(page, 'b1-503-then-replay');

  // Sleep, then reconnect now, then a cut: each still tells its story on both sides.
  await click(page, 'Sleep (simulated)');
  await shown(page, 'resilient', 'reconnect (wake) at once', 15_000);
  await resilientMovesOn(page);
  await click(page, 'Reconnect now');
  await shown(page, 'resilient', 'reconnect (requested) at once');
  await shown(page, 'native', 'recreated by the page');
  await nativeMovesOn(page);
  await resilientMovesOn(page);
  await click(page, 'Drop mid-event');
  for (const kind of ['native', 'resilient'] as const) {
    await shown(page, kind, 'cut mid-event after id', 15_000);
  }
  await resilientMovesOn(page);
  await nativeMovesOn(page);
  await shoot(page, 'b2-sleep-reconnect-cut');

  const final = await state(page);
  expect(final.resilient.counts.duplicates).toBe(0);
  expect(final.resilient.counts.gaps).toBe(0);
  expectExactlyOnce(final.resilient.ids);
});

test('the two panels line up: counters at the same height, side by side, at 1280 and 390 px', async ({
  page,
  demo,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${demo.url}/`);
  await expect.poll(async () => (await state(page)).resilient.counts.received).toBeGreaterThan(2);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const boxes = await Promise.all(
      ['#native .counters', '#resilient .counters'].map((s) => page.locator(s).boundingBox()),
    );
    expect(Math.abs(boxes[0]!.y - boxes[1]!.y), `counters at ${width} px`).toBeLessThan(2);
    const cells = await Promise.all(
      ['#native .counters > div', '#resilient .counters > div'].map((s) => page.locator(s).count()),
    );
    expect(cells).toEqual([5, 5]);
  }
});

test('at 390 px the controls stay in reach and both panels start in the first screen', async ({ page, demo }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${demo.url}/`);
  await expect.poll(async () => (await state(page)).resilient.counts.received).toBeGreaterThan(2);
  const [native, resilient] = await Promise.all([
    page.locator('#native').boundingBox(),
    page.locator('#resilient').boundingBox(),
  ]);
  // Side by side, both starting within the first screen, nothing wider than it.
  expect(resilient!.x).toBeGreaterThan(native!.x + native!.width - 1);
  expect(Math.abs(resilient!.y - native!.y)).toBeLessThan(2);
  expect(resilient!.y).toBeLessThan(844 / 2);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Scrolled down the panels, the buttons are still on screen and work.
  await page.mouse.wheel(0, 1500);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(100);
  const replay = page.getByRole('button', { name: 'Replay old events', exact: true });
  const box = await replay.boundingBox();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(844);
  await replay.click();
  await expect.poll(async () => (await state(page)).resilient.counts.suppressed).toBeGreaterThanOrEqual(5);
  await page.screenshot({ path: 'test-results/demo-narrow.png' });
});

test('the tabs switch: with sharing on, two tabs cost the server one resilient connection', async ({
  page,
  context,
  demo,
}) => {
  const byClient = async () =>
    (
      (await (await fetch(`${demo.url}/control/state`, { method: 'POST' })).json()) as {
        byClient: Record<string, number>;
      }
    ).byClient;
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
  await expect(second.locator('#resilient .start')).toContainText('Took over');
  await expect.poll(byClient).toEqual({ resilient: 1, native: 1 });
  const before = (await state(second)).resilient.counts.received;
  await expect.poll(async () => (await state(second)).resilient.counts.received).toBeGreaterThan(before + 2);
  const after = await state(second);
  expect(after.resilient.counts.duplicates).toBe(0);
  expect(after.resilient.counts.gaps).toBe(0);
});
