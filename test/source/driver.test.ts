/**
 * The driver (src/source/driver.ts): the attempt loop and the one owner of
 * readyState, through the public class on a fake fetch whose streams the test
 * controls and a fake clock, so that every delay asserted is the one
 * scheduled. What each request carries; how a response, a status, a silence,
 * an oversized event or a failure ends an attempt; when the next one goes (the
 * backoff as the driver schedules it: d(n) itself is test/policy/backoff.test.ts,
 * the decision test/policy/reconnect-policy.test.ts); reconnect(), wakes,
 * close() and the signal. Callers and servers we do not control (issue 10) are
 * here too: a custom fetch that returns junk or never settles, headers that
 * hang, ids that cannot be sent, futile URLs, aborts by the user agent; each
 * must end in an `error` event or a clean request, never an unhandled
 * rejection (vitest fails the run on one), a hang, or a stream bricked for good.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryStore,
  OpenEvent,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StreamErrorEvent,
} from '../../src/index.js';
import { refusedBodyLimit } from '../../src/attempt/connection.js';
import { createFakeClock, createSleepyClock } from '../helpers/fake-clock.js';
import { createFakeFetch, type FakeFetch } from '../helpers/fake-fetch.js';
import { ours } from '../helpers/events.js';
import { closeAfterEach, failAttempt, fakeSource, settle } from '../helpers/sources.js';

const URL_ = 'http://stream.test/events';
const sources = closeAfterEach();
afterEach(() => {
  vi.unstubAllGlobals();
});

/** A source with no `message` listener (see fakeSource); `fetch` may be a custom one. */
const setup = (options: ResilientEventSourceInit = {}, fetch?: FakeFetch | ResilientEventSourceInit['fetch']) =>
  fakeSource(sources, URL_, options, { fetch });
/** A source whose events are logged in order (`log`, `messages`), a `message` listener included. */
const logged = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options, { log: true });
/** A source on a clock whose device can sleep, so that its wake watch runs (one more timer pending). */
const sleepy = (options: ResilientEventSourceInit = {}) =>
  fakeSource(sources, URL_, options, { clock: createSleepyClock() });

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
});

describe('the open event', () => {
  it('carries the status, the headers and the final URL', async () => {
    const { es, fetch } = setup();
    const opens: OpenEvent[] = [];
    es.addEventListener(
      'open',
      ours(OpenEvent, (e) => opens.push(e)),
    );
    (await fetch.call(0)).respondStream({ 'x-request-id': 'abc', 'x-ratelimit-remaining': '41' });
    await settle();
    expect(opens).toHaveLength(1);
    expect(opens[0]).toBeInstanceOf(OpenEvent);
    expect(opens[0]).toBeInstanceOf(Event);
    expect(opens[0]?.status).toBe(200);
    expect(opens[0]?.headers.get('x-request-id')).toBe('abc');
    expect(opens[0]?.headers.get('x-ratelimit-remaining')).toBe('41');
    expect(opens[0]?.url).toBe(URL_);
  });
});

