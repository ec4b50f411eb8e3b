/**
 * One attempt on its own (src/attempt/connection.ts): a stop ends it at once, and
 * whatever the request was waiting on is not acted on afterwards — no fetch
 * after a stop during a slow request build, and a body that arrives after a
 * stop is released, not read.
 */
import { describe, expect, it } from 'vitest';
import { type ConnectionCallbacks, openConnection, type Outcome } from '../../src/attempt/connection.js';
import { createMonotonicFakeClock } from '../helpers/fake-clock.js';

const URL_ = 'http://stream.test/events';
const encoder = new TextEncoder();

/** A body the test controls, that records whether it was cancelled. */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => void (state.cancelled = true),
  });
  return {
    body,
    state,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: (e: unknown) => controller.error(e),
  };
}

const eventStream = (body: ReadableStream<Uint8Array>) =>
  new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });

function recorder() {
  const log: string[] = [];
  const callbacks: ConnectionCallbacks = {
    onOpen: (status) => log.push(`open ${status}`),
    onEvent: (type, data, id) => log.push(`${type} ${data} ${id}`),
    onId: (id) => log.push(`id ${id}`),
    onRetry: (ms) => log.push(`retry ${ms}`),
    onBytes: (count) => log.push(`bytes ${count}`),
  };
  return { log, callbacks };
}

function open(
  fetch: (url: string, init: RequestInit) => unknown,
  callbacks: ConnectionCallbacks,
  prepare: () => RequestInit | Promise<RequestInit> = () => ({}),
) {
  const clock = createMonotonicFakeClock();
  const connection = openConnection(
    { url: URL_, prepare, fetch: fetch as never, clock, heartbeatTimeout: 5000, maxEventSize: 1024 },
    callbacks,
  );
  return { connection, clock };
}

describe('openConnection', () => {
  it('reads events until the body ends', async () => {
    const { log, callbacks } = recorder();
    const stream = controlledBody();
    const { connection } = open(async () => eventStream(stream.body), callbacks);
    const chunks = ['id: 1\ndata: a\n\nretry: 50\n', 'data: b\r\n\r\n'];
    for (const chunk of chunks) stream.push(chunk);
    stream.end();
    expect(await connection.done).toEqual({ kind: 'ended' });
    expect(log).toEqual([
      'open 200',
      `bytes ${chunks[0]!.length}`,
      'message a 1',
      'retry 50',
      `bytes ${chunks[1]!.length}`,
      'message b undefined',
    ]);
  });

  it('a stop while the request is built: settled at once, and fetch is never called', async () => {
    const { callbacks } = recorder();
    let finishPrepare!: (init: RequestInit) => void;
    let fetches = 0;
    const { connection } = open(
      async () => void fetches++,
      callbacks,
      () => new Promise<RequestInit>((resolve) => (finishPrepare = resolve)),
    );
    connection.abort();
    expect(await connection.done).toEqual({ kind: 'aborted' });
    finishPrepare({});
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fetches).toBe(0);
  });

  it('a response that arrives after a stop (a fetch that ignores its signal) is released, not read', async () => {
    const { log, callbacks } = recorder();
    const stream = controlledBody();
    let respond!: (response: Response) => void;
    const { connection } = open(() => new Promise<Response>((resolve) => (respond = resolve)), callbacks);
    await new Promise((resolve) => setTimeout(resolve, 0));
    connection.abort();
    expect(await connection.done).toEqual({ kind: 'aborted' });
    respond(eventStream(stream.body));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stream.state.cancelled).toBe(true);
    expect(log).toEqual([]);
  });

  it('a stop from an open listener: the body is released and no byte is read', async () => {
    const { log, callbacks } = recorder();
    const stream = controlledBody();
    stream.push('data: never seen\n\n');
    let connection!: ReturnType<typeof open>['connection'];
    ({ connection } = open(async () => eventStream(stream.body), {
      ...callbacks,
      onOpen: () => {
        log.push('open');
        connection.abort();
      },
    }));
    expect(await connection.done).toEqual({ kind: 'aborted' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stream.state.cancelled).toBe(true);
    expect(log).toEqual(['open']);
  });

  it('a stop from an event listener ends the attempt mid-chunk', async () => {
    const { log, callbacks } = recorder();
    const stream = controlledBody();
    let connection!: ReturnType<typeof open>['connection'];
    ({ connection } = open(async () => eventStream(stream.body), {
      ...callbacks,
      onEvent: (_, data) => {
        log.push(data);
        connection.abort();
      },
    }));
    const chunk = 'data: first\n\ndata: second\n\n';
    stream.push(chunk);
    expect(await connection.done).toEqual({ kind: 'aborted' });
    expect(log).toEqual(['open 200', `bytes ${chunk.length}`, 'first']);
  });

  it('what fetch returns must be a Response: the error names what came back', async () => {
    const { callbacks } = recorder();
    const outcomes: Outcome[] = [];
    for (const value of [null, 'ok', { status: 200 }, { status: 200, headers: new Headers(), body: { pipe() {} } }]) {
      outcomes.push(await open(async () => value, callbacks).connection.done);
    }
    expect(outcomes.map((o) => (o.kind === 'network' ? String(o.cause) : o.kind))).toEqual([
      'TypeError: The fetch function returned null, not a Response with a readable body',
      'TypeError: The fetch function returned a string, not a Response with a readable body',
      'TypeError: The fetch function returned an object without status and headers, not a Response with a readable body',
      'TypeError: The fetch function returned a response whose body is not a web ReadableStream (no getReader(); a Node stream?), not a Response with a readable body',
    ]);
  });

  it('a body that fails mid-read is a network outcome with its cause; a request that cannot be built is request-failed', async () => {
    const { callbacks } = recorder();
    const stream = controlledBody();
    const cause = new Error('socket hang up');
    const reading = open(async () => eventStream(stream.body), callbacks).connection.done;
    stream.push('data: a\n');
    stream.fail(cause);
    expect(await reading).toEqual({ kind: 'network', cause });
    const boom = new Error('no token');
    expect(
      await open(
        async () => undefined,
        callbacks,
        () => Promise.reject(boom),
      ).connection.done,
    ).toEqual({ kind: 'request-failed', cause: boom });
  });

  it('a refused response: its verdict, headers and body text', async () => {
    const { log, callbacks } = recorder();
    const outcome = await open(
      async () => new Response('{"error":"quota exceeded"}', { status: 503, headers: { 'retry-after': '2' } }),
      callbacks,
    ).connection.done;
    // (What a 503 leads to, Retry-After read, is the policy's: test/policy/reconnect-policy.test.ts.)
    expect(outcome).toMatchObject({
      kind: 'rejected',
      verdict: { accept: false, reason: 'http-status', status: 503 },
      body: '{"error":"quota exceeded"}',
    });
    expect(outcome.kind === 'rejected' && outcome.headers.get('retry-after')).toBe('2');
    expect(log).toEqual([]);
  });
});
