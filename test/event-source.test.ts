/**
 * The state machine through a fake fetch whose streams the test controls and
 * an injected clock: every delay asserted is the one scheduled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  type LastEventIdStore,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StatsEvent,
  StreamErrorEvent,
  type StoredCursor,
} from '../src/index.js';
import { ours } from './helpers/events.js';
import { closeAfterEach, closeAll, failAttempt, fakeSource, settle } from './helpers/sources.js';

const URL_ = 'http://stream.test/events';
const sources = closeAfterEach();

/** A source whose events are logged in order (`log`, `messages`), a `message` listener included. */
const logged = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options, { log: true });

describe('connecting and reading', () => {
  it('opens, then delivers messages and custom events in order with lastEventId and origin', async () => {
    const { es, fetch, log, messages } = logged();
    const custom: MessageEvent[] = [];
    es.addEventListener('update', (e) => custom.push(e));
    expect(es.readyState).toBe(es.CONNECTING);
    const stream = (await fetch.call(0)).respondStream();
    await settle();
    expect(es.readyState).toBe(ResilientEventSource.OPEN);
    stream.write('id: 1\ndata: a\n\nevent: update\ndata: b\n\ndata: c\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:a', 'message:c']);
    expect(custom.map((e) => [e.type, e.data, e.lastEventId])).toEqual([['update', 'b', '1']]);
    expect(messages.map((e) => e.lastEventId)).toEqual(['1', '1']);
    expect(messages[0]).toBeInstanceOf(MessageEvent);
    expect(messages[0]?.origin).toBe('http://stream.test');
    expect(es.lastEventId).toBe('1');
  });

  it('sends the EventSource request headers, and Last-Event-ID once there is one', async () => {
    const { fetch, clock } = logged({ withCredentials: true });
    const first = await fetch.call(0);
    expect(first.url).toBe(URL_);
    expect(first.init.method).toBe('GET');
    expect(first.init.credentials).toBe('include');
    expect(first.init.cache).toBe('no-store');
    expect(first.headers.get('accept')).toBe('text/event-stream');
    // Nothing the caller did not ask for: any other header would need a CORS preflight.
    expect([...first.headers.keys()]).toEqual(['accept']);
    expect(first.init.headers).toEqual({ accept: 'text/event-stream' });
    expect(first.headers.has('last-event-id')).toBe(false);
    const stream = first.respondStream();
    stream.write('id: 42\ndata: x\n\n');
    stream.close();
    await settle();
    clock.advance(1000);
    expect((await fetch.call(1)).headers.get('last-event-id')).toBe('42');
  });

  it('calls fetch with the global object as `this` (browsers throw "Illegal invocation" otherwise)', async () => {
    let receiver: unknown;
    const es = new ResilientEventSource(URL_, {
      store: false,
      fetch: function (this: unknown) {
        receiver = this;
        return new Promise<Response>(() => {});
      },
    });
    sources.push(es);
    await settle();
    expect(receiver).toBe(globalThis);
  });

  it('sends a non-ASCII last id as its UTF-8 bytes (Headers would throw on the raw string)', async () => {
    const { fetch, clock } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: ünï-😀\ndata: x\n\n');
    stream.close();
    await settle();
    clock.advance(1000);
    const value = (await fetch.call(1)).headers.get('last-event-id') ?? '';
    const bytes = Uint8Array.from(value, (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe('ünï-😀');
  });

  it('calls the headers and body functions before every attempt', async () => {
    let n = 0;
    const { fetch, clock } = logged({
      method: 'post',
      headers: async () => ({ authorization: `Bearer t${++n}` }),
      body: () => JSON.stringify({ n }),
    });
    const first = await fetch.call(0);
    expect(first.init.method).toBe('POST');
    expect(first.headers.get('authorization')).toBe('Bearer t1');
    expect(first.init.body).toBe('{"n":1}');
    first.fail();
    await settle();
    clock.advance(1000);
    const second = await fetch.call(1);
    expect(second.headers.get('authorization')).toBe('Bearer t2');
    expect(second.init.body).toBe('{"n":2}');
  });

  it('lets a listener close the source mid-chunk: nothing after close() is dispatched', async () => {
    const { es, fetch, log } = logged();
    es.addEventListener('message', (e) => {
      if (e.data === 'b') void es.close();
    });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: a\n\ndata: b\n\ndata: c\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:a', 'message:b']);
    expect(es.readyState).toBe(es.CLOSED);
    expect(fetch.calls[0]?.aborted).toBe(true);
  });

  it('supports onopen, onmessage and onerror like EventSource', async () => {
    const { es, fetch } = logged({ backoff: { maxRetries: 0 } });
    const seen: string[] = [];
    es.onopen = function () {
      seen.push(`open:${this === es}`);
    };
    es.onmessage = (e) => seen.push(`message:${e.data}`);
    es.onerror = (e) => seen.push(`error:${e instanceof StreamErrorEvent ? e.reason : "the server's"}`);
    expect(typeof es.onmessage).toBe('function');
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: 1\n\n');
    await settle();
    es.onmessage = null;
    stream.write('data: 2\n\n');
    stream.close();
    await settle();
    expect(seen).toEqual(['open:true', 'message:1', 'error:max-retries']);
    expect(es.onmessage).toBeNull();
  });
});

describe('reconnecting with backoff', () => {
  it('schedules min(maxDelay, base × factor^n) for consecutive failures, with error then reconnecting events', async () => {
    const { es, fetch, clock, log, reconnecting } = logged({ backoff: { initialDelay: 100, maxDelay: 1000 } });
    for (let n = 0; n < 6; n++) {
      await failAttempt(fetch, n);
      expect(es.readyState).toBe(es.CONNECTING);
      clock.advance(reconnecting.at(-1)?.delay ?? 0);
    }
    expect(reconnecting.map((e) => e.delay)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(reconnecting.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reconnecting.every((e) => e.reason === 'network')).toBe(true);
    expect(log.slice(0, 2)).toEqual(['error:network:0', 'reconnecting:1:100']);
  });

  it('reconnects only when the delay has passed, not 1 ms before', async () => {
    const { fetch, clock } = logged({ backoff: { initialDelay: 500 } });
    await failAttempt(fetch, 0);
    clock.advance(499);
    await settle();
    expect(fetch.calls).toHaveLength(1);
    clock.advance(1);
    await fetch.call(1);
    expect(fetch.calls).toHaveLength(2);
  });

  it('applies jitter from the injected random source, lengthening the wait only', async () => {
    const { fetch, reconnecting } = logged({ random: () => 0.5, backoff: { initialDelay: 1000, jitter: 0.5 } });
    await failAttempt(fetch, 0);
    expect(reconnecting[0]?.delay).toBe(1250);
  });

  it('uses the server retry: value as the base', async () => {
    const { fetch, clock, reconnecting } = logged({ backoff: { initialDelay: 1000 } });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('retry: 50\n\n');
    stream.close();
    await settle();
    clock.advance(50);
    await failAttempt(fetch, 1);
    // d(0) = retry: 50; after a failure the wait grows from initialDelay.
    expect(reconnecting.map((e) => e.delay)).toEqual([50, 2000]);
  });

  it('ignores an invalid retry: value', async () => {
    const { fetch, reconnecting } = logged({ backoff: { initialDelay: 1000 } });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('retry: 5s\n\nretry: -1\n\n');
    stream.close();
    await settle();
    expect(reconnecting[0]?.delay).toBe(1000);
  });

  it('resets the failure count after a connection that delivered an event', async () => {
    const { fetch, clock, reconnecting } = logged({ backoff: { initialDelay: 100 } });
    await failAttempt(fetch, 0);
    clock.advance(100);
    await failAttempt(fetch, 1);
    clock.advance(200);
    const stream = (await fetch.call(2)).respondStream();
    stream.write('data: hello\n\n');
    stream.close();
    await settle();
    expect(reconnecting.map((e) => [e.attempt, e.delay])).toEqual([
      [1, 100],
      [2, 200],
      [1, 100],
    ]);
  });

  it('does not reset the count for a connection that only sent comments', async () => {
    const { fetch, clock, reconnecting } = logged({ backoff: { initialDelay: 100 } });
    const stream = (await fetch.call(0)).respondStream();
    stream.write(': ping\n\n');
    stream.close();
    await settle();
    clock.advance(100);
    const again = (await fetch.call(1)).respondStream();
    again.write(': ping\n\n');
    again.close();
    await settle();
    expect(reconnecting.map((e) => e.delay)).toEqual([100, 200]);
  });

  it('gives up after maxRetries consecutive failed reconnects: CLOSED, max-retries, no timer left', async () => {
    const { es, fetch, clock, errors } = logged({ backoff: { initialDelay: 10, maxRetries: 3 } });
    for (let n = 0; n < 4; n++) {
      await failAttempt(fetch, n);
      clock.advance(1000);
    }
    expect(fetch.calls).toHaveLength(4);
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors.map((e) => e.reason)).toEqual(['network', 'network', 'network', 'max-retries']);
    expect(errors.at(-1)?.message).toMatch(
      /Gave up after 3 consecutive failed reconnects; last: Network error: fetch failed/,
    );
    expect(clock.pending).toBe(0);
  });

  it('with maxRetries 0 gives up on the first loss', async () => {
    const { es, fetch, errors } = logged({ backoff: { maxRetries: 0 } });
    await failAttempt(fetch, 0);
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors.map((e) => e.reason)).toEqual(['max-retries']);
    expect(errors[0]?.message).toBe(
      'Gave up: backoff.maxRetries is 0, so no reconnect is made; Network error: fetch failed',
    );
  });

  it('reconnects when the body ends', async () => {
    const { fetch, errors, reconnecting } = logged();
    (await fetch.call(0)).respondStream().close();
    await settle();
    expect(errors[0]?.reason).toBe('network');
    expect(errors[0]?.message).toBe('The server ended the stream');
    expect(reconnecting[0]?.delay).toBe(1000);
  });

  it('reconnects when the body errors mid-stream', async () => {
    const { fetch, errors } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: partial');
    stream.error(new TypeError('terminated'));
    await settle();
    expect(errors[0]).toMatchObject({ reason: 'network', message: 'Network error: terminated' });
    expect(errors[0]?.cause).toBeInstanceOf(TypeError);
  });
});

