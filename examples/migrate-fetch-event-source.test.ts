/**
 * docs/migrate/from-fetch-event-source.md: `fetchEventSource(url, { … })`
 * calls rewritten with ours, each run against the reference server on a stream
 * with named events, ids, a drop mid-event and replayed events; and the
 * installed `@microsoft/fetch-event-source` on the same stream, to show what
 * changes.
 */
import { fetchEventSource, type EventSourceMessage } from '@microsoft/fetch-event-source';
import { OpenEvent, ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';
import { expect, it } from 'vitest';
import { feedEvents, feedServer, feedTypesAndIds, playFeed, type Seen } from './migrate-support.js';

const token = 'tok';
const typesAndIds = (seen: Seen[]) => seen.map((e) => [e.type, e.id]);

it('onmessage (every type) becomes a for await loop over the source', async () => {
  const server = await feedServer();
  const seen: Seen[] = [];
  const handle = (type: string, id: string, data: string) => seen.push({ type, id, data });
  const feed = playFeed(server, () => seen.length);
  // #region readme:migrate-fes-loop
  // Was: await fetchEventSource('/api/feed/stream', {
  //   headers: { Authorization: `Bearer ${token}` },
  //   onmessage(msg) { handle(msg.event || 'message', msg.id, msg.data); if (msg.event === 'done') ctrl.abort(); },
  //   signal: ctrl.signal,
  // });
  const es = new ResilientEventSource('/api/feed/stream', {
    headers: { Authorization: `Bearer ${token}` },
  });
  for await (const e of es) {
    // Every type, in order: `message` for unnamed events (msg.event was ''),
    // and the name of each named one.
    handle(e.type, e.lastEventId, e.data);
    if (e.type === 'done') break; // leaving the loop closes the source
  }
  // #endregion
  await feed;
  expect(seen).toEqual(feedEvents);
  expect(es.readyState).toBe(es.CLOSED);
  expect(server.requests.map((r) => [r.authorization, r.lastEventId])).toEqual([
    ['Bearer tok', null],
    ['Bearer tok', '3'],
  ]);
});

it('or one listener per type: a `message` listener alone gets only the unnamed events', async () => {
  const server = await feedServer();
  const seen: Seen[] = [];
  const handle = (type: string, id: string, data: string) => seen.push({ type, id, data });
  const unnamed: string[] = [];
  // #region readme:migrate-fes-listeners
  const es = new ResilientEventSource('/api/feed/stream', { headers: { Authorization: `Bearer ${token}` } });
  for (const type of ['message', 'price', 'done']) {
    es.addEventListener(type, (e) => handle(e.type, e.lastEventId, e.data));
  }
  // #endregion
  es.onmessage = (e) => unnamed.push(e.lastEventId);
  await playFeed(server, () => seen.length);
  await expect.poll(() => typesAndIds(seen)).toEqual(feedTypesAndIds);
  expect(unnamed).toEqual(['1', '3', '5']);
  es.close();
});

it('the end of the body: onclose for a GET is `endOfStream: "close"`, and the loop ending', async () => {
  const server = await feedServer();
  const url = `${server.url}/api/export/stream`;
  const rows: string[] = [];
  const addRow = (data: string) => rows.push(data);
  let finished = 0;
  const finish = () => finished++;
  server.publish('a', { event: 'row', id: '1' });
  server.publish('b', { event: 'row', id: '2' });
  const done = (async () => {
    // #region readme:migrate-fes-end
    // Was: await fetchEventSource(url, {
    //   onmessage(msg) { if (msg.event === 'row') addRow(msg.data); },
    //   onclose() {}, // the body ended: fetch-event-source resolves, and does not reconnect
    // });
    // finish();
    const es = new ResilientEventSource(url, { endOfStream: 'close' }); // a GET reconnects at the end unless told so
    for await (const e of es.events('row')) addRow(e.data); // ends with the body; a final failure throws
    finish();
    // #endregion
    return es;
  })();
  await expect.poll(() => rows).toEqual(['a', 'b']);
  // A network drop still reconnects (with Last-Event-ID: 2); only a clean end closes.
  server.faults.dropMidEvent();
  server.publish('c', { event: 'row', id: '3' });
  await expect.poll(() => rows).toEqual(['a', 'b', 'c']);
  await server.close();
  const es = await done;
  expect(finished).toBe(1);
  expect(es.readyState).toBe(es.CLOSED);
  expect(es.stats.reconnects).toBe(1);
  expect(server.requests.map((r) => r.lastEventId)).toEqual([null, '2']);
});

it('without endOfStream, a GET takes the end of the body as a lost connection: error (CONNECTING), then a reconnect', async () => {
  const server = await feedServer();
  const url = `${server.url}/api/live/stream`;
  const disconnects: string[] = [];
  const onDisconnect = (why: string) => disconnects.push(why);
  server.publish('{"n":1}', { event: 'tick', id: '1' });
  // #region readme:migrate-fes-onclose
  // fetch-event-source called onclose() when the body ended, and stopped there.
  // A GET source reconnects instead, as EventSource does:
  const es = new ResilientEventSource(url);
  es.addEventListener('error', (e) => {
    if (!(e instanceof MessageEvent) && es.readyState === es.CONNECTING) onDisconnect(e.message);
  });
  // #endregion
  const ticks: string[] = [];
  es.addEventListener('tick', (e) => ticks.push(e.lastEventId));
  const reconnects: string[] = [];
  es.addEventListener('reconnecting', (e) => reconnects.push(e.reason));
  await expect.poll(() => ticks).toEqual(['1']);
  server.faults.dropMidEvent();
  server.publish('{"n":2}', { event: 'tick', id: '2' });
  await expect.poll(() => ticks).toEqual(['1', '2']);
  await server.close(); // ends the body cleanly
  await expect
    .poll(() => disconnects.slice(0, 2))
    .toEqual([expect.stringMatching(/^Network error/), 'The server ended the stream']);
  expect(reconnects.slice(0, 2)).toEqual(['network', 'network']);
  expect(es.readyState).toBe(es.CONNECTING);
  es.close();
  await es.closed;
});

it('onopen and onerror: the open event for an accepted stream, error events with the status and body', async () => {
  const server = await feedServer();
  const opened: [number, string | null][] = [];
  const failures: [number | undefined, string | undefined][] = [];
  const onOpen = (status: number, contentType: string | null) => opened.push([status, contentType]);
  const fail = (status: number | undefined, body: string | undefined) => failures.push([status, body]);
  // #region readme:migrate-fes-open-error
  // Was: async onopen(response) {
  //   if (response.ok && response.headers.get('content-type')?.startsWith('text/event-stream')) return onOpen(…);
  //   if (response.status >= 400 && response.status < 500 && response.status !== 429) throw new FatalError(await response.text());
  //   throw new RetriableError();
  // },
  // onerror(err) { if (err instanceof FatalError) throw err; return 1000; },
  const es = new ResilientEventSource('/api/feed/stream', {
    backoff: { initialDelay: 1000, maxRetries: 10 }, // no callback: backoff with jitter, Retry-After honoured
  });
  es.addEventListener('open', (e) => e instanceof OpenEvent && onOpen(e.status, e.headers.get('content-type'))); // accepted streams only
  es.addEventListener('error', (e) => {
    if (!(e instanceof StreamErrorEvent)) return; // a server event named "error" (msg.event === 'error' before)
    if (es.readyState === es.CLOSED) fail(e.status, e.body); // 4xx but 408/429, a wrong type, maxRetries: final
    // otherwise (5xx, 408, 429, network, the body ending) a `reconnecting` event follows
  });
  // #endregion
  const seen: Seen[] = [];
  for (const type of ['message', 'price', 'done'])
    es.addEventListener(type, (e) => seen.push({ type, id: e.lastEventId, data: e.data }));
  await playFeed(server, () => seen.length);
  await expect.poll(() => typesAndIds(seen)).toEqual(feedTypesAndIds);
  server.faults.failNext(404);
  server.faults.dropAll();
  await es.closed;
  expect(opened).toEqual([
    [200, 'text/event-stream; charset=utf-8'],
    [200, 'text/event-stream; charset=utf-8'],
  ]);
  expect(failures).toEqual([[404, '']]);
});

it('POST: method, headers and body as before; the body may be computed per attempt', async () => {
  const server = await feedServer();
  const seen: Seen[] = [];
  const show = (type: string, id: string, data: string) => seen.push({ type, id, data });
  const query = { q: 'prices' };
  const feed = playFeed(server, () => seen.length);
  // #region readme:migrate-fes-post
  // Was: await fetchEventSource('/api/search/stream', {
  //   method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(query),
  //   onmessage(msg) { show(msg.event || 'message', msg.id, msg.data); },
  // });
  let after = ''; // the last id handled, for the body of the next attempt
  const es = new ResilientEventSource('/api/search/stream', {
    method: 'POST', // endOfStream is then 'close': the end of the body ends the loop
    headers: { 'Content-Type': 'application/json' },
    body: () => JSON.stringify({ ...query, after }), // called before every attempt
  });
  for await (const e of es) {
    show(e.type, e.lastEventId, e.data);
    after = e.lastEventId;
    if (e.type === 'done') break;
  }
  // #endregion
  await feed;
  expect(seen).toEqual(feedEvents);
  // After the drop the POST went again, with Last-Event-ID and a body naming event 3.
  expect(server.requests.map((r) => [r.method, r.lastEventId, JSON.parse(r.body)])).toEqual([
    ['POST', null, { q: 'prices', after: '' }],
    ['POST', '3', { q: 'prices', after: '3' }],
  ]);
});

it('side by side with fetch-event-source: every block reaches onmessage, an event cut by the drop is lost, replayed ones repeat', async () => {
  const server = await feedServer();
  const g = globalThis as { window?: unknown; document?: unknown };
  // fetch-event-source reads window.fetch, window.setTimeout and document.
  g.window = { fetch, setTimeout, clearTimeout };
  g.document = { hidden: false, addEventListener() {}, removeEventListener() {} };
  const messages: EventSourceMessage[] = [];
  const ids = () => messages.map((m) => m.id);
  const [e1, e2, e3, e4, e5, e6] = feedEvents as [Seen, Seen, Seen, Seen, Seen, Seen];
  const publish = (e: Seen) =>
    server.publish(e.data, e.type === 'message' ? { id: e.id } : { event: e.type, id: e.id });
  let closes = 0;
  const stop = new AbortController();
  try {
    const done = fetchEventSource(`${server.url}/api/feed/stream`, {
      openWhenHidden: true,
      signal: stop.signal,
      onmessage: (msg) => messages.push(msg),
      onclose: () => closes++,
    });
    // The feed, step by step as playFeed plays it.
    for (const e of [e1, e2, e3]) publish(e);
    await expect.poll(ids).toContain('3');
    server.faults.dropMidEvent();
    publish(e4);
    publish(e5);
    await expect.poll(ids).toContain('5');
    server.faults.replay(3);
    publish(e6);
    await expect.poll(ids).toContain('6');
    await server.close(); // ends the body cleanly
    await done; // resolved: the end of the body ended it, with no reconnect
  } finally {
    stop.abort();
    delete g.window;
    delete g.document;
  }
  expect(closes).toBe(1);
  // fetch-event-source moves its cursor on the `id:` line of an event not yet
  // complete: the drop cut event 4 after its id, so the reconnect asked for
  // what follows 4, and 4 itself came only with the replay. Each connection's
  // `retry: 50` block reached onmessage as a message with empty data.
  expect(server.requests.map((r) => r.lastEventId)).toEqual([null, '4']);
  expect(messages.map((m) => [m.event, m.id, m.data])).toEqual([
    ['', '', ''],
    ['', '1', '{"n":1}'],
    ['price', '2', '{"n":2}'],
    ['', '3', '{"n":3}'],
    ['', '', ''],
    ['', '5', '{"n":5}'],
    ['', '3', '{"n":3}'],
    ['price', '4', '{"n":4}'],
    ['', '5', '{"n":5}'],
    ['done', '6', '{"n":6}'],
  ]);
});
