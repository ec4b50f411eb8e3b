/**
 * docs/migrate/from-eventsource-client.md: `createEventSource({ … })` code
 * rewritten with ours, each run against the reference server on a stream with
 * named events, ids, a drop mid-event and replayed events; and the installed
 * `eventsource-client` on the same stream, to show what changes.
 */
import { createEventSource, type EventSourceMessage } from 'eventsource-client';
import { createMemoryStore, ResilientEventSource } from 'resilient-eventsource';
import { expect, it } from 'vitest';
import { feedEvents, feedServer, feedTypesAndIds, playFeed, type Seen } from './migrate-support.js';

const token = 'tok';

it('the for await loop: every type, e.type for `event`, e.lastEventId for `id`; leaving it closes', async () => {
  const server = await feedServer();
  const seen: Seen[] = [];
  const handle = (type: string, id: string, data: string) => seen.push({ type, id, data });
  const feed = playFeed(server, () => seen.length);
  // #region readme:migrate-esc-loop
  // Was: const es = createEventSource({ url: '/api/feed/stream', headers: { Authorization: `Bearer ${token}` } });
  //      for await (const { event, id, data } of es) {
  //        handle(event ?? 'message', id ?? '', data);
  //        if (event === 'done') break;
  //      }
  //      es.close(); // eventsource-client stays connected after a break
  const es = new ResilientEventSource('/api/feed/stream', { headers: { Authorization: `Bearer ${token}` } });
  for await (const e of es) {
    handle(e.type, e.lastEventId, e.data);
    if (e.type === 'done') break; // leaving the loop closes the source
  }
  // #endregion
  await feed;
  expect(seen).toEqual(feedEvents);
  expect(es.readyState).toBe(es.CLOSED);
  await expect.poll(() => server.openStreams).toBe(0); // the connection is gone, not left open
});

it('the callbacks become events', async () => {
  const server = await feedServer();
  const seen: Seen[] = [];
  const calls: string[] = [];
  const onMessage = (msg: { event: string; id: string; data: string }) =>
    seen.push({ type: msg.event, id: msg.id, data: msg.data });
  const onConnect = () => calls.push('connect');
  const onDisconnect = (why: string) => calls.push(`disconnect: ${why}`);
  const onScheduleReconnect = ({ delay }: { delay: number }) =>
    calls.push(typeof delay === 'number' ? 'reconnect' : 'no delay');
  // #region readme:migrate-esc-callbacks
  // Was: createEventSource({ url, onMessage, onConnect, onDisconnect, onScheduleReconnect });
  const es = new ResilientEventSource('/api/feed/stream');
  for (const type of ['message', 'price', 'done']) {
    // onMessage: a listener per type (or a for await loop, which gets every type)
    es.addEventListener(type, (e) => onMessage({ event: e.type, id: e.lastEventId, data: e.data }));
  }
  es.addEventListener('open', () => onConnect()); // only for an accepted response (200, text/event-stream)
  es.addEventListener('error', (e) => {
    if (!(e instanceof MessageEvent) && es.readyState === es.CONNECTING) onDisconnect(e.reason);
  });
  es.addEventListener('reconnecting', (e) => onScheduleReconnect({ delay: e.delay }));
  // #endregion
  await playFeed(server, () => seen.length);
  await expect.poll(() => seen.map((e) => [e.type, e.id])).toEqual(feedTypesAndIds);
  expect(calls).toEqual(['connect', 'disconnect: network', 'reconnect', 'connect']);
  es.close();
});

it('initialLastEventId becomes a cursor in the store', async () => {
  const server = await feedServer();
  const seen: Seen[] = [];
  const savedId = '2';
  const feed = playFeed(server, () => seen.length + 2);
  // #region readme:migrate-esc-initial-id
  // Was: createEventSource({ url: '/api/orders/stream', initialLastEventId: savedId });
  // Ours keeps the cursor itself (IndexedDB in browsers, memory in Node, or
  // your store); to start from an id of your own, put it in the store first.
  const store = createMemoryStore();
  await store.set('orders', { lastEventId: savedId, recentIds: [] });
  const es = new ResilientEventSource('/api/orders/stream', { store, storageKey: 'orders' });
  // #endregion
  for (const type of ['message', 'price', 'done'])
    es.addEventListener(type, (e) => seen.push({ type, id: e.lastEventId, data: e.data }));
  await feed;
  await expect.poll(() => seen).toEqual(feedEvents.slice(2));
  expect(server.requests.map((r) => r.lastEventId)).toEqual(['2', '3']);
  es.close();
  await es.closed;
  expect(await store.get('orders')).toMatchObject({ lastEventId: '6' });
});

it('side by side with eventsource-client: replayed events come twice, and a 503 is read as a stream', async () => {
  const server = await feedServer();
  const url = `${server.url}/api/feed/stream`;
  const theirs: EventSourceMessage[] = [];
  const connects: number[] = [];
  const old = createEventSource({
    url,
    onMessage: (m) => theirs.push(m),
    onConnect: () => connects.push(server.requests.length),
  });
  await playFeed(server, () => theirs.length);
  await expect.poll(() => theirs.some((m) => m.event === 'done')).toBe(true);
  expect(theirs.map((m) => [m.event, m.id])).toEqual([
    [undefined, '1'],
    ['price', '2'],
    [undefined, '3'],
    ['price', '4'],
    [undefined, '5'],
    [undefined, '3'],
    ['price', '4'],
    [undefined, '5'],
    ['done', '6'],
  ]);
  // A 503: onConnect fires, the (empty) error body is parsed as the stream,
  // then it reconnects as after any end of the body.
  server.faults.failNext(503);
  server.faults.dropAll();
  await expect.poll(() => server.requests.map((r) => r.status)).toEqual([200, 200, 503, 200]);
  await expect.poll(() => connects).toEqual([1, 2, 3, 4]);
  old.close();
});
