/** The reconnect policy as a pure decision: outcome + state in, what to do out. No timers. Every status rule is here. */
import { describe, expect, it } from 'vitest';
import { defaultBackoff } from '../../src/contract/defaults.js';
import { type AttemptState, decide, type PolicyOptions } from '../../src/policy/reconnect-policy.js';

const now = Date.parse('2026-11-21T12:00:00Z');
const options = (over: Partial<PolicyOptions> = {}): PolicyOptions => ({
  endOfStream: 'reconnect',
  heartbeatTimeout: 45_000,
  maxEventSize: 100,
  backoff: { ...defaultBackoff },
  random: () => 0,
  headersAreFunction: false,
  ...over,
});
const state = (over: Partial<AttemptState> = {}): AttemptState => ({
  failures: 0,
  reconnectionTime: 1000,
  reauthenticated: false,
  sentCursor: false,
  sentCursorInUrl: false,
  now,
  ...over,
});
const headers = new Headers({ 'content-type': 'application/json' });
type Rejected = Extract<Parameters<typeof decide>[0], { kind: 'rejected' }>;
/** A refused response: its status, the content type it had, the headers and body that travel with the error. */
const rejected = (
  status: number,
  extra: { body?: string; headers?: Record<string, string>; contentType?: boolean } = {},
): Rejected => ({
  kind: 'rejected',
  verdict: extra.contentType
    ? {
        accept: false,
        reason: 'content-type',
        status,
        message: 'Expected content type "text/event-stream", got "text/html"',
      }
    : { accept: false, reason: 'http-status', status, message: `Non-200 status code (${status})` },
  headers: extra.headers ? new Headers(extra.headers) : headers,
  body: extra.body,
});

describe('decide', () => {
  it('a lost connection reconnects after d(n), growing with the failures', () => {
    expect(
      [0, 1, 2].map((failures) =>
        decide({ kind: 'network', cause: new TypeError('x') }, options(), state({ failures })),
      ),
    ).toEqual([
      {
        next: 'reconnect',
        delay: 1000,
        fix: undefined,
        error: { reason: 'network', message: 'Network error: x', cause: new TypeError('x') },
      },
      { next: 'reconnect', delay: 2000, fix: undefined, error: expect.objectContaining({ reason: 'network' }) },
      { next: 'reconnect', delay: 4000, fix: undefined, error: expect.objectContaining({ reason: 'network' }) },
    ]);
  });

  it('the end of the body reconnects, or closes without an error with endOfStream: close', () => {
    expect(decide({ kind: 'ended' }, options(), state())).toMatchObject({
      next: 'reconnect',
      delay: 1000,
      error: { reason: 'network' },
    });
    expect(decide({ kind: 'ended' }, options({ endOfStream: 'close' }), state())).toEqual({ next: 'close' });
  });

  it('gives up with max-retries after maxRetries consecutive failures, keeping the last status', () => {
    const d = decide(rejected(503), options({ backoff: { ...defaultBackoff, maxRetries: 3 } }), state({ failures: 3 }));
    expect(d).toMatchObject({ next: 'fail', error: { reason: 'max-retries', status: 503 } });
    expect(d.next === 'fail' && d.error.message).toBe(
      'Gave up after 3 consecutive failed reconnects; last: Non-200 status code (503): reconnecting',
    );
  });

  it('a Retry-After is a floor, and the refused response travels with the error', () => {
    const d = decide(
      rejected(429, { body: '{"error":"slow down"}', headers: { 'retry-after': '7' } }),
      options(),
      state(),
    );
    expect(d).toMatchObject({ next: 'reconnect', delay: 7000, error: { status: 429, body: '{"error":"slow down"}' } });
  });

  it('401 with a headers function: one immediate retry, then final', () => {
    expect(decide(rejected(401), options({ headersAreFunction: true }), state({ failures: 4 }))).toMatchObject({
      next: 'reconnect',
      delay: 0,
      fix: 'reauthenticate',
    });
    expect(
      decide(rejected(401), options({ headersAreFunction: true }), state({ reauthenticated: true })),
    ).toMatchObject({ next: 'fail', error: { status: 401 } });
  });

  it('431 after sending a cursor: at once without it; without a cursor it is final', () => {
    expect(decide(rejected(431), options(), state({ sentCursor: true }))).toMatchObject({
      next: 'reconnect',
      delay: 0,
      fix: 'refuse-cursor',
      error: { status: 431 },
    });
    expect(decide(rejected(431), options(), state())).toMatchObject({ next: 'fail', error: { status: 431 } });
  });

  it('414 after sending the cursor in the query: at once without it; a 414 without one, or with the cursor in the header only, is final', () => {
    expect(decide(rejected(414), options(), state({ sentCursor: true, sentCursorInUrl: true }))).toMatchObject({
      next: 'reconnect',
      delay: 0,
      fix: 'refuse-cursor',
      error: {
        status: 414,
        message:
          'The server refused the URL with the last event id in its query (414 URI Too Long); reconnecting without it',
      },
    });
    expect(decide(rejected(414), options(), state({ sentCursor: true }))).toMatchObject({
      next: 'fail',
      error: { status: 414 },
    });
    expect(decide(rejected(414), options(), state())).toMatchObject({ next: 'fail', error: { status: 414 } });
  });

  it('fails at once on a user-agent abort, a too-large event and a final status', () => {
    expect(decide({ kind: 'agent-abort', cause: 'x' }, options(), state())).toMatchObject({
      next: 'fail',
      error: { reason: 'aborted' },
    });
    expect(decide({ kind: 'too-large' }, options(), state())).toMatchObject({
      next: 'fail',
      error: { reason: 'too-large', message: 'An event exceeded maxEventSize (100 characters)' },
    });
    expect(decide(rejected(200, { body: '<html>', contentType: true }), options(), state())).toMatchObject({
      next: 'fail',
      error: { reason: 'content-type', body: '<html>' },
    });
  });

  it('a heartbeat timeout and a failing headers function reconnect with their own messages', () => {
    expect(decide({ kind: 'heartbeat-timeout' }, options(), state())).toMatchObject({
      next: 'reconnect',
      error: { reason: 'heartbeat-timeout', message: 'No data within heartbeatTimeout (45000 ms)' },
    });
    expect(
      decide(
        { kind: 'request-failed', cause: new Error('no token', { cause: new Error('offline') }) },
        options(),
        state(),
      ),
    ).toMatchObject({
      next: 'reconnect',
      error: { reason: 'network', message: 'The headers or body function threw: no token (offline)' },
    });
  });
});