describe('a custom fetch that misbehaves', () => {
  it.each<[string, () => unknown]>([
    ['null', () => null],
    ['undefined', () => undefined],
    ['a string', () => 'ok'],
    ['an object without headers', () => ({ status: 200 })],
    [
      'a body without getReader (a Node stream, as node-fetch v2 gives)',
      () => ({
        status: 200,
        url: URL_,
        headers: new Headers({ 'content-type': 'text/event-stream' }),
        body: { pipe() {}, on() {} },
      }),
    ],
    [
      'headers whose get() throws',
      () => ({
        status: 200,
        headers: {
          get() {
            throw new Error('boom');
          },
        },
        body: null,
      }),
    ],
  ])('returning %s is a failed attempt with an error event, then a reconnect', async (_, make) => {
    const { es, errors, states, reconnecting, clock } = setup({}, (async () => make()) as never);
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.reason).toBe('network');
    expect(errors[0]?.message).toMatch(/Network error: .+/);
    expect(states).toEqual([es.CONNECTING]);
    expect(es.readyState).toBe(es.CONNECTING);
    expect(reconnecting).toHaveLength(1);
    clock.advance(1000);
    await settle();
    expect(errors).toHaveLength(2);
  });

  it('a fetch that throws synchronously, or rejects with a non-Error, is a failed attempt', async () => {
    const a = setup({}, (() => {
      throw new TypeError('sync boom');
    }) as never);
    const b = setup({}, (() => Promise.reject('just a string')) as never);
    await settle();
    expect(a.errors.map((e) => [e.reason, e.message])).toEqual([['network', 'Network error: sync boom']]);
    expect(b.errors.map((e) => [e.reason, e.message])).toEqual([['network', 'Network error: just a string']]);
  });

  it('never leaves the source OPEN on a junk response', async () => {
    const opened: number[] = [];
    const { es } = setup({}, (async () => ({
      status: 200,
      headers: new Headers({ 'content-type': 'text/event-stream' }),
      body: {},
    })) as never);
    es.addEventListener('open', () => opened.push(1));
    await settle();
    expect(opened).toEqual([]);
    expect(es.readyState).toBe(es.CONNECTING);
  });

  it('receives init.headers as a plain object, so a wrapper that spreads it keeps every header', async () => {
    const inner = createFakeFetch();
    const wrapper = (url: string, init: RequestInit) =>
      inner(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-extra': '1' } });
    const { clock } = setup({ headers: { Authorization: 'Bearer t' } }, wrapper);
    const first = await inner.call(0);
    expect(first.init.headers).toEqual({ accept: 'text/event-stream', authorization: 'Bearer t', 'x-extra': '1' });
    const stream = first.respondStream();
    stream.write('id: 9\ndata: x\n\n');
    stream.close();
    await settle();
    clock.advance(1000);
    expect((await inner.call(1)).init.headers).toEqual({
      accept: 'text/event-stream',
      authorization: 'Bearer t',
      'last-event-id': '9',
      'x-extra': '1',
    });
  });
});

