/**
 * What real networks do, against the built UMD bundle in Chromium. A network
 * drop is the server destroying the socket; `setOffline` only holds the client
 * offline afterwards (it does not interrupt an open stream).
 */
import { expect, idCount, pageLog, range, test } from './fixtures.js';

test('the server destroys the socket mid-stream five times, once in the middle of an event: every event once, in order', async ({
  page,
  server,
}) => {
  server.publishMany(5);
  await page.goto(`${server.url}/pages/umd.html?store=memory`);
  await expect.poll(() => idCount(page)).toBe(5);
  for (let drop = 1; drop <= 5; drop++) {
    if (drop === 3) server.faults.dropMidEvent();
    else expect(server.faults.dropAll()).toBe(1);
    server.publishMany(5);
    await expect.poll(() => idCount(page)).toBe(5 + drop * 5);
  }
  const log = await pageLog(page);
  expect(log.ids).toEqual(range(1, 30));
  expect(log.errors).toEqual(Array(5).fill('network'));
  expect(log.opens).toBe(6);
  expect(server.requests.slice(1).map((r) => r.lastEventId)).toEqual(['5', '10', '15', '20', '25']);
});

test.describe('with server heartbeats', () => {
  // Pings every 100 ms against a 2,000 ms timeout (20×): the silenced stream
  // times out, and the resumed one never does, however long the test takes to
  // read the log on a loaded machine. (With no pings, a second timeout fired
  // whenever reading the log took over the timeout.)
  test.use({ serverHeartbeat: 100 });

  test('a silent stream is abandoned after heartbeatTimeout and resumed', async ({ page, server }) => {
    server.publishMany(3);
    await page.goto(`${server.url}/pages/umd.html?store=memory&heartbeat=2000`);
    await expect.poll(() => idCount(page)).toBe(3);
    server.faults.silence();
    server.publishMany(3);
    await expect.poll(() => idCount(page), { timeout: 15_000 }).toBe(6);
    const log = await pageLog(page);
    expect(log.ids).toEqual(range(1, 6));
    expect(log.errors).toEqual(['heartbeat-timeout']);
    expect(server.requests[1]?.lastEventId).toBe('3');
  });
});

test('503 with Retry-After: the reconnect waits what the server asked', async ({ page, server }) => {
  server.publishMany(2);
  await page.goto(`${server.url}/pages/umd.html?store=memory`);
  await expect.poll(() => idCount(page)).toBe(2);
  server.faults.failNext(503, { retryAfter: '1' });
  server.faults.dropAll();
  server.publishMany(2);
  await expect.poll(() => idCount(page)).toBe(4);
  const log = await pageLog(page);
  expect(log.ids).toEqual(range(1, 4));
  expect(log.errors).toEqual(['network', 'http-status']);
  expect(log.reconnects.map((r) => r.reason)).toEqual(['network', 'http-status']);
  // Retry-After: 1 is a floor, lengthened by up to the default jitter (0.5).
  expect(log.reconnects[1]?.delay).toBeGreaterThanOrEqual(1000);
  expect(log.reconnects[1]?.delay).toBeLessThan(1500);
});

test('held offline, then back: the `online` event makes the pending reconnect happen at once', async ({
  page,
  context,
  server,
}) => {
  server.publishMany(3);
  // A 20–40 s backoff (and no retry: hint to shorten it): without the
  // `online` event the test would time out.
  await page.goto(`${server.url}/pages/umd.html?store=memory&initialDelay=40000&maxDelay=40000&retry=0`);
  await expect.poll(() => idCount(page)).toBe(3);
  await context.setOffline(true);
  server.faults.dropAll();
  server.publishMany(3);
  await expect.poll(async () => (await pageLog(page)).reconnects.length).toBe(1);
  const { reconnects } = await pageLog(page);
  expect(reconnects[0]?.delay).toBeGreaterThanOrEqual(20_000);
  const backOnline = Date.now();
  await context.setOffline(false);
  await expect.poll(() => idCount(page), { timeout: 5000 }).toBe(6);
  expect(Date.now() - backOnline).toBeLessThan(5000);
  const log = await pageLog(page);
  expect(log.ids).toEqual(range(1, 6));
  expect(server.requests.at(-1)?.lastEventId).toBe('3');
});
