/**
 * Callers and servers we do not control (issue 10): a custom fetch that
 * returns junk or never settles, a headers function that hangs, a store that
 * throws synchronously or hangs, ids that cannot be sent, futile URLs, aborts
 * by the user agent, and the revised backoff. Each must end in an `error`
 * event or a clean request, never an unhandled rejection (vitest fails the
 * run on one), a hang, or a stream bricked for good.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryStore,
  type LastEventIdStore,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StreamErrorEvent,
} from '../src/index.js';
import { ours } from './helpers/events.js';
import { createFakeClock } from './helpers/fake-clock.js';
import { createFakeFetch, type FakeFetch } from './helpers/fake-fetch.js';
import { closeAfterEach, fakeSource, settle } from './helpers/sources.js';

const URL_ = 'http://stream.test/events';
const sources = closeAfterEach();
afterEach(() => {
  vi.unstubAllGlobals();
});

/** A source with no `message` listener (see fakeSource); `fetch` may be a custom one. */
const setup = (options: ResilientEventSourceInit = {}, fetch?: FakeFetch | ResilientEventSourceInit['fetch']) =>
  fakeSource(sources, URL_, options, { fetch });

describe('close() and closed', () => {
  it('close() returns undefined, as EventSource.close() does', () => {
    const { es } = setup();
    expect(es.close()).toBeUndefined();
    expect(es.close()).toBeUndefined();
    expect(es.readyState).toBe(es.CLOSED);
  });

  it('closed resolves after close(), once the cursor is saved', async () => {
    const writes: string[] = [];
    const memory = createMemoryStore();
    let release!: () => void;
    const store: LastEventIdStore = {
      ...memory,
      set: async (key, cursor) => {
        await new Promise<void>((resolve) => (release = resolve));
        writes.push(cursor.lastEventId);
        return memory.set(key, cursor);
      },
    };
    const { es, fetch } = setup({ store });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 7\ndata: x\n\n');
    await settle();
    let closed = false;
    void es.closed.then(() => (closed = true));
    es.close();
    await settle();
    expect(closed).toBe(false);
    release();
    await settle();
    release?.();
    await es.closed;
    expect(writes.at(-1)).toBe('7');
  });

  it('closed resolves on a final failure, on the signal and on maxRetries, and never rejects', async () => {
    const a = setup();
    (await a.fetch.call(0)).respond(204);
    await expect(a.es.closed).resolves.toBeUndefined();

    const controller = new AbortController();
    const b = setup({ signal: controller.signal });
    controller.abort();
    await expect(b.es.closed).resolves.toBeUndefined();

    const c = setup({ backoff: { maxRetries: 0 } });
    (await c.fetch.call(0)).fail();
    await expect(c.es.closed).resolves.toBeUndefined();
    expect(c.errors.at(-1)?.reason).toBe('max-retries');
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

describe('the store, hostile', () => {
  it('a get() that throws synchronously is reported to a listener added right after the constructor', async () => {
    const store: LastEventIdStore = {
      get: () => {
        throw new Error('sync get');
      },
      set: async () => {},
      delete: async () => {},
    };
    const fetch = createFakeFetch();
    const es = new ResilientEventSource(URL_, { store, fetch, clock: createFakeClock() });
    sources.push(es);
    const reasons: string[] = [];
    es.addEventListener(
      'error',
      ours(StreamErrorEvent, (e) => reasons.push(e.reason)),
    );
    await fetch.call(0);
    expect(reasons).toEqual(['store']);
  });

  it('close() while get() hangs leaves no timer behind (a Node process can exit)', async () => {
    const clock = createFakeClock();
    const store: LastEventIdStore = { get: () => new Promise(() => {}), set: async () => {}, delete: async () => {} };
    const es = new ResilientEventSource(URL_, { store, fetch: createFakeFetch(), clock });
    await settle();
    expect(clock.pending).toBe(1);
    es.close();
    await es.closed;
    expect(clock.pending).toBe(0);
  });
});

describe('lastEventIdQuery', () => {
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
