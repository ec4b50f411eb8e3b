/**
 * docs/migrate/from-event-source-polyfill.md: `new EventSourcePolyfill(url,
 * { … })` code rewritten with ours, run against the reference server on a
 * stream with named events, ids, a drop mid-event and replayed events; and
 * the installed `event-source-polyfill` on the same stream.
 */
// @ts-expect-error event-source-polyfill ships no type declarations
import polyfill from 'event-source-polyfill';
import { OpenEvent, ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';
import { expect, it, vi } from 'vitest';
import { feedEvents, feedServer, feedTypesAndIds, playFeed, type Seen } from './migrate-support.js';

it('the options map one to one; the cursor can stay in the query', async () => {
  const server = await feedServer();
  let token = 'first';
  const seen: Seen[] = [];
  const render = (type: string, id: string, data: string) => seen.push({ type, id, data });
  // #region readme:migrate-polyfill-options
  // Was: const es = new EventSourcePolyfill('/api/feed/stream', {
  //   headers: { Authorization: `Bearer ${token}` },
  //   heartbeatTimeout: 60_000,
  //   lastEventIdQueryParameterName: 'lastEventId',
  // });
  // es.headers.Authorization = `Bearer ${newToken}`; // to refresh it before the next reconnect
  const es = new ResilientEventSource('/api/feed/stream', {
    headers: () => ({ Authorization: `Bearer ${token}` }), // read before every attempt
    heartbeatTimeout: 60_000,
    lastEventIdQuery: 'lastEventId', // keep it while your server reads the id from the query
  });
  es.onmessage = (e) => render('message', e.lastEventId, e.data);
  es.addEventListener('price', (e) => render('price', e.lastEventId, e.data));
  es.addEventListener('done', (e) => render('done', e.lastEventId, e.data));
  // #endregion
  await expect.poll(() => server.requests.length).toBe(1);
  token = 'second'; // a refreshed token: the reconnect after the drop sends it
  await playFeed(server, () => seen.length);
  await expect.poll(() => seen).toEqual(feedEvents);
  // The reconnect carried the cursor twice: in the query, as the polyfill
  // did, and as Last-Event-ID, which it never sent.
  expect(server.requests.map((r) => [r.url, r.lastEventId, r.authorization])).toEqual([
    ['/api/feed/stream', null, 'Bearer first'],
    ['/api/feed/stream?lastEventId=3', '3', 'Bearer second'],
  ]);
  es.close();
});

it('open and error carry more: the response on open, the reason and status on error', async () => {
  const server = await feedServer();
  const lines: unknown[][] = [];
  const log = (...line: unknown[]) => lines.push(line);
  const seen: string[] = [];
  // #region readme:migrate-polyfill-events
  // Was: es.onopen = (e) => log('open', e.status, e.headers.get('content-type'));
  //      es.onerror = (e) => log('error', e.status ?? e.error, es.readyState);
  const es = new ResilientEventSource('/api/feed/stream', { backoff: { initialDelay: 50 } });
  // (`instanceof`: a server event named `open` or `error` reaches these listeners too, as a MessageEvent.)
  es.addEventListener('open', (e) => e instanceof OpenEvent && log('open', e.status, e.headers.get('content-type')));
  es.addEventListener('error', (e) => e instanceof StreamErrorEvent && log('error', e.reason, e.status, es.readyState)); // e.cause: the network error
  // #endregion
  for (const type of ['message', 'price', 'done']) es.addEventListener(type, (e) => seen.push(e.lastEventId));
  await playFeed(server, () => seen.length);
  await expect.poll(() => seen).toEqual(feedEvents.map((e) => e.id));
  // A 503 closes the polyfill for good; ours tries again.
  server.faults.failNext(503);
  server.faults.dropAll();
  await expect.poll(() => lines.length).toBe(6);
  expect(lines).toEqual([
    ['open', 200, 'text/event-stream; charset=utf-8'],
    ['error', 'network', undefined, es.CONNECTING],
    ['open', 200, 'text/event-stream; charset=utf-8'],
    ['error', 'network', undefined, es.CONNECTING],
    ['error', 'http-status', 503, es.CONNECTING],
    ['open', 200, 'text/event-stream; charset=utf-8'],
  ]);
  es.close();
});

it('side by side with event-source-polyfill: the cursor only in the query, so this server replays everything', async () => {
  const server = await feedServer();
  const { EventSourcePolyfill } = polyfill as unknown as {
    EventSourcePolyfill: new (url: string, init?: object) => EventSource;
  };
  // The polyfill reports every failure with console.error.
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  const theirs: Seen[] = [];
  const old = new EventSourcePolyfill(`${server.url}/api/feed/stream`, { headers: { Authorization: 'Bearer t' } });
  for (const type of ['message', 'price', 'done']) {
    old.addEventListener(type, (e) =>
      theirs.push({ type, id: (e as MessageEvent).lastEventId, data: (e as MessageEvent).data }),
    );
  }
  try {
    // It waits at least 1 s before reconnecting: a `retry:` below 1000 is raised to 1000.
    await playFeed(server, () => theirs.length);
    await expect.poll(() => theirs.some((e) => e.type === 'done')).toBe(true);
    // This server reads Last-Event-ID, which the polyfill does not send: its
    // reconnect got the whole buffer again, then the replay repeated 3–5.
    expect(server.requests.map((r) => [r.url, r.lastEventId])).toEqual([
      ['/api/feed/stream', null],
      ['/api/feed/stream?lastEventId=3', null],
    ]);
    expect(theirs.map((e) => [e.type, e.id])).toEqual([
      ...feedTypesAndIds.slice(0, 3),
      ...feedTypesAndIds.slice(0, 5),
      ...feedTypesAndIds.slice(2, 6),
    ]);
    // A 503 closes it for good, as the native EventSource.
    server.faults.failNext(503);
    server.faults.dropAll();
    await expect.poll(() => old.readyState, { timeout: 5_000 }).toBe(old.CLOSED);
    expect(consoleError).toHaveBeenCalled();
  } finally {
    old.close();
    consoleError.mockRestore();
  }
});