describe('response statuses', () => {
  it.each([500, 502, 503, 408, 429])('%i reconnects with backoff and carries the status', async (status) => {
    const { es, fetch, errors, reconnecting } = logged();
    (await fetch.call(0)).respond(status);
    await settle();
    expect(es.readyState).toBe(es.CONNECTING);
    expect(errors[0]).toMatchObject({ reason: 'http-status', status });
    expect(reconnecting[0]).toMatchObject({ reason: 'http-status', delay: 1000 });
  });

  it('waits at least Retry-After on a 503, jittered upwards', async () => {
    const { fetch, clock, reconnecting } = logged({ random: () => 0.9 });
    (await fetch.call(0)).respond(503, { 'retry-after': '7' });
    await settle();
    // max(d(0), 7000) × (1 + 0.5 × 0.9)
    expect(reconnecting[0]?.delay).toBe(10_150);
    clock.advance(10_149);
    await settle();
    expect(fetch.calls).toHaveLength(1);
    clock.advance(1);
    await fetch.call(1);
  });

  it('honours a Retry-After date on a 429', async () => {
    const { fetch, clock, reconnecting } = logged();
    const at = new Date(clock.now() + 12_000).toUTCString();
    (await fetch.call(0)).respond(429, { 'retry-after': at });
    await settle();
    expect(reconnecting[0]?.delay).toBe(12_000);
  });

  it('204 closes for good: one error, no reconnect', async () => {
    const { es, fetch, clock, errors } = logged();
    (await fetch.call(0)).respond(204);
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'http-status', status: 204 });
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it.each([400, 403, 404, 410, 201])('%i closes with reason http-status', async (status) => {
    const { es, fetch, errors } = logged();
    (await fetch.call(0)).respond(status, { 'content-type': 'text/event-stream' });
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors.map((e) => [e.reason, e.status, e.message])).toEqual([
      ['http-status', status, `Non-200 status code (${status})`],
    ]);
  });

  it('a wrong content type closes with reason content-type', async () => {
    const { es, fetch, errors } = logged();
    (await fetch.call(0)).respond(200, { 'content-type': 'application/json' }, '{}');
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors[0]).toMatchObject({ reason: 'content-type', status: 200 });
    expect(errors[0]?.message).toContain('"application/json"');
  });

  it('401 with a headers function: one immediate retry with fresh headers', async () => {
    let token = 'stale';
    const { es, fetch, clock, reconnecting } = logged({ headers: () => ({ authorization: `Bearer ${token}` }) });
    (await fetch.call(0)).respond(401);
    token = 'fresh';
    await settle();
    expect(reconnecting[0]).toMatchObject({ delay: 0, reason: 'http-status' });
    clock.advance(0);
    const retry = await fetch.call(1);
    expect(retry.headers.get('authorization')).toBe('Bearer fresh');
    retry.respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
  });

  it('401 twice in a row with a headers function is final', async () => {
    const { es, fetch, clock, errors } = logged({ headers: () => ({ authorization: 'Bearer x' }) });
    (await fetch.call(0)).respond(401);
    await settle();
    clock.advance(0);
    (await fetch.call(1)).respond(401);
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors.map((e) => [e.reason, e.status, es.readyState])).toEqual([
      ['http-status', 401, 2],
      ['http-status', 401, 2],
    ]);
    expect(errors[1]?.message).toMatch(/again with freshly computed headers/);
  });

  it('401, then 503, then 401 is not a second 401 in a row: the token that expired again gets its retry', async () => {
    const { es, fetch, clock, errors } = logged({ headers: () => ({ authorization: 'Bearer x' }) });
    (await fetch.call(0)).respond(401);
    await settle();
    clock.advance(0);
    (await fetch.call(1)).respond(503);
    await settle();
    clock.advance(2000);
    (await fetch.call(2)).respond(401);
    await settle();
    expect(es.readyState).toBe(es.CONNECTING);
    clock.advance(0);
    (await fetch.call(3)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    expect(errors.map((e) => e.status)).toEqual([401, 503, 401]);
  });

  it('401, a retry that opens, then reconnect() and 401 again: an open stream came between, so the 401 gets its retry', async () => {
    const { es, fetch, clock } = logged({ headers: () => ({ authorization: 'Bearer x' }) });
    (await fetch.call(0)).respond(401);
    await settle();
    clock.advance(0);
    (await fetch.call(1)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    es.reconnect();
    (await fetch.call(2)).respond(401);
    await settle();
    expect(es.readyState).toBe(es.CONNECTING);
    clock.advance(0);
    (await fetch.call(3)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
  });

  it('401 with static headers is final at once', async () => {
    const { es, fetch, errors } = logged({ headers: { authorization: 'Bearer x' } });
    (await fetch.call(0)).respond(401);
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors).toHaveLength(1);
  });

  it('a throwing headers function is retried with backoff', async () => {
    const { fetch, clock, errors } = logged({
      headers: () => {
        throw new Error('token service down');
      },
    });
    await settle();
    expect(errors[0]).toMatchObject({ reason: 'network' });
    expect(errors[0]?.message).toContain('token service down');
    expect(fetch.calls).toHaveLength(0);
    expect(clock.scheduled).toContain(1000);
  });
});