describe('futile URLs and user-agent aborts fail the connection, as EventSource does', () => {
  it.each(['ftp://example.test/', 'about:blank', 'mailto:someone@example.test', "javascript:alert('x')"])(
    '%s with the default fetch: CLOSED, one error, no request',
    async (url) => {
      const spy = vi.fn(() => new Promise<Response>(() => {}));
      vi.stubGlobal('fetch', spy);
      const es = new ResilientEventSource(url, { store: false });
      sources.push(es);
      const errors: [string, number][] = [];
      es.addEventListener(
        'error',
        ours(StreamErrorEvent, (e) => errors.push([e.reason, es.readyState])),
      );
      expect(es.readyState).toBe(es.CONNECTING);
      await settle();
      expect(errors).toEqual([['network', es.CLOSED]]);
      expect(spy).not.toHaveBeenCalled();
    },
  );

  it('a custom fetch may serve other schemes', async () => {
    const fetch = createFakeFetch();
    const es = new ResilientEventSource('app://feed', { store: false, fetch });
    sources.push(es);
    (await fetch.call(0)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
  });

  it('an AbortError we did not cause (window.stop()) fails the connection; no reconnect', async () => {
    const { fetch, errors, states, clock, es } = setup();
    (await fetch.call(0)).fail(new DOMException('The user aborted a request.', 'AbortError'));
    await settle();
    expect(errors.map((e) => e.reason)).toEqual(['aborted']);
    expect(states).toEqual([es.CLOSED]);
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });

  it('the same during the body read', async () => {
    const { fetch, errors, es } = setup();
    const stream = (await fetch.call(0)).respondStream();
    await settle();
    stream.error(new DOMException('aborted', 'AbortError'));
    await settle();
    expect(errors.map((e) => [e.reason, es.readyState])).toEqual([['aborted', es.CLOSED]]);
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

describe('a refused response reaches the app', () => {
  it('a 429 with a JSON body: error carries status, headers and the body text', async () => {
    const { fetch, errors } = setup();
    const body = JSON.stringify({ error: { message: 'quota exceeded', type: 'insufficient_quota' } });
    (await fetch.call(0)).respond(429, { 'content-type': 'application/json', 'retry-after': '5' }, body);
    await settle();
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'http-status', status: 429, body });
    expect(errors[0]?.headers?.get('content-type')).toBe('application/json');
    expect(JSON.parse(errors[0]?.body ?? '{}').error.message).toBe('quota exceeded');
  });

  it('a final 400 ("model not found") closes with the body', async () => {
    const { es, fetch, errors } = setup({ method: 'POST', body: '{}' });
    (await fetch.call(0)).respond(400, { 'content-type': 'application/json' }, '{"error":"model not found"}');
    await settle();
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors[0]?.body).toBe('{"error":"model not found"}');
  });

  it('a wrong content type carries its body too', async () => {
    const { fetch, errors } = setup();
    (await fetch.call(0)).respond(200, { 'content-type': 'text/html' }, '<h1>Login</h1>');
    await settle();
    await settle();
    expect(errors[0]).toMatchObject({ reason: 'content-type', body: '<h1>Login</h1>' });
  });

  it('reads at most 64 KiB of the body', async () => {
    const { fetch, errors } = setup();
    (await fetch.call(0)).respond(503, {}, 'é'.repeat(100_000));
    await settle();
    await settle();
    expect(refusedBodyLimit.bytes).toBe(65_536);
    const text = errors[0]?.body ?? '';
    expect(new TextEncoder().encode(text).byteLength).toBeLessThanOrEqual(65_536 + 3);
    expect(text.length).toBeGreaterThan(30_000);
  });

  it('a body that never ends is read for refusedBodyLimit.ms at most: the decision is not held up longer', async () => {
    const fetch = createFakeFetch();
    const clock = createFakeClock();
    const es = new ResilientEventSource(URL_, {
      clock,
      store: false,
      random: () => 0,
      fetch: async (url, init) => {
        void fetch(url, init);
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode('{"error":"partial'));
          },
        });
        return new Response(body, { status: 503 });
      },
    });
    sources.push(es);
    const errors: StreamErrorEvent[] = [];
    es.addEventListener(
      'error',
      ours(StreamErrorEvent, (e) => errors.push(e)),
    );
    await settle();
    clock.advance(refusedBodyLimit.ms - 1);
    await settle();
    expect(errors).toEqual([]);
    clock.advance(1);
    await settle();
    expect(errors[0]).toMatchObject({ status: 503, body: '{"error":"partial' });
  });
});

describe('endOfStream', () => {
  it("POST streams close when the body ends ('close' by default for non-GET): CLOSED, no error, no second request", async () => {
    const { es, fetch, clock, errors } = setup({ method: 'POST', body: '{"prompt":"hi"}' });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: {"choices":[{"delta":"Hel"}]}\n\ndata: {"choices":[{"delta":"lo"}]}\n\ndata: [DONE]\n\n');
    stream.close();
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(errors).toEqual([]);
    await expect(es.closed).resolves.toBeUndefined();
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });

  it("GET streams reconnect when the body ends (the spec's behaviour), unless endOfStream: 'close'", async () => {
    const a = setup();
    (await a.fetch.call(0)).respondStream().close();
    await settle();
    expect(a.errors.map((e) => e.reason)).toEqual(['network']);
    expect(a.es.readyState).toBe(a.es.CONNECTING);

    const b = setup({ endOfStream: 'close' });
    (await b.fetch.call(0)).respondStream().close();
    await settle();
    expect(b.es.readyState).toBe(b.es.CLOSED);
    expect(b.errors).toEqual([]);
  });

  it("a POST stream may ask to reconnect: endOfStream: 'reconnect'", async () => {
    const { es, fetch } = setup({ method: 'POST', body: '{}', endOfStream: 'reconnect' });
    (await fetch.call(0)).respondStream().close();
    await settle();
    expect(es.readyState).toBe(es.CONNECTING);
  });
});