describe('the status rules, all of them here', () => {
  it('stops on 204', () => {
    expect(decide(rejected(204), options(), state())).toMatchObject({
      next: 'fail',
      error: { reason: 'http-status', status: 204, message: 'The server answered 204 No Content: the stream is over' },
    });
  });

  it.each([500, 502, 503, 504, 599, 408, 429])('retries %i, with the backoff and no server wait', (status) => {
    expect(decide(rejected(status), options(), state())).toMatchObject({
      next: 'reconnect',
      delay: 1000,
      error: { reason: 'http-status', status },
    });
  });

  it('honours Retry-After on 503 and 429 only, seconds or an HTTP date (against the wall clock)', () => {
    expect(decide(rejected(503, { headers: { 'retry-after': '3' } }), options(), state())).toMatchObject({
      next: 'reconnect',
      delay: 3000,
    });
    expect(
      decide(rejected(429, { headers: { 'retry-after': 'Sat, 21 Nov 2026 12:00:10 GMT' } }), options(), state()),
    ).toMatchObject({ delay: 10_000 });
    expect(decide(rejected(500, { headers: { 'retry-after': '3' } }), options(), state())).toMatchObject({
      next: 'reconnect',
      delay: 1000,
    });
  });

  it('asks for fresh headers on 401 only when headers are a function', () => {
    expect(decide(rejected(401), options({ headersAreFunction: true }), state())).toMatchObject({
      next: 'reconnect',
      fix: 'reauthenticate',
      error: { status: 401 },
    });
    expect(decide(rejected(401), options(), state())).toMatchObject({
      next: 'fail',
      error: { reason: 'http-status', status: 401 },
    });
  });

  it.each([201, 301, 400, 403, 404, 410])('fails %i with its status', (status) => {
    const d = decide(rejected(status), options({ headersAreFunction: true }), state());
    expect(d).toMatchObject({ next: 'fail', error: { reason: 'http-status', status } });
    expect(d.next === 'fail' && d.error.message).toBe(`Non-200 status code (${status})`);
  });
});