describe('heartbeat timeout', () => {
  it('abandons an open stream silent for heartbeatTimeout, not 1 ms earlier', async () => {
    const { fetch, clock, errors } = logged({ heartbeatTimeout: 5000 });
    const call = await fetch.call(0);
    const stream = call.respondStream();
    await settle();
    stream.write(': keep-alive\n\n');
    await settle();
    clock.advance(4999);
    await settle();
    expect(call.aborted).toBe(false);
    clock.advance(1);
    await settle();
    expect(call.aborted).toBe(true);
    expect(errors[0]).toMatchObject({
      reason: 'heartbeat-timeout',
      message: 'No data within heartbeatTimeout (5000 ms)',
    });
  });

  it('counts comment lines as activity', async () => {
    const { fetch, clock } = logged({ heartbeatTimeout: 1000 });
    const call = await fetch.call(0);
    const stream = call.respondStream();
    await settle();
    for (let i = 0; i < 5; i++) {
      clock.advance(900);
      stream.write(': ping\n');
      await settle();
    }
    expect(call.aborted).toBe(false);
  });

  it('abandons an attempt whose response headers never come', async () => {
    const { fetch, clock, reconnecting } = logged({ heartbeatTimeout: 3000 });
    const call = await fetch.call(0);
    clock.advance(2999);
    await settle();
    expect(call.aborted).toBe(false);
    clock.advance(1);
    await settle();
    expect(call.aborted).toBe(true);
    expect(reconnecting[0]?.reason).toBe('heartbeat-timeout');
  });

  it('is off with heartbeatTimeout 0', async () => {
    const { fetch, clock } = logged({ heartbeatTimeout: 0 });
    const call = await fetch.call(0);
    call.respondStream();
    clock.advance(1e9);
    await settle();
    expect(call.aborted).toBe(false);
  });
});