describe('maxEventSize', () => {
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

describe('heartbeatTimeout covers the whole attempt until the stream opens', () => {
  it('a headers function that never settles: abandoned at heartbeatTimeout, not 1 ms before', async () => {
    const fetch = createFakeFetch();
    let calls = 0;
    const { clock, errors } = setup(
      { heartbeatTimeout: 5000, headers: () => (calls++ === 0 ? new Promise<HeadersInit>(() => {}) : {}) },
      fetch,
    );
    await settle();
    clock.advance(4999);
    await settle();
    expect(errors).toEqual([]);
    clock.advance(1);
    await settle();
    expect(errors.map((e) => e.reason)).toEqual(['heartbeat-timeout']);
    clock.advance(1000);
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });

  it('a fetch that never settles and ignores its signal: abandoned at heartbeatTimeout', async () => {
    let calls = 0;
    const { clock, errors, es } = setup({ heartbeatTimeout: 3000 }, (() => {
      calls++;
      return new Promise<Response>(() => {});
    }) as never);
    await settle();
    clock.advance(2999);
    await settle();
    expect(errors).toEqual([]);
    clock.advance(1);
    await settle();
    expect(errors.map((e) => e.reason)).toEqual(['heartbeat-timeout']);
    expect(es.readyState).toBe(es.CONNECTING);
    clock.advance(1000);
    await settle();
    expect(calls).toBe(2);
  });

  it('close() ends an attempt stuck in a fetch that ignores its signal, and leaves no timer', async () => {
    const { clock, es } = setup({ heartbeatTimeout: 3000 }, (() => new Promise<Response>(() => {})) as never);
    await settle();
    es.close();
    await es.closed;
    expect(clock.pending).toBe(0);
  });

  it('the headers and body functions and the fetch share one budget', async () => {
    const fetch = createFakeFetch();
    const { clock, errors } = setup(
      {
        heartbeatTimeout: 3000,
        method: 'POST',
        headers: () => new Promise<HeadersInit>((resolve) => clock.setTimeout(() => resolve({}), 1500)),
        body: () => new Promise<string>((resolve) => clock.setTimeout(() => resolve('{}'), 1000)),
      },
      fetch,
    );
    await settle();
    clock.advance(1500);
    await settle();
    clock.advance(1000);
    await settle();
    expect(fetch.calls).toHaveLength(1);
    clock.advance(499);
    await settle();
    expect(errors).toEqual([]);
    clock.advance(1);
    await settle();
    expect(errors.map((e) => e.reason)).toEqual(['heartbeat-timeout']);
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

describe('backoff, revised: never earlier than the server asked, never a hot loop', () => {
  it('retry: 0 gives one immediate reconnect, then the wait grows from initialDelay', async () => {
    const { fetch, clock, reconnecting } = setup();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('retry: 0\n\n');
    stream.close();
    await settle();
    for (let n = 1; n <= 3; n++) {
      clock.advance(reconnecting.at(-1)?.delay ?? 0);
      (await fetch.call(n)).fail();
      await settle();
    }
    expect(reconnecting.map((e) => e.delay)).toEqual([0, 2000, 4000, 8000]);
  });

  it('Retry-After: 0 and a date in the past count as 0: the backoff still grows', async () => {
    const { fetch, clock, reconnecting } = setup();
    (await fetch.call(0)).respond(503, { 'retry-after': '0' });
    await settle();
    clock.advance(1000);
    (await fetch.call(1)).respond(503, { 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' });
    await settle();
    clock.advance(2000);
    (await fetch.call(2)).respond(429, { 'retry-after': 'garbage' });
    await settle();
    expect(reconnecting.map((e) => e.delay)).toEqual([1000, 2000, 4000]);
  });

  it('a Retry-After of 999999999 s waits one hour at most, jittered', async () => {
    const { fetch, reconnecting } = setup({ random: () => 0.5 });
    (await fetch.call(0)).respond(503, { 'retry-after': '999999999' });
    await settle();
    expect(reconnecting[0]?.delay).toBe(3_600_000 * 1.25);
  });

  it('jitter lengthens a server retry: value, never shortens it', async () => {
    const { fetch, reconnecting } = setup({ random: () => 0.999 });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('retry: 3000\ndata: x\n\n');
    stream.close();
    await settle();
    expect(reconnecting[0]?.delay).toBe(4499);
  });
});

describe('no cursor bricks a stream', () => {
  it('an id with a control character: reported once, and the requests go without it', async () => {
    const { fetch, clock, errors, es } = setup();
    const first = (await fetch.call(0)).respondStream();
    first.write('id: a\u0001b\ndata: x\n\n');
    first.close();
    await settle();
    expect(es.lastEventId).toBe('a\u0001b');
    clock.advance(1000);
    const second = await fetch.call(1);
    expect(second.headers.has('last-event-id')).toBe(false);
    second.respondStream().close();
    await settle();
    clock.advance(2000);
    expect((await fetch.call(2)).headers.has('last-event-id')).toBe(false);
    const reports = errors.filter((e) => e.message.includes('cannot be sent as a Last-Event-ID header'));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.reason).toBe('network');
  });

  it('a restart from a stored cursor whose id holds a line feed connects', async () => {
    const store = createMemoryStore();
    await store.set(URL_, { lastEventId: 'x\ny', recentIds: ['x\ny'] });
    const { fetch, errors, es } = setup({ store });
    const call = await fetch.call(0);
    expect(call.headers.has('last-event-id')).toBe(false);
    call.respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    expect(errors.map((e) => e.reason)).toEqual(['network']);
  });

  it('431 after sending an id: reported, then at once without it; a 431 without an id is final', async () => {
    const { fetch, clock, errors, states, es, reconnecting } = setup();
    const first = (await fetch.call(0)).respondStream();
    first.write(`id: ${'9'.repeat(20_000)}\ndata: x\n\n`);
    first.close();
    await settle();
    clock.advance(1000);
    (await fetch.call(1)).respond(431);
    await settle();
    expect(errors.at(-1)).toMatchObject({ reason: 'http-status', status: 431 });
    expect(reconnecting.at(-1)?.delay).toBe(0);
    clock.advance(0);
    const third = await fetch.call(2);
    expect(third.headers.has('last-event-id')).toBe(false);
    third.respond(431);
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(states.at(-1)).toBe(es.CLOSED);
  });
});

describe('lastEventIdQuery', () => {
  it('across origins, a 431 is not blamed on a cursor the request carried in its query only: it is final, the cursor kept', async () => {
    vi.stubGlobal('location', { origin: 'http://page.test' });
    const { es, fetch, clock, errors } = setup({ lastEventIdQuery: 'lastEventId' });
    const first = (await fetch.call(0)).respondStream();
    first.write('id: 5\ndata: x\n\n');
    first.close();
    await settle();
    clock.advance(1000);
    const second = await fetch.call(1);
    expect(second.url).toBe(`${URL_}?lastEventId=5`);
    expect(second.headers.has('last-event-id')).toBe(false);
    second.respond(431);
    await settle();
    clock.advance(60_000);
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    expect(fetch.calls).toHaveLength(2);
    expect(errors.at(-1)).toMatchObject({ reason: 'http-status', status: 431 });
    expect(es.lastEventId).toBe('5');
  });

  it('also sends the cursor as that query parameter (and, in Node, as the header)', async () => {
    const { fetch, clock } = setup({ lastEventIdQuery: 'lastEventId' });
    const first = await fetch.call(0);
    expect(first.url).toBe(URL_);
    const stream = first.respondStream();
    stream.write('id: 42 é\ndata: x\n\n');
    stream.close();
    await settle();
    clock.advance(1000);
    const second = await fetch.call(1);
    expect(new URL(second.url).searchParams.get('lastEventId')).toBe('42 é');
    expect(second.url).toBe(`${URL_}?lastEventId=42+%C3%A9`);
    expect(second.headers.has('last-event-id')).toBe(true);
  });

  it('replaces a parameter of that name already in the URL, and keeps the others', async () => {
    const fetch = createFakeFetch();
    const clock = createFakeClock();
    const es = new ResilientEventSource(`${URL_}?topic=a&since=0`, {
      fetch,
      clock,
      random: () => 0,
      store: false,
      lastEventIdQuery: 'since',
    });
    sources.push(es);
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 5\ndata: x\n\n');
    stream.close();
    await settle();
    clock.advance(1000);
    expect((await fetch.call(1)).url).toBe(`${URL_}?topic=a&since=5`);
  });
});

describe('reconnect()', () => {
  it('drops an open stream and connects at once from the current cursor: reconnecting (requested, 0 ms), no error', async () => {
    const { es, fetch, reconnecting, errors } = sleepy();
    const first = await fetch.call(0);
    first.respondStream().write('id: 4\ndata: x\n\n');
    await settle();
    es.reconnect();
    expect(es.readyState).toBe(es.CONNECTING);
    expect(first.aborted).toBe(true);
    expect(reconnecting.map((e) => [e.reason, e.delay, e.attempt])).toEqual([['requested', 0, 1]]);
    expect(errors).toEqual([]);
    const second = await fetch.call(1);
    expect(second.headers.get('last-event-id')).toBe('4');
    second.respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    expect(es.stats.lastReconnectReason).toBe('requested');
  });

  it('cuts a pending wait short', async () => {
    const { es, fetch, clock } = sleepy({ heartbeatTimeout: 0, backoff: { initialDelay: 60_000, maxDelay: 60_000 } });
    (await fetch.call(0)).fail();
    await settle();
    // The 60 s wait and the wake check.
    expect(clock.pending).toBe(2);
    es.reconnect();
    await fetch.call(1);
    expect(clock.pending).toBe(1);
  });

  it('is a no-op once CLOSED', async () => {
    const { es, fetch } = sleepy();
    await fetch.call(0);
    es.close();
    es.reconnect();
    await settle();
    expect(fetch.calls).toHaveLength(1);
    expect(es.readyState).toBe(es.CLOSED);
  });

  type Setup = ReturnType<typeof sleepy>;

  /** Calls reconnect() from the first `type` event that `when` accepts, once. */
  function reconnectOnce(es: Setup['es'], type: 'error' | 'reconnecting', when: (e: Event) => boolean = () => true) {
    let once = true;
    es.addEventListener(type, (e: Event) => {
      if (once && when(e)) {
        once = false;
        es.reconnect();
      }
    });
  }

  /** After close(): the live request aborted, no timer left, and a write on any stream delivers nothing. */
  async function expectAllStopped({ es, fetch, clock }: Setup, streams: { write(text: string): void }[]) {
    const messages: string[] = [];
    es.addEventListener('message', (e) => messages.push(e.data));
    es.close();
    await es.closed;
    for (const stream of streams) {
      try {
        stream.write('data: after-close\n\n');
      } catch {
        // Cancelled by the abort: nothing can arrive on it.
      }
    }
    await settle();
    // The earlier requests ended on their own (failed, or closed by the server); the live one is aborted.
    expect(fetch.calls.at(-1)!.aborted).toBe(true);
    expect(clock.pending).toBe(0);
    expect(messages).toEqual([]);
  }

  it("called from a reconnecting listener: that call's attempt is the only one, and close() stops it", async () => {
    const source = sleepy({ heartbeatTimeout: 0 });
    const { es, fetch, clock, reconnecting } = source;
    reconnectOnce(es, 'reconnecting');
    (await fetch.call(0)).fail();
    const second = (await fetch.call(1)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    // The failure's own wait is not armed: only the wake check is pending.
    expect(clock.pending).toBe(1);
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(2);
    expect(reconnecting.map((e) => e.reason)).toEqual(['network', 'requested']);
    await expectAllStopped(source, [second]);
  });

  it('called from an error listener: one attempt, at once', async () => {
    const source = sleepy({ heartbeatTimeout: 0 });
    const { es, fetch, clock, reconnecting } = source;
    reconnectOnce(es, 'error');
    (await fetch.call(0)).fail();
    const second = (await fetch.call(1)).respondStream();
    await settle();
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(2);
    // The failure's reconnecting event is not fired: the requested attempt replaced it.
    expect(reconnecting.map((e) => e.reason)).toEqual(['requested']);
    await expectAllStopped(source, [second]);
  });

  it('called from the listener of the unsendable-id report (made as an attempt begins): one attempt', async () => {
    const source = sleepy({ heartbeatTimeout: 0 });
    const { es, fetch, clock, errors, reconnecting } = source;
    const first = (await fetch.call(0)).respondStream();
    first.write('id: a\u0001b\ndata: x\n\n');
    await settle();
    reconnectOnce(es, 'error', (e) => (e as StreamErrorEvent).message.includes('cannot be sent'));
    first.close();
    await settle();
    clock.advance(1000);
    const second = (await fetch.call(1)).respondStream();
    await settle();
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[1]!.aborted).toBe(false);
    expect(errors.filter((e) => e.message.includes('cannot be sent'))).toHaveLength(1);
    expect(reconnecting.at(-1)?.reason).toBe('requested');
    expect(es.readyState).toBe(es.OPEN);
    await expectAllStopped(source, [second]);
  });

  it('before the first attempt has started it changes nothing (that attempt is about to go)', async () => {
    const { es, fetch } = sleepy();
    es.reconnect();
    await fetch.call(0);
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('wake from sleep', () => {
  it('an open stream is reconnected at once after the device slept, not after heartbeatTimeout', async () => {
    const { es, fetch, clock, reconnecting } = sleepy({ heartbeatTimeout: 45_000 });
    (await fetch.call(0)).respondStream().write('id: 1\ndata: x\n\n');
    await settle();
    // 20 s asleep: under the heartbeat timeout, so only the wake check can see it.
    clock.sleep(20_000);
    await settle();
    expect(reconnecting.map((e) => [e.reason, e.delay])).toEqual([['wake', 0]]);
    const second = await fetch.call(1);
    expect(second.headers.get('last-event-id')).toBe('1');
    expect(es.stats.lastReconnectReason).toBe('wake');
  });

  it('a pending reconnect wait is left alone by a wake (it fires late anyway)', async () => {
    const { fetch, clock, reconnecting } = sleepy({ backoff: { initialDelay: 600_000, maxDelay: 600_000 } });
    (await fetch.call(0)).fail();
    await settle();
    clock.sleep(10_000);
    await settle();
    expect(reconnecting.map((e) => e.reason)).toEqual(['network']);
    expect(fetch.calls).toHaveLength(1);
  });

  it('the wake timer goes with close()', async () => {
    const { es, fetch, clock } = sleepy({ heartbeatTimeout: 0 });
    (await fetch.call(0)).respondStream();
    await settle();
    expect(clock.pending).toBe(1);
    es.close();
    await es.closed;
    expect(clock.pending).toBe(0);
  });
});

describe('wake in browsers: Page Lifecycle resume, and visible after a silence (a stand-in document)', () => {
  it('resume reconnects an open stream; visible reconnects only a stream silent past its heartbeat', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    (globalThis as { document?: unknown }).document = doc;
    try {
      const { fetch, clock, reconnecting } = sleepy({ heartbeatTimeout: 10_000 });
      (await fetch.call(0)).respondStream().write('data: x\n\n');
      await settle();
      doc.dispatchEvent(new Event('visibilitychange'));
      expect(reconnecting).toEqual([]);
      doc.dispatchEvent(new Event('resume'));
      expect(reconnecting.map((e) => e.reason)).toEqual(['wake']);
      (await fetch.call(1)).respondStream();
      await settle();
      // The watchdog's own timer may sleep with the page: visible after a
      // silence longer than heartbeatTimeout (measured on the wall clock).
      clock.now = (
        (base) => () =>
          base + 10_001
      )(clock.now());
      doc.dispatchEvent(new Event('visibilitychange'));
      expect(reconnecting.map((e) => e.reason)).toEqual(['wake', 'wake']);
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
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
