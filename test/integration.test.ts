/**
 * The client against the reference server over real sockets on 127.0.0.1,
 * one test per fault the server can inject. The server sends `retry: 50` and
 * the client's backoff starts at 20 ms, so reconnects stay fast; tests wait for
 * events, never for time.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSseServer, type SseServer } from '../server/sse-server.js';
import { createFileStore } from '../src/node.js';
import {
  createMemoryStore,
  OpenEvent,
  ReconnectingEvent,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StoreError,
  StreamErrorEvent,
} from '../src/index.js';
import { next, ours, range, recorder } from './helpers/events.js';

let server: SseServer;
let sources: ResilientEventSource[] = [];

beforeEach(async () => {
  server = await createSseServer({ retry: 50, heartbeatInterval: 0 });
});
afterEach(async () => {
  await Promise.all(
    sources.map((s) => {
      s.close();
      return s.closed;
    }),
  );
  sources = [];
  await server.close();
});

function open(options: ResilientEventSourceInit = {}, url = server.streamUrl) {
  const es = new ResilientEventSource(url, { store: false, backoff: { initialDelay: 20, maxDelay: 200 }, ...options });
  sources.push(es);
  const errors: StreamErrorEvent[] = [];
  const reconnects: ReconnectingEvent[] = [];
  es.addEventListener(
    'error',
    ours(StreamErrorEvent, (e) => errors.push(e)),
  );
  es.addEventListener(
    'reconnecting',
    ours(ReconnectingEvent, (e) => reconnects.push(e)),
  );
  return { es, got: recorder(es), errors, reconnects };
}

describe('a healthy stream', () => {
  it('delivers the backlog and live events in order with ids and data', async () => {
    server.publishMany(3);
    const { es, got } = open();
    await next(es, 'open');
    server.publishMany(2);
    await got.until(5);
    expect(got.ids).toEqual(range(1, 5));
    expect(got.data).toEqual(range(1, 5).map((n) => JSON.stringify({ n: Number(n) })));
    expect(es.readyState).toBe(es.OPEN);
  });

  it('sends the EventSource request headers', async () => {
    const { es } = open({ headers: { 'x-app': 'demo' } });
    await next(es, 'open');
    expect(server.requests[0]).toMatchObject({ method: 'GET', accept: 'text/event-stream', lastEventId: null });
    // `Cache-Control: no-cache` still arrives: fetch itself adds it (and
    // `Pragma`) for `cache: 'no-store'` ([fetch] HTTP-network-or-cache fetch),
    // after the CORS check, as it does for the native EventSource. We pass none.
    expect(server.requests[0]?.cacheControl).toBe('no-cache');
  });

  it('delivers custom event types and multi-line data', async () => {
    const { es } = open();
    const updates: MessageEvent[] = [];
    es.addEventListener('update', (e: MessageEvent) => updates.push(e));
    await next(es, 'open');
    server.publish('line 1\nline 2', { event: 'update' });
    await next(es, 'update');
    expect(updates.map((e) => [e.type, e.data, e.lastEventId, e.origin])).toEqual([
      ['update', 'line 1\nline 2', '1', server.url],
    ]);
  });

  it('POST streams send the body, recomputed per attempt', async () => {
    let n = 0;
    const { es, got } = open({ method: 'POST', body: () => JSON.stringify({ prompt: 'hi', attempt: ++n }) });
    server.publishMany(1);
    await got.until(1);
    server.faults.dropAll();
    await next(es, 'open');
    expect(server.requests.map((r) => [r.method, r.body])).toEqual([
      ['POST', '{"prompt":"hi","attempt":1}'],
      ['POST', '{"prompt":"hi","attempt":2}'],
    ]);
  });
});

describe('network faults', () => {
  it('a dropped socket: reconnects with Last-Event-ID and misses nothing', async () => {
    server.publishMany(5);
    const { es, got, errors, reconnects } = open();
    await got.until(5);
    server.faults.dropAll();
    await next(es, 'reconnecting');
    server.publishMany(5);
    await got.until(10);
    expect(got.ids).toEqual(range(1, 10));
    expect(errors[0]?.reason).toBe('network');
    expect(reconnects[0]).toMatchObject({ attempt: 1, reason: 'network' });
    expect(server.requests[1]?.lastEventId).toBe('5');
  });

  it('a drop in the middle of an event: the half event is discarded, then received whole', async () => {
    server.publishMany(2);
    const { es, got } = open();
    await got.until(2);
    server.faults.dropMidEvent();
    server.publish('a long event that will be cut in half by the server');
    await next(es, 'reconnecting');
    await got.until(3);
    expect(got.ids).toEqual(['1', '2', '3']);
    expect(got.data[2]).toBe('a long event that will be cut in half by the server');
  });

  it('a silent, half-open stream is abandoned after heartbeatTimeout, then resumed', async () => {
    // This server pings every 50 ms, 10× inside the timeout: the silenced
    // stream times out, the resumed one never does, however slow the machine.
    await server.close();
    server = await createSseServer({ retry: 50, heartbeatInterval: 50 });
    server.publishMany(1);
    const { es, got, errors } = open({ heartbeatTimeout: 500 });
    await got.until(1);
    server.faults.silence();
    server.publishMany(1);
    const error = await next<StreamErrorEvent>(es, 'error');
    expect(error.reason).toBe('heartbeat-timeout');
    await got.until(2);
    expect(got.ids).toEqual(['1', '2']);
    expect(errors.map((e) => e.reason)).toEqual(['heartbeat-timeout']);
  });

  it('response headers that never come are abandoned after heartbeatTimeout', async () => {
    server.faults.delayHeaders(5000);
    const { es } = open({ heartbeatTimeout: 200 });
    const error = await next<StreamErrorEvent>(es, 'error');
    expect(error.reason).toBe('heartbeat-timeout');
    server.faults.delayHeaders(0);
    await next(es, 'open');
  });

  it('a server that is down: backoff grows until it is back', async () => {
    const port = server.port;
    await server.close();
    const { es, reconnects } = open({ random: () => 0 }, `http://127.0.0.1:${port}/stream`);
    while (reconnects.length < 3) await next(es, 'reconnecting');
    expect(reconnects.slice(0, 3).map((e) => e.delay)).toEqual([20, 40, 80]);
    server = await createSseServer({ port, retry: 50, heartbeatInterval: 0 });
    await next(es, 'open', 5000);
  });
});

describe('statuses', () => {
  it('503 with Retry-After waits what the server asked', async () => {
    server.faults.failNext(503, { retryAfter: '1' });
    const { es, errors, reconnects } = open();
    await next(es, 'open', 5000);
    expect(errors[0]).toMatchObject({ reason: 'http-status', status: 503 });
    // Retry-After: 1 is a floor under the backoff, jittered upwards (jitter 0.5 by default).
    expect(reconnects[0]?.delay).toBeGreaterThanOrEqual(1000);
    expect(reconnects[0]?.delay).toBeLessThan(1500);
  });

  it('429 and 500 are retried', async () => {
    server.faults.failNext(429);
    server.faults.failNext(500);
    const { es, errors } = open();
    await next(es, 'open');
    expect(errors.map((e) => e.status)).toEqual([429, 500]);
  });

  it('401 until the token changes: one retry with freshly computed headers', async () => {
    let token = 'old';
    server.faults.requireToken('new');
    const { es, errors } = open({
      headers: () => {
        const headers = { authorization: `Bearer ${token}` };
        token = 'new';
        return headers;
      },
    });
    await next(es, 'open');
    expect(errors.map((e) => e.status)).toEqual([401]);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('401 again with fresh headers is final', async () => {
    server.faults.requireToken('secret');
    const { es, errors } = open({ headers: () => ({ authorization: 'Bearer wrong' }) });
    await next(es, 'error');
    const final = await next<StreamErrorEvent>(es, 'error');
    expect(final).toMatchObject({ reason: 'http-status', status: 401 });
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('204 stops for good', async () => {
    server.faults.stop();
    const { es } = open();
    const error = await next<StreamErrorEvent>(es, 'error');
    expect(error).toMatchObject({ reason: 'http-status', status: 204 });
    expect(es.readyState).toBe(es.CLOSED);
    expect(server.requests).toHaveLength(1);
  });

  it('a wrong content type fails clearly', async () => {
    server.faults.contentType('text/html');
    const { es } = open();
    const error = await next<StreamErrorEvent>(es, 'error');
    expect(error).toMatchObject({ reason: 'content-type', status: 200 });
    expect(error.message).toBe('Expected content type "text/event-stream", got "text/html"');
    expect(es.readyState).toBe(es.CLOSED);
  });

  it('a Content-Type header sent twice (text/event-stream, text/event-stream) opens, as EventSource does', async () => {
    server.faults.contentType(['text/event-stream', 'text/event-stream; charset=utf-8']);
    server.publishMany(2);
    const { got, errors } = open();
    await got.until(2);
    expect(errors).toEqual([]);
  });

  it('a Content-Type whose last value is another type is refused', async () => {
    server.faults.contentType(['text/event-stream', 'text/html']);
    const { es, errors } = open();
    await next(es, 'error');
    expect(errors.map((e) => [e.reason, e.message])).toEqual([
      ['content-type', 'Expected content type "text/event-stream", got "text/event-stream, text/html"'],
    ]);
  });

  it('404 fails with the status', async () => {
    const { es } = open({}, `${server.url}/nope`);
    const error = await next<StreamErrorEvent>(es, 'error');
    expect(error).toMatchObject({ reason: 'http-status', status: 404, message: 'Non-200 status code (404)' });
  });
});

describe('redirects', () => {
  it.each([301, 302, 307, 308])(
    "after a %i to another origin, every reconnect starts at the stream's own URL, and the caller's Authorization never reaches the other origin",
    async (status) => {
      const target = await createSseServer({ retry: 50, heartbeatInterval: 0 });
      try {
        server.faults.redirect(`${target.streamUrl}?from=redirect`, status);
        target.publishMany(2);
        let token = 0;
        const { es, got } = open({ headers: () => ({ Authorization: `Bearer t${++token}` }) });
        const opened: string[] = [];
        es.addEventListener(
          'open',
          ours(OpenEvent, (e) => opened.push(e.url)),
        );
        await got.until(2);
        target.faults.dropAll();
        target.publishMany(1);
        await got.until(3);
        // open reports where the stream was served from.
        expect(opened).toEqual([`${target.streamUrl}?from=redirect`, `${target.streamUrl}?from=redirect`]);
        // Each attempt asked the stream's own origin first, with the caller's token…
        expect(server.requests.map((r) => [r.url, r.authorization])).toEqual([
          ['/stream', 'Bearer t1'],
          ['/stream', 'Bearer t2'],
        ]);
        // …and the other origin got the redirected requests, without it (fetch drops it on a cross-origin hop).
        expect(target.requests.map((r) => [r.url, r.authorization, r.lastEventId])).toEqual([
          ['/stream?from=redirect', null, null],
          ['/stream?from=redirect', null, '2'],
        ]);
        expect(got.ids).toEqual(range(1, 3));
      } finally {
        for (const s of sources) s.close();
        await target.close();
      }
    },
  );
});

describe('server events named like ours', () => {
  it('error, open, reconnecting and stats from the server reach their listeners and on-handlers as MessageEvents, counted and in order', async () => {
    server.publish('e', { event: 'error' });
    server.publish('o', { event: 'open' });
    server.publish('r', { event: 'reconnecting' });
    server.publish('s', { event: 'stats' });
    server.publish('m');
    const { es, got } = open();
    const seen: string[] = [];
    for (const type of ['error', 'open', 'reconnecting', 'stats']) {
      es.addEventListener(type, (e) => {
        if (e instanceof MessageEvent) seen.push(`${e.type}:${e.data}:${e.lastEventId}:${e.origin}`);
      });
    }
    const handled: string[] = [];
    es.onerror = (e) => handled.push(e instanceof MessageEvent ? `onerror:${e.data}` : `onerror:${e.reason}`);
    es.onopen = (e) => handled.push(e instanceof MessageEvent ? `onopen:${e.data}` : 'onopen:ours');
    await got.until(1);
    const origin = new URL(server.url).origin;
    expect(seen).toEqual([
      `error:e:1:${origin}`,
      `open:o:2:${origin}`,
      `reconnecting:r:3:${origin}`,
      `stats:s:4:${origin}`,
    ]);
    expect(handled).toEqual(['onopen:ours', 'onerror:e', 'onopen:o']);
    expect(es.stats.eventsDelivered).toBe(5);
    expect(es.readyState).toBe(es.OPEN);
  });
});

describe('bytes on the wire', () => {
  it.each(['lf', 'cr', 'crlf'] as const)('%s line endings', async (eol) => {
    server.wire.eol = eol;
    server.publish('one\ntwo');
    server.publish('three');
    const { got } = open();
    await got.until(2);
    expect(got.data).toEqual(['one\ntwo', 'three']);
  });

  it('1-byte writes with multi-byte characters', async () => {
    server.wire.chunking = 'bytes';
    server.publish('héllo wörld 😀');
    server.publish('中文 ✓');
    const { got } = open();
    await got.until(2);
    expect(got.data).toEqual(['héllo wörld 😀', '中文 ✓']);
  });

  it('writes split inside a multi-byte character', async () => {
    server.wire.chunking = 'split';
    for (let i = 0; i < 20; i++) server.publish(`€${i}😀`);
    const { got } = open();
    await got.until(20);
    expect(got.data).toEqual(Array.from({ length: 20 }, (_, i) => `€${i}😀`));
  });
});

describe('duplicates', () => {
  it('events the server replays are suppressed', async () => {
    server.publishMany(10);
    const { es, got } = open();
    await got.until(10);
    server.faults.replay(5);
    server.publishMany(1);
    await got.until(11);
    expect(got.ids).toEqual(range(1, 11));
    expect(es.stats.duplicatesSuppressed).toBe(5);
  });

  it('non-ASCII ids survive a reconnect: the server gets the id as UTF-8', async () => {
    server.publish('a', { id: 'ünï-😀-1' });
    const { es, got } = open();
    await got.until(1);
    server.faults.dropAll();
    await next(es, 'open');
    const raw = server.requests[1]?.lastEventId ?? '';
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe('ünï-😀-1');
  });

  it('a server that ignores Last-Event-ID and replays from the start: still exactly once', async () => {
    server.publishMany(5);
    const { es, got } = open();
    await got.until(5);
    // A proxy that strips Last-Event-ID looks, to the server, like a new client.
    server.faults.dropAll();
    server.faults.replay(0);
    await next(es, 'open');
    server.faults.replay(5);
    server.publishMany(1);
    await got.until(6);
    expect(got.ids).toEqual(range(1, 6));
  });
});

describe('cursors that cannot be sent (none may brick the stream)', () => {
  it('a 20 KB id: the server answers 431, the source reconnects once without it, and nothing repeats', async () => {
    server.publishMany(2);
    const big = 'x'.repeat(20_000);
    server.publish('big', { id: big });
    const { es, got, errors } = open();
    await got.until(3);
    server.faults.dropAll();
    server.publishMany(2);
    await got.until(5);
    // Node's HTTP server refuses headers over 16 KB with 431 before our
    // handler sees the request; the retry without Last-Event-ID gets the
    // whole backlog, and the dedupe window drops what was shown.
    expect(errors.map((e) => [e.reason, e.status])).toEqual([
      ['network', undefined],
      ['http-status', 431],
    ]);
    expect(got.ids).toEqual(['1', '2', big, '4', '5']);
    expect(es.readyState).toBe(es.OPEN);
    expect(server.requests.at(-1)?.lastEventId).toBeNull();
    expect(es.stats.duplicatesSuppressed).toBe(3);
  });

  it('an id with a control character: the requests go without it, reported once; a restart from it connects', async () => {
    const store = createMemoryStore();
    server.publish('a', { id: 'a\u0001b' });
    const first = open({ store });
    await first.got.until(1);
    server.faults.dropAll();
    await next(first.es, 'open');
    server.faults.dropAll();
    await next(first.es, 'open');
    expect(server.requests.map((r) => r.lastEventId)).toEqual([null, null, null]);
    expect(first.errors.filter((e) => /cannot be sent/.test(e.message))).toHaveLength(1);
    first.es.close();
    await first.es.closed;
    expect((await store.get(server.streamUrl))?.lastEventId).toBe('a\u0001b');
    // A new process with that stored cursor: it connects, and the replayed event is known.
    server.publishMany(1);
    const second = open({ store });
    await second.got.until(1);
    expect(second.got.ids).toEqual(['2']);
    expect(second.es.stats.duplicatesSuppressed).toBe(1);
  });
});

describe('lastEventIdQuery', () => {
  it('a 5,000-character id refused with 414 (the URI too long for a proxy): reported once, then without the cursor; a restart from it connects too', async () => {
    const store = createMemoryStore();
    const long = 'x'.repeat(5000);
    server.faults.maxUrlLength(4096);
    server.publish('a', { id: long });
    const first = open({ store, lastEventIdQuery: 'lastEventId' });
    await first.got.until(1);
    server.faults.dropAll();
    server.publish('b', { id: 'next' });
    await first.got.until(2);
    expect(first.errors.map((e) => [e.reason, e.status])).toEqual([
      ['network', undefined],
      ['http-status', 414],
    ]);
    expect(first.errors[1]?.message).toBe(
      'The server refused the URL with the last event id in its query (414 URI Too Long); reconnecting without it',
    );
    // (The server replayed from the start: `a` was suppressed by id.)
    expect(first.got.data).toEqual(['a', 'b']);
    first.es.close();
    await first.es.closed;
    // A restart from a stored long id: refused once, then connects.
    await store.set(server.streamUrl, { lastEventId: long, recentIds: [long] });
    const second = open({ store, lastEventIdQuery: 'lastEventId' });
    await next(second.es, 'open');
    expect(second.errors.map((e) => e.status)).toEqual([414]);
  });

  it('after an empty id: neither the header nor the query parameter is sent', async () => {
    server.publish('a', { id: '41' });
    const { es, got } = open({ lastEventIdQuery: 'lastEventId' });
    await got.until(1);
    server.faults.dropAll();
    await next(es, 'open');
    server.publish('reset', { id: '' });
    await got.until(2);
    server.faults.dropAll();
    await next(es, 'open');
    expect(server.requests.map((r) => [r.url, r.lastEventId])).toEqual([
      ['/stream', null],
      ['/stream?lastEventId=41', '41'],
      ['/stream', null],
    ]);
  });
});

describe('persistence', () => {
  it('a new source for the same stream resumes from the stored cursor: no gap, no repeat', async () => {
    const store = createMemoryStore();
    server.publishMany(4);
    const first = open({ store });
    await first.got.until(4);
    first.es.close();
    await first.es.closed;
    server.publishMany(3);
    const second = open({ store });
    await second.got.until(3);
    expect(second.got.ids).toEqual(range(5, 7));
    expect(server.requests.at(-1)?.lastEventId).toBe('4');
  });

  it('sources with different storageKeys keep separate cursors', async () => {
    const store = createMemoryStore();
    server.publishMany(2);
    const a = open({ store, storageKey: 'a' });
    await a.got.until(2);
    a.es.close();
    await a.es.closed;
    const b = open({ store, storageKey: 'b' });
    await b.got.until(2);
    expect(b.got.ids).toEqual(['1', '2']);
    expect(await store.get('a')).toEqual({ lastEventId: '2', recentIds: ['1', '2'] });
  });

  it('a store that fails is reported once and the stream goes on', async () => {
    const store = {
      get: () => Promise.reject(new Error('disk gone')),
      set: () => Promise.reject(new Error('disk gone')),
      delete: () => Promise.reject(new Error('disk gone')),
    };
    server.publishMany(3);
    const { got, errors } = open({ store });
    await got.until(3);
    expect(errors.map((e) => e.reason)).toEqual(['store']);
    expect(got.ids).toEqual(range(1, 3));
  });
});

describe('two open sources, one storageKey (two users relaying one URL in one process)', () => {
  it("the later one keeps its own cursor, reported once naming the key; neither sends the other's Last-Event-ID", async () => {
    const store = createMemoryStore();
    server.publishMany(5);
    const alice = open({ store, headers: { Authorization: 'Bearer alice' } });
    await alice.got.until(5);
    const bob = open({ store, headers: { Authorization: 'Bearer bob' } });
    await bob.got.until(5);
    // Bob starts from nothing: every event, none skipped because Alice saw it.
    expect(bob.got.ids).toEqual(range(1, 5));
    const bobRequests = server.requests.filter((r) => r.authorization === 'Bearer bob');
    expect(bobRequests.map((r) => r.lastEventId)).toEqual([null]);
    expect(bob.errors.map((e) => [e.reason, e.message])).toEqual([
      [
        'store',
        `Another open source uses storageKey "${server.streamUrl}" in the same store: this one keeps its cursor in memory only. Streams that differ per user need a storageKey per user`,
      ],
    ]);
    expect(alice.errors).toEqual([]);
    // Bob's cursor never reaches the store: what is stored is Alice's alone.
    server.publishMany(1);
    await alice.got.until(6);
    await bob.got.until(6);
    bob.es.close();
    alice.es.close();
    await Promise.all([alice.es.closed, bob.es.closed]);
    expect(await store.get(server.streamUrl)).toEqual({ lastEventId: '6', recentIds: range(1, 6) });
  });

  it('a key is free again once its source is closed: close() and a new source at once (React StrictMode) resumes', async () => {
    const store = createMemoryStore();
    server.publishMany(3);
    const first = open({ store });
    await first.got.until(3);
    first.es.close();
    const second = open({ store });
    server.publishMany(1);
    await second.got.until(1);
    expect(second.got.ids).toEqual(['4']);
    expect(second.errors).toEqual([]);
  });

  it('two file stores on one directory are one store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'res-es-'));
    try {
      server.publishMany(2);
      const a = open({ store: createFileStore(dir) });
      await a.got.until(2);
      const b = open({ store: createFileStore(dir) });
      await b.got.until(2);
      expect(b.errors.map((e) => e.reason)).toEqual(['store']);
      expect(b.got.ids).toEqual(['1', '2']);
    } finally {
      for (const s of sources) s.close();
      await Promise.all(sources.map((s) => s.closed));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a corrupt cursor file', () => {
  it('is reported once, the stream starts without it, and the next save rewrites it: the restart after that resumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'res-es-'));
    try {
      const store = createFileStore(dir);
      await store.set(server.streamUrl, { lastEventId: '1', recentIds: ['1'] });
      const [file] = await readdir(dir);
      await writeFile(join(dir, file ?? ''), '{"key":"torn');
      server.publishMany(3);
      const first = open({ store: createFileStore(dir) });
      await first.got.until(3);
      expect(first.errors.map((e) => [e.reason, e.cause instanceof StoreError && e.cause.corrupt])).toEqual([
        ['store', true],
      ]);
      expect(first.errors[0]?.message).toMatch(/; starting without it, and the next save replaces it$/);
      first.es.close();
      await first.es.closed;
      // Still the file store, not memory: the file is whole again.
      expect(await createFileStore(dir).get(server.streamUrl)).toEqual({ lastEventId: '3', recentIds: range(1, 3) });
      server.publishMany(2);
      const second = open({ store: createFileStore(dir) });
      await second.got.until(2);
      expect(second.got.ids).toEqual(['4', '5']);
      expect(second.errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a corrupt cursor file, and no event', () => {
  it('is replaced even when the stream delivers nothing: the next start does not trip on it again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'res-es-'));
    try {
      const store = createFileStore(dir);
      await store.set(server.streamUrl, { lastEventId: '1', recentIds: ['1'] });
      const [file] = await readdir(dir);
      await writeFile(join(dir, file ?? ''), '{"key":"torn');
      const first = open({ store: createFileStore(dir) });
      await next(first.es, 'open');
      first.es.close();
      await first.es.closed;
      expect(first.errors.map((e) => e.reason)).toEqual(['store']);
      // An empty cursor is stored as no file at all.
      expect(await readdir(dir)).toEqual([]);
      const second = open({ store: createFileStore(dir) });
      await next(second.es, 'open');
      expect(second.errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('limits and closing', () => {
  it('an oversized event fails the stream with too-large and does not buffer it', async () => {
    server.publish('x'.repeat(10_000));
    const { es } = open({ maxEventSize: 1000 });
    const error = await next<StreamErrorEvent>(es, 'error');
    expect(error.reason).toBe('too-large');
    expect(es.readyState).toBe(es.CLOSED);
  });

  it('maxRetries: gives up against a server that keeps failing', async () => {
    server.faults.failNext(503, { times: 100 });
    const { es, errors } = open({ backoff: { initialDelay: 5, maxDelay: 5, maxRetries: 3 } });
    while (es.readyState !== es.CLOSED) await next(es, 'error');
    expect(errors.map((e) => e.reason)).toEqual(['http-status', 'http-status', 'http-status', 'max-retries']);
    expect(errors.at(-1)?.status).toBe(503);
    expect(server.requests).toHaveLength(4);
  });

  it('close() releases the socket on the server', async () => {
    const { es } = open();
    await next(es, 'open');
    expect(server.openStreams).toBe(1);
    es.close();
    await es.closed;
    await expect.poll(() => server.openStreams).toBe(0);
  });

  it('a server restart (connections refused for a while): resumes after it, nothing lost', async () => {
    server.publishMany(2);
    const { es, got, errors } = open({ random: () => 0 });
    await got.until(2);
    const restarted = server.faults.restart(300);
    server.publishMany(2);
    await restarted;
    await got.until(4);
    expect(got.ids).toEqual(range(1, 4));
    expect(errors.every((e) => e.reason === 'network')).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(es.readyState).toBe(es.OPEN);
  });

  it('a rotated token: 401, then one immediate retry with the token the headers function fetches anew', async () => {
    server.publishMany(1);
    // A token cache as apps have one: each call hands out what it holds, then
    // refreshes from the issuer, so the first attempt after a rotation is stale.
    let cached: string | undefined;
    const headers = () => {
      const token = cached;
      cached = server.faults.issuedToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    };
    const { es, got, errors, reconnects } = open({ headers });
    await got.until(1);
    const token = server.faults.rotateToken();
    server.faults.dropAll();
    server.publishMany(1);
    await got.until(2);
    expect(server.requests.map((r) => [r.authorization, r.status])).toEqual([
      [null, 200],
      [null, 401],
      [`Bearer ${token}`, 200],
    ]);
    expect(errors.slice(-2).map((e) => [e.reason, e.status])).toEqual([
      ['network', undefined],
      ['http-status', 401],
    ]);
    expect(reconnects.at(-1)?.delay).toBe(0);
    expect(es.readyState).toBe(es.OPEN);
  });

  it('graceful server shutdown ends the stream; the client reconnects when it is back', async () => {
    server.publishMany(1);
    const port = server.port;
    const { es, got } = open();
    await got.until(1);
    await server.close();
    await next(es, 'error');
    expect(es.readyState).toBe(es.CONNECTING);
    server = await createSseServer({ port, retry: 50, heartbeatInterval: 0 });
    server.publishMany(2);
    await got.until(2);
    expect(got.ids).toEqual(['1', '2']);
  });
});