describe('duplicates, ids and limits', () => {
  it('drops events whose explicit id was delivered; never drops events without an id', async () => {
    const { es, fetch, log } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write(
      'id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 1\ndata: a-again\n\ndata: no-id\n\ndata: no-id\n\nid: 3\ndata: c\n\n',
    );
    await settle();
    expect(log).toEqual(['open', 'message:a', 'message:b', 'message:no-id', 'message:no-id', 'message:c']);
    expect(es.stats.duplicatesSuppressed).toBe(1);
    expect(es.lastEventId).toBe('3');
  });

  it('a suppressed duplicate does not move lastEventId back', async () => {
    const { es, fetch } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 1\ndata: a\n\n');
    await settle();
    expect(es.lastEventId).toBe('2');
  });

  it('dedupe: false delivers repeats', async () => {
    const { fetch, log } = logged({ dedupe: false });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\nid: 1\ndata: a\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:a', 'message:a']);
  });

  it('forgets ids beyond the window size', async () => {
    const { fetch, log } = logged({ dedupe: 2 });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\nid: 1\ndata: 1\n\nid: 3\ndata: 3\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:1', 'message:2', 'message:3', 'message:1']);
  });

  it('an empty id: resets the last id, so the next request sends no Last-Event-ID', async () => {
    const { es, fetch, clock, messages } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 7\ndata: a\n\nid\ndata: b\n\n');
    stream.close();
    await settle();
    clock.advance(1000);
    expect(messages.map((e) => e.lastEventId)).toEqual(['7', '']);
    expect(es.lastEventId).toBe('');
    expect((await fetch.call(1)).headers.has('last-event-id')).toBe(false);
  });

  it('an event larger than maxEventSize closes with too-large', async () => {
    const { es, fetch, errors, log } = logged({ maxEventSize: 100 });
    const call = await fetch.call(0);
    const stream = call.respondStream();
    stream.write('data: ok\n\n');
    stream.write(`data: ${'x'.repeat(60)}\n`);
    stream.write(`data: ${'y'.repeat(60)}\n`);
    await settle();
    expect(log).toEqual(['open', 'message:ok', 'error:too-large:2']);
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors[0]?.message).toBe('An event exceeded maxEventSize (100 characters)');
    expect(call.aborted).toBe(true);
  });

  it('an oversized event that arrives within one chunk is caught too', async () => {
    const { es, fetch, log } = logged({ maxEventSize: 100 });
    const stream = (await fetch.call(0)).respondStream();
    stream.write(`data: ${'x'.repeat(101)}\n\ndata: after\n\n`);
    await settle();
    expect(log).toEqual(['open', 'error:too-large:2']);
    expect(es.readyState).toBe(es.CLOSED);
  });

  it('a line that never ends is cut off at maxEventSize, not buffered forever', async () => {
    const { es, fetch } = logged({ maxEventSize: 1000 });
    const stream = (await fetch.call(0)).respondStream();
    for (let i = 0; i < 50; i++) stream.write('z'.repeat(100));
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
  });
});

