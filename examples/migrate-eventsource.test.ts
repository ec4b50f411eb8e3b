/**
 * docs/migrate/from-eventsource.md: code written for the `eventsource` package
 * (v2's `headers`, v3+'s `fetch`), run with ours against the reference server
 * on a stream with named events, ids, a drop mid-event and replayed events;
 * and the installed `eventsource` (v4) beside ours on the same faults.
 */
import { EventSource } from 'eventsource';
import { ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';
import { afterAll, expect, it } from 'vitest';
import { feedTypesAndIds, playFeed, type Seen } from './migrate-support.js';
import { servePage } from './support.js';

const server = await servePage();
afterAll(() => server.stop());

/** Records every type of the feed from a source, as the test's "app" does. */
function record(source: EventTarget, into: Seen[]): void {
  for (const type of ['message', 'price', 'done']) {
    source.addEventListener(type, (e) => {
      const m = e as MessageEvent<string>;
      into.push({ type: m.type, id: m.lastEventId, data: m.data });
    });
  }
}
const typesAndIds = (seen: Seen[]) => seen.map((e) => [e.type, e.id]);

it('v2: `headers` becomes a function, so a refreshed token is used at the next attempt', async () => {
  let token = server.faults.rotateToken();
  const signIn = () => (token = server.faults.issuedToken() ?? '');
  const statuses: (number | undefined)[] = [];
  const url = `${server.url}/v2/feed/stream`;
  // #region readme:migrate-eventsource-v2
  // Was (eventsource v2):
  //   const EventSource = require('eventsource');
  //   const es = new EventSource(url, { headers: { Authorization: `Bearer ${token}` } });
  //   es.onerror = (err) => { if (err.status === 401 || err.status === 403) signIn(); };
  const es = new ResilientEventSource(url, {
    headers: () => ({ Authorization: `Bearer ${token}` }), // called before every attempt
  });
  es.onerror = (e) => {
    // (A server's own `event: error` arrives here too, as a MessageEvent.)
    if (e instanceof StreamErrorEvent && (e.status === 401 || e.status === 403)) signIn(); // `status` as in v2; `reason` and `message` say more
  };
  // #endregion
  es.addEventListener('error', (e) => e instanceof StreamErrorEvent && statuses.push(e.status));
  const seen: Seen[] = [];
  record(es, seen);
  await playFeed(server, () => seen.length);
  await expect.poll(() => typesAndIds(seen)).toEqual(feedTypesAndIds);
  // The token expires: the 401 calls signIn(), and the one immediate retry
  // computes the headers again, with the new token.
  server.faults.rotateToken();
  server.faults.dropAll();
  await expect.poll(() => statuses).toEqual([undefined, undefined, 401]);
  await expect.poll(() => es.readyState).toBe(es.OPEN);
  expect(server.requests.map((r) => r.status)).toEqual([200, 200, 401, 200]);
  es.close();
  await es.closed;
  server.faults.requireToken(undefined);
});

it('v3, v4, v5: a `fetch` that only added headers becomes `headers`; one that does more works unchanged', async () => {
  const token = 'tok';
  const ids: string[] = [];
  const nextRequestId = () => {
    ids.push(`r${ids.length + 1}`);
    return ids.at(-1) ?? '';
  };
  const warnings: unknown[][] = [];
  const warn = (...args: unknown[]) => warnings.push(args);
  const url = `${server.url}/v3/feed/stream`;
  const before = server.requests.length;
  // #region readme:migrate-eventsource-v3
  // Was (eventsource v3, v4, v5): new EventSource(url, {
  //   fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } }),
  // });
  // es.onerror = (err) => warn(err.code, err.message);
  const es = new ResilientEventSource(url, {
    headers: () => ({ Authorization: `Bearer ${token}` }),
    // A `fetch` written for eventsource keeps working (a proxy dispatcher,
    // tracing…): init.headers is a plain object, so spreading it keeps
    // Accept and Last-Event-ID.
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, 'X-Request-Id': nextRequestId() } }),
  });
  es.onerror = (e) => e instanceof StreamErrorEvent && warn(e.status, e.message); // err.code is e.status; e.reason tells the kind
  // #endregion
  const seen: Seen[] = [];
  record(es, seen);
  await expect.poll(() => seen.length).toBe(6); // the feed so far, from the server's buffer
  server.faults.dropMidEvent();
  server.publish('{"n":7}', { id: '7' });
  await expect.poll(() => seen.length).toBe(7);
  expect(typesAndIds(seen)).toEqual([...feedTypesAndIds, ['message', '7']]);
  const mine = server.requests.slice(before);
  expect(mine.map((r) => [r.authorization, r.lastEventId, r.accept])).toEqual([
    ['Bearer tok', null, 'text/event-stream'],
    ['Bearer tok', '6', 'text/event-stream'],
  ]);
  expect(ids).toEqual(['r1', 'r2']);
  expect(warnings).toEqual([[undefined, expect.stringMatching(/^Network error/)]]);
  es.close();
  await es.closed;
});

it('side by side with eventsource v4: replayed events reach its listeners twice, and a 503 closes it for good', async () => {
  const url = `${server.url}/side-by-side/stream?from=live`;
  const theirs: Seen[] = [];
  const ours: Seen[] = [];
  const old = new EventSource(url);
  const es = new ResilientEventSource(url, { backoff: { initialDelay: 50 } });
  record(old, theirs);
  record(es, ours);
  const oldErrors: [number | undefined, number][] = [];
  old.addEventListener('error', (e) => oldErrors.push([e.code, old.readyState]));
  await expect.poll(() => [old.readyState, es.readyState]).toEqual([old.OPEN, es.OPEN]);
  server.publish('{"n":8}', { event: 'price', id: '8' });
  await expect.poll(() => ours.length + theirs.length).toBe(2);
  server.faults.replay(1);
  server.publish('{"n":9}', { id: '9' });
  await expect.poll(() => ours.length).toBe(2);
  await expect.poll(() => theirs.length).toBe(3);
  expect(typesAndIds(ours)).toEqual([
    ['price', '8'],
    ['message', '9'],
  ]);
  expect(typesAndIds(theirs)).toEqual([
    ['price', '8'],
    ['price', '8'],
    ['message', '9'],
  ]);

  server.faults.failNext(503, { times: 2 });
  server.faults.dropAll();
  await expect.poll(() => old.readyState).toBe(old.CLOSED);
  expect(oldErrors).toEqual([
    [undefined, old.CONNECTING],
    [503, old.CLOSED],
  ]);
  await expect.poll(() => es.readyState, { timeout: 10_000 }).toBe(es.OPEN);
  expect(es.stats.reconnects).toBeGreaterThanOrEqual(2);
  old.close();
  es.close();
  await es.closed;
});
