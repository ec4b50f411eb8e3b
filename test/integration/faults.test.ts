/**
 * The client against the reference server over real sockets on 127.0.0.1,
 * one test per fault the server can inject: drops, cuts mid-event, silence,
 * statuses, redirects, line endings and byte splits, server restarts. The
 * server sends `retry: 50` and the client's backoff starts at 20 ms, so
 * reconnects stay fast; tests wait for events, never for time. (The cursor
 * across reconnects and restarts: persistence.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSseServer, type SseServer } from '../../server/sse-server.js';
import {
  OpenEvent,
  type ResilientEventSource,
  type ResilientEventSourceInit,
  type StreamErrorEvent,
} from '../../src/index.js';
import { next, ours, range } from '../helpers/events.js';
import { openOn } from '../helpers/reference-server.js';
import { closeAll } from '../helpers/sources.js';

let server: SseServer;
const sources: ResilientEventSource[] = [];
beforeEach(async () => {
  server = await createSseServer({ retry: 50, heartbeatInterval: 0 });
});
afterEach(async () => {
  await closeAll(sources);
  await server.close();
});

const open = (options: ResilientEventSourceInit = {}, url = server.streamUrl) => openOn(sources, url, options);

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