describe('close() and signal', () => {
  it('close() during a reconnect wait clears the timer and makes no more requests', async () => {
    const { es, fetch, clock } = logged();
    await failAttempt(fetch, 0);
    expect(clock.pending).toBe(1);
    es.close();
    await es.closed;
    expect(clock.pending).toBe(0);
    clock.advance(120_000);
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });

  it('close() aborts the open request and its watchdog', async () => {
    const { es, fetch, clock, log } = logged({ heartbeatTimeout: 1000 });
    const call = await fetch.call(0);
    const stream = call.respondStream();
    await settle();
    es.close();
    await es.closed;
    await settle();
    expect(call.aborted).toBe(true);
    expect(clock.pending).toBe(0);
    expect(() => stream.write('data: late\n\n')).toThrow();
    expect(log).toEqual(['open']);
    expect(es.readyState).toBe(ResilientEventSource.CLOSED);
  });

  it('aborting the signal closes with reason aborted', async () => {
    const controller = new AbortController();
    const { es, fetch, errors, clock } = logged({ signal: controller.signal });
    const call = await fetch.call(0);
    controller.abort(new Error('user left'));
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(call.aborted).toBe(true);
    expect(errors.map((e) => e.reason)).toEqual(['aborted']);
    expect(clock.pending).toBe(0);
  });

  it('an already aborted signal closes without a request', async () => {
    const controller = new AbortController();
    controller.abort();
    const { es, fetch, errors } = logged({ signal: controller.signal });
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors.map((e) => e.reason)).toEqual(['aborted']);
    expect(fetch.calls).toHaveLength(0);
  });
});

