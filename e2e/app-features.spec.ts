/**
 * What issue 13 added, in a real browser against the built UMD bundle:
 * reconnect(), the wake signals a page gets (Page Lifecycle `resume`), the
 * response on `open` and a refused response's body on `error`, and
 * `for await` over a source.
 */
import { expect, idCount, pageLog, range, test } from './fixtures.js';

type Win = { es: { reconnect(): void; close(): void; readyState: number; stats: { lastReconnectReason?: string } } };

test('reconnect() drops the stream and resumes at once from the cursor (reason requested, no error)', async ({
  page,
  server,
}) => {
  server.publishMany(3);
  await page.goto(`${server.url}/pages/umd.html?store=memory`);
  await expect.poll(() => idCount(page)).toBe(3);
  await page.evaluate(() => (window as unknown as Win).es.reconnect());
  await expect.poll(() => server.requests.length).toBe(2);
  server.publishMany(2);
  await expect.poll(() => idCount(page)).toBe(5);
  const log = await pageLog(page);
  expect(log.ids).toEqual(range(1, 5));
  expect(log.errors).toEqual([]);
  expect(log.reconnects.map((r) => [r.reason, r.delay])).toEqual([['requested', 0]]);
  expect(server.requests[1]?.lastEventId).toBe('3');
});

test('a Page Lifecycle resume (a frozen page thawed) reconnects an open stream at once (reason wake)', async ({
  page,
  server,
}) => {
  server.publishMany(2);
  // A 45 s heartbeat: without the wake signal the silent stream would hang the test.
  await page.goto(`${server.url}/pages/umd.html?store=memory&heartbeat=45000`);
  await expect.poll(() => idCount(page)).toBe(2);
  // As after a suspend: the socket is dead but nobody said so.
  server.faults.silence();
  server.publishMany(2);
  const resumedAt = await page.evaluate(() => {
    const at = Date.now();
    document.dispatchEvent(new Event('resume'));
    return at;
  });
  await expect.poll(() => idCount(page), { timeout: 10_000 }).toBe(4);
  const log = await pageLog(page);
  const opensAt = await page.evaluate(() => Date.now());
  process.stdout.write(
    `wake: reconnect scheduled ${(log.reconnects[0]?.at ?? 0) - resumedAt} ms after resume; the 2 missed events shown within ${opensAt - resumedAt} ms\n`,
  );
  expect(log.ids).toEqual(range(1, 4));
  expect(log.reconnects.map((r) => r.reason)).toEqual(['wake']);
  expect(server.requests[1]?.lastEventId).toBe('2');
});

test('open carries status, headers and URL; a refused response carries its body; for await reads in order', async ({
  page,
  server,
}) => {
  await page.goto(`${server.url}/pages/umd.html?store=none`);
  server.publishMany(3);
  const result = await page.evaluate(async (streamUrl) => {
    const RES = (
      window as unknown as {
        ResilientEventSource: new (
          url: string,
          o?: object,
        ) => EventTarget & AsyncIterable<MessageEvent> & { close(): void; readyState: number };
      }
    ).ResilientEventSource;
    (window as unknown as Win).es.close();
    const es = new RES(streamUrl, { store: false });
    const open = await new Promise<{ status: number; type: string | null; url: string }>((resolve) =>
      es.addEventListener(
        'open',
        (e) => {
          const o = e as Event & { status: number; headers: Headers; url: string };
          resolve({ status: o.status, type: o.headers.get('content-type'), url: o.url });
        },
        { once: true },
      ),
    );
    const ids: string[] = [];
    for await (const e of es) {
      ids.push(e.lastEventId);
      if (ids.length === 3) break;
    }
    return { open, ids, closed: es.readyState };
  }, server.streamUrl);
  expect(result.open).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8', url: server.streamUrl });
  expect(result.ids).toEqual(['1', '2', '3']);
  expect(result.closed).toBe(2);

  server.faults.failNext(404);
  const refused = await page.evaluate(async (streamUrl) => {
    const RES = (
      window as unknown as {
        ResilientEventSource: new (url: string, o?: object) => EventTarget & { readyState: number };
      }
    ).ResilientEventSource;
    const es = new RES(streamUrl, { store: false });
    const e = await new Promise<Event & { status: number; reason: string }>((resolve) =>
      es.addEventListener('error', (ev) => resolve(ev as never), { once: true }),
    );
    return {
      status: e.status,
      reason: e.reason,
      readyState: es.readyState,
      body: (e as unknown as { body?: string }).body,
    };
  }, server.streamUrl);
  // The reference server answers faults with an empty body: read, and empty (not undefined).
  expect(refused).toEqual({ status: 404, reason: 'http-status', readyState: 2, body: '' });
});
