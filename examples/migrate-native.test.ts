/**
 * docs/migrate/from-native.md: the native `EventSource` code a page has, run
 * with ours against the reference server on a stream with named events, ids,
 * a drop mid-event and replayed events.
 */
import { afterAll, expect, it } from 'vitest';
import { playFeed } from './migrate-support.js';
import { servePage } from './support.js';

const server = await servePage();
const rows: [string, unknown][] = [];
const prices: [string, unknown][] = [];
const statuses: string[] = [];
const addRow = (id: string, value: unknown) => rows.push([id, value]);
const setPrice = (id: string, value: unknown) => prices.push([id, value]);
const setStatus = (status: string) => statuses.push(status);

// #region readme:migrate-native-constructor
import { ResilientEventSource } from 'resilient-eventsource';

// Was: const es = new EventSource('/api/feed/stream', { withCredentials: true });
const es = new ResilientEventSource('/api/feed/stream', { withCredentials: true });
es.onopen = () => setStatus('live');
es.onmessage = (e) => addRow(e.lastEventId, JSON.parse(e.data));
es.addEventListener('price', (e) => setPrice(e.lastEventId, JSON.parse(e.data)));
es.addEventListener('done', () => es.close());
es.onerror = () => setStatus(es.readyState === es.CLOSED ? 'closed' : 'reconnecting');
// #endregion

afterAll(async () => {
  es.close();
  await es.closed;
  await server.stop();
});

it('runs the native code unchanged: each event once, in order, through the same handlers', async () => {
  await playFeed(server, () => rows.length + prices.length);
  await es.closed;
  expect(rows).toEqual([
    ['1', { n: 1 }],
    ['3', { n: 3 }],
    ['5', { n: 5 }],
  ]);
  expect(prices).toEqual([
    ['2', { n: 2 }],
    ['4', { n: 4 }],
  ]);
  // The drop is an `error` with readyState CONNECTING, then a reconnect that
  // resumes after id 3; close() from a listener fires nothing more.
  expect(statuses).toEqual(['live', 'reconnecting', 'live']);
  expect(server.requests.map((r) => r.lastEventId)).toEqual([null, '3']);
  // The replayed events 3–5 were dropped as duplicates.
  expect(es.stats.duplicatesSuppressed).toBe(3);
});

it('code typed for the native EventSource takes ours as it is', async () => {
  const shown: number[] = [];
  const showPrice = (price: number) => shown.push(price);
  // #region readme:migrate-native-typed
  // A function written for the native EventSource accepts ours: the class is
  // type-compatible with EventSource (checked at compile time).
  function watchPrices(source: EventSource, onPrice: (price: number) => void): () => void {
    source.addEventListener('price', (e: MessageEvent<string>) => onPrice(JSON.parse(e.data).n));
    return () => source.close();
  }
  const stop = watchPrices(new ResilientEventSource('/api/prices/stream'), showPrice);
  // #endregion
  // The feed from the server's buffer, then a drop in the middle of the next price.
  await expect.poll(() => shown).toEqual([2, 4]);
  server.faults.dropMidEvent();
  server.publish('{"n":8}', { event: 'price', id: '8' });
  await expect.poll(() => shown).toEqual([2, 4, 8]);
  stop();
});

it('what the native EventSource cannot tell: why it failed, and when it retries', async () => {
  const lines: unknown[][] = [];
  const serverErrors: string[] = [];
  const log = (...line: unknown[]) => lines.push(line);
  const showServerError = (data: string) => serverErrors.push(data);
  const es = new ResilientEventSource('/api/alerts/stream', { backoff: { initialDelay: 50 } });
  // #region readme:migrate-native-extras
  es.addEventListener('error', (e) => {
    // A server event named `error` reaches `error` listeners (and `onerror`)
    // as a MessageEvent, exactly as with the native EventSource.
    if (e instanceof MessageEvent) showServerError(e.data);
    else log(e.reason, e.status, e.message);
  });
  es.addEventListener('reconnecting', (e) => log('reconnecting', e.attempt, e.delay));
  // #endregion
  await expect.poll(() => server.openStreams).toBe(1);
  server.publish('{"code":"quota"}', { event: 'error', id: '7' });
  await expect.poll(() => serverErrors).toEqual(['{"code":"quota"}']);
  // A 503 closes the native EventSource for good; ours reconnects with backoff.
  server.faults.failNext(503);
  server.faults.dropAll();
  await expect.poll(() => lines.length).toBe(4);
  expect(lines).toEqual([
    ['network', undefined, expect.stringMatching(/^Network error/)],
    ['reconnecting', 1, expect.any(Number)],
    ['http-status', 503, 'Non-200 status code (503): reconnecting'],
    ['reconnecting', 2, expect.any(Number)],
  ]);
  await expect.poll(() => es.readyState).toBe(es.OPEN);
  es.close();
});