describe('the cursor store', () => {
  it('reads the stored cursor before the first request and sends it as Last-Event-ID', async () => {
    const store = createMemoryStore();
    await store.set(URL_, { lastEventId: '99', recentIds: ['98', '99'] });
    const { es, fetch, log } = logged({ store });
    const call = await fetch.call(0);
    expect(call.headers.get('last-event-id')).toBe('99');
    expect(es.lastEventId).toBe('99');
    const stream = call.respondStream();
    // A server that replays 98–99 anyway: the saved window drops them.
    stream.write('id: 98\ndata: old\n\nid: 99\ndata: old\n\nid: 100\ndata: new\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:new']);
  });

  it('saves the id and window under storageKey, flushed by close()', async () => {
    const store = createMemoryStore();
    const { es, fetch } = logged({ store, storageKey: 'feed' });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: a\ndata: 1\n\nid: b\ndata: 2\n\n');
    await settle();
    es.close();
    await es.closed;
    expect(await store.get('feed')).toEqual({ lastEventId: 'b', recentIds: ['a', 'b'] });
  });

  it('a failing store is reported once as reason store, and the stream goes on', async () => {
    const broken: LastEventIdStore = {
      get: () => Promise.reject(new Error('blocked')),
      set: () => Promise.reject(new Error('quota')),
      delete: () => Promise.reject(new Error('nope')),
    };
    const { es, fetch, errors, log } = logged({ store: broken });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
    await settle();
    expect(errors.map((e) => e.reason)).toEqual(['store']);
    expect(errors[0]?.message).toMatch(/using memory instead/);
    expect(log.filter((l) => l.startsWith('message'))).toEqual(['message:a', 'message:b']);
    expect(es.readyState).toBe(es.OPEN);
  });

  it('in a worker (no pagehide to flush on) writes each change once the previous write is done', async () => {
    const g = globalThis as { importScripts?: unknown };
    g.importScripts = () => {};
    try {
      const writes: string[] = [];
      const store: LastEventIdStore = {
        get: async () => undefined,
        set: async (_k, c) => void writes.push(c.lastEventId),
        delete: async () => {},
      };
      const { fetch } = logged({ store });
      const stream = (await fetch.call(0)).respondStream();
      for (const id of ['1', '2', '3']) {
        stream.write(`id: ${id}\ndata: x\n\n`);
        await settle();
      }
      // In a page the second and third would wait out the 500 ms spacing.
      expect(writes).toEqual(['1', '2', '3']);
    } finally {
      delete g.importScripts;
    }
  });

  it('store: false keeps nothing', async () => {
    const { es, fetch } = logged({ store: false });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\n');
    await settle();
    es.close();
    await es.closed;
    const again = logged({ store: false });
    expect((await again.fetch.call(0)).headers.has('last-event-id')).toBe(false);
  });
});

