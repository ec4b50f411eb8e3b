/**
 * Request building and response handling through the real global `fetch`,
 * intercepted by msw: what goes out on the wire and how response shapes are
 * read. (Behaviour over real sockets is in test/integration/.)
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ResilientEventSource, type StreamErrorEvent } from '../../src/index.js';
import { next } from '../helpers/events.js';

const URL_ = 'https://api.example.test/v1/stream';
const seen: Request[] = [];
const mock = setupServer();

beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  mock.resetHandlers();
  seen.length = 0;
});
afterAll(() => mock.close());

const eventStream = (text: string, headers: Record<string, string> = {}) =>
  new HttpResponse(new TextEncoder().encode(text), { headers: { 'content-type': 'text/event-stream', ...headers } });

function respondWith(...responses: (() => Response)[]) {
  let n = 0;
  const handler = async ({ request }: { request: Request }) => {
    seen.push(request.clone());
    return (responses[Math.min(n++, responses.length - 1)] as () => Response)();
  };
  mock.use(http.get(URL_, handler), http.post(URL_, handler));
}

describe('the request', () => {
  it("merges the caller's headers with Accept and Last-Event-ID, and adds nothing else", async () => {
    respondWith(
      () => eventStream('id: 5\ndata: x\n\n'),
      () => eventStream(''),
    );
    const es = new ResilientEventSource(URL_, {
      store: false,
      headers: new Headers({ 'X-Trace': 'abc', 'Last-Event-ID': 'spoofed' }),
      backoff: { initialDelay: 1 },
    });
    await next(es, 'message');
    await next(es, 'open');
    es.close();
    await es.closed;
    const [first, second] = seen;
    expect(first?.headers.get('accept')).toBe('text/event-stream');
    expect(first?.headers.has('cache-control')).toBe(false);
    expect([...(first?.headers.keys() ?? [])].sort()).toEqual(['accept', 'x-trace']);
    expect(first?.headers.get('x-trace')).toBe('abc');
    // The source owns Last-Event-ID: a caller's value is never sent.
    expect(first?.headers.has('last-event-id')).toBe(false);
    expect(second?.headers.get('last-event-id')).toBe('5');
  });

  it('lets the caller ask for a more specific Accept', async () => {
    respondWith(() => eventStream('data: x\n\n'));
    const es = new ResilientEventSource(URL_, { store: false, headers: [['accept', 'text/event-stream; v=2']] });
    await next(es, 'message');
    es.close();
    await es.closed;
    expect(seen[0]?.headers.get('accept')).toBe('text/event-stream; v=2');
  });

  it('sends a JSON POST body from an async function', async () => {
    respondWith(() => eventStream('data: token\n\n'));
    const es = new ResilientEventSource(URL_, {
      store: false,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: async () => JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await next(es, 'message');
    es.close();
    await es.closed;
    expect(seen[0]?.method).toBe('POST');
    expect(await seen[0]?.json()).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  });
});

describe('response handling', () => {
  it('reads a content type with parameters in any letter case', async () => {
    respondWith(() => eventStream('data: ok\n\n', { 'content-type': 'Text/Event-Stream;Charset=UTF-8' }));
    const es = new ResilientEventSource(URL_, { store: false });
    const e = await next<MessageEvent>(es, 'message');
    expect(e.data).toBe('ok');
    expect(e.origin).toBe('https://api.example.test');
    es.close();
    await es.closed;
  });

  it('a JSON error body with status 400 becomes a clear error, not a parse attempt', async () => {
    respondWith(() => HttpResponse.json({ error: 'bad request' }, { status: 400 }));
    const es = new ResilientEventSource(URL_, { store: false });
    const e = await next<StreamErrorEvent>(es, 'error');
    expect([e.reason, e.status, e.message, es.readyState]).toEqual([
      'http-status',
      400,
      'Non-200 status code (400)',
      2,
    ]);
  });

  it('a 200 JSON response is a content-type error', async () => {
    respondWith(() => HttpResponse.json({ hello: 'world' }));
    const es = new ResilientEventSource(URL_, { store: false });
    const e = await next<StreamErrorEvent>(es, 'error');
    expect(e.reason).toBe('content-type');
    expect(e.message).toBe('Expected content type "text/event-stream", got "application/json"');
  });

  it('a 503 with Retry-After schedules that wait', async () => {
    respondWith(() => new HttpResponse(null, { status: 503, headers: { 'retry-after': '2' } }));
    const es = new ResilientEventSource(URL_, { store: false, random: () => 0.5 });
    const e = await next<{ delay: number; reason: string } & Event>(es, 'reconnecting');
    // max(d(0), 2000) × (1 + 0.5 × 0.5): a floor, spread upwards.
    expect([e.delay, e.reason]).toEqual([2500, 'http-status']);
    es.close();
    await es.closed;
  });

  it('a network error is reported with its cause and retried', async () => {
    respondWith(() => HttpResponse.error());
    const es = new ResilientEventSource(URL_, { store: false });
    const e = await next<StreamErrorEvent>(es, 'error');
    expect(e.reason).toBe('network');
    expect(e.cause).toBeInstanceOf(TypeError);
    expect(es.readyState).toBe(es.CONNECTING);
    es.close();
    await es.closed;
  });
});