describe('share without Web Locks (Node)', () => {
  it('quietly keeps a private connection', async () => {
    const { es, fetch } = logged({ share: true });
    (await fetch.call(0)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    expect(es.stats.role).toBe('private');
  });
});

describe('stats', () => {
  it('fires a stats event after each change of connection state, for exporters', async () => {
    const { es, fetch, clock } = logged({ backoff: { maxRetries: 1 } });
    const seen: string[] = [];
    es.addEventListener(
      'stats',
      ours(StatsEvent, (e) => seen.push(`${e.stats.connectionAttempts}/${e.stats.reconnects}/${es.readyState}`)),
    );
    (await fetch.call(0)).respondStream().close();
    await settle();
    clock.advance(1000);
    (await fetch.call(1)).fail();
    await settle();
    // open, the reconnect scheduled, the final failure.
    expect(seen).toEqual(['1/0/1', '1/1/0', '2/1/2']);
  });

  it('counts attempts, reconnects, events, duplicates, bytes and times', async () => {
    const { es, fetch, clock } = logged();
    await failAttempt(fetch, 0);
    clock.advance(1000);
    const stream = (await fetch.call(1)).respondStream();
    const payload = 'id: 1\ndata: a\n\nid: 1\ndata: a\n\n';
    stream.write(payload);
    await settle();
    clock.advance(250);
    expect(es.stats).toEqual({
      connectionAttempts: 2,
      reconnects: 1,
      lastReconnectReason: 'network',
      lastReconnectDelay: 1000,
      eventsDelivered: 1,
      duplicatesSuppressed: 1,
      bytesReceived: payload.length,
      msSinceLastByte: 250,
      msSinceLastEvent: 250,
      lastEventId: '1',
      role: 'private',
    });
  });
});

describe('browser life cycle (driven in Node through a stand-in global event target)', () => {
  const globals = globalThis as unknown as Record<string, unknown>;
  let target: EventTarget;
  beforeEach(() => {
    target = new EventTarget();
    globals['addEventListener'] = target.addEventListener.bind(target);
    globals['removeEventListener'] = target.removeEventListener.bind(target);
  });
  afterEach(async () => {
    // The sources first, while the stand-in target they listen on is still there.
    await closeAll(sources);
    delete globals['addEventListener'];
    delete globals['removeEventListener'];
    delete globals['document'];
  });
  const pageEvent = (type: string, persisted = false) => Object.assign(new Event(type), { persisted });

  it('online makes a pending reconnect happen at once', async () => {
    const { fetch, clock } = logged({ backoff: { initialDelay: 60_000 }, heartbeatTimeout: 0 });
    await failAttempt(fetch, 0);
    expect(clock.pending).toBe(1);
    target.dispatchEvent(new Event('online'));
    await fetch.call(1);
    // The 60 s reconnect timer is gone, not left to fire a second request.
    expect(clock.pending).toBe(0);
  });

  it('online does nothing while connected', async () => {
    const { fetch } = logged();
    (await fetch.call(0)).respondStream();
    await settle();
    target.dispatchEvent(new Event('online'));
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });

  it('pagehide stops the stream before saving, so nothing arrives after the save; pageshow from the cache resumes', async () => {
    const store = createMemoryStore();
    const { es, fetch, log } = logged({ store });
    const call = await fetch.call(0);
    const stream = call.respondStream();
    stream.write('id: 1\ndata: a\n\n');
    await settle();
    target.dispatchEvent(pageEvent('pagehide', true));
    expect(call.aborted).toBe(true);
    expect(es.readyState).toBe(es.CONNECTING);
    await settle();
    expect(await store.get(URL_)).toEqual({ lastEventId: '1', recentIds: ['1'] });
    target.dispatchEvent(pageEvent('pageshow', false));
    await settle();
    expect(fetch.calls).toHaveLength(1);
    target.dispatchEvent(pageEvent('pageshow', true));
    expect((await fetch.call(1)).headers.get('last-event-id')).toBe('1');
    expect(log).toEqual(['open', 'message:a']);
  });

  it('close() removes the life-cycle listeners', async () => {
    const { es, fetch, clock } = logged();
    await failAttempt(fetch, 0);
    es.close();
    await es.closed;
    target.dispatchEvent(new Event('online'));
    target.dispatchEvent(pageEvent('pageshow', true));
    await settle();
    expect(fetch.calls).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('pauseWhenHidden: hidden closes the stream, visible reconnects with Last-Event-ID', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    globals['document'] = doc;
    const { es, fetch, errors } = logged({ pauseWhenHidden: true });
    const call = await fetch.call(0);
    call.respondStream().write('id: 3\ndata: x\n\n');
    await settle();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(call.aborted).toBe(true);
    expect(es.readyState).toBe(es.CONNECTING);
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect((await fetch.call(1)).headers.get('last-event-id')).toBe('3');
    expect(errors).toEqual([]);
  });

  it('pauseWhenHidden: a page hidden at start waits until it is visible', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: true });
    globals['document'] = doc;
    const { fetch } = logged({ pauseWhenHidden: true });
    await settle();
    expect(fetch.calls).toHaveLength(0);
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    await fetch.call(0);
  });

  it('pauseWhenHidden: hidden and visible again while the stored cursor is read: one attempt, after the read, with Last-Event-ID', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    globals['document'] = doc;
    let answer!: (cursor: StoredCursor) => void;
    const store = { ...createMemoryStore(), get: () => new Promise<StoredCursor>((resolve) => (answer = resolve)) };
    const { es, fetch } = logged({ pauseWhenHidden: true, store });
    await settle();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(fetch.calls).toHaveLength(0);
    answer({ lastEventId: '42', recentIds: ['42'] });
    expect((await fetch.call(0)).headers.get('last-event-id')).toBe('42');
    await settle();
    expect(fetch.calls).toHaveLength(1);
    es.close();
    expect(fetch.calls[0]!.aborted).toBe(true);
  });

  it('pauseWhenHidden: a source created hidden answers reconnect() once visible', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: true });
    globals['document'] = doc;
    const { es, fetch, reconnecting } = logged({ pauseWhenHidden: true });
    await settle();
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    const first = await fetch.call(0);
    first.respondStream();
    await settle();
    es.reconnect();
    expect(first.aborted).toBe(true);
    expect(reconnecting.map((e) => e.reason)).toEqual(['requested']);
    await fetch.call(1);
  });

  it('without pauseWhenHidden, visibility changes nothing', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    globals['document'] = doc;
    const { fetch } = logged();
    const call = await fetch.call(0);
    call.respondStream();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(call.aborted).toBe(false);
  });
});
