/** The reconnect policy as a pure decision: outcome + state in, what to do out. No timers. */
import { describe, expect, it } from 'vitest';
import { defaultBackoff } from '../src/policy/backoff.js';
import { decide, failureStreak, type PolicyState } from '../src/policy/reconnect-policy.js';

const state = (over: Partial<PolicyState> = {}): PolicyState => ({
  failures: 0,
  reconnectionTime: 1000,
  reauthenticated: false,
  sentCursor: false,
  sentCursorInUrl: false,
  endOfStream: 'reconnect',
  heartbeatTimeout: 45_000,
  maxEventSize: 100,
  backoff: { ...defaultBackoff },
  random: () => 0,
  ...over,
});
const headers = new Headers({ 'content-type': 'application/json' });
const rejected = (verdict: Parameters<typeof decide>[0] & { kind: 'rejected' } extends { verdict: infer V } ? V : never, body?: string) =>
  ({ kind: 'rejected', verdict, headers, body }) as const;

describe('decide', () => {
  it('a lost connection reconnects after d(n), growing with the failures', () => {
    expect([0, 1, 2].map((failures) => decide({ kind: 'network', cause: new TypeError('x') }, state({ failures })))).toEqual([
      { next: 'reconnect', delay: 1000, error: { reason: 'network', message: 'Network error: x', cause: new TypeError('x') } },
      { next: 'reconnect', delay: 2000, error: expect.objectContaining({ reason: 'network' }) },
      { next: 'reconnect', delay: 4000, error: expect.objectContaining({ reason: 'network' }) },
    ]);
  });

  it('the end of the body reconnects, or closes without an error with endOfStream: close', () => {
    expect(decide({ kind: 'ended' }, state())).toMatchObject({ next: 'reconnect', delay: 1000, error: { reason: 'network' } });
    expect(decide({ kind: 'ended' }, state({ endOfStream: 'close' }))).toEqual({ next: 'close' });
  });

  it('gives up with max-retries after maxRetries consecutive failures, keeping the last status', () => {
    const d = decide(rejected({ action: 'retry', reason: 'http-status', status: 503, message: 'm', wait: undefined }), state({ failures: 3, backoff: { ...defaultBackoff, maxRetries: 3 } }));
    expect(d).toMatchObject({ next: 'fail', error: { reason: 'max-retries', status: 503 } });
    expect(d.next === 'fail' && d.error.message).toBe('Gave up after 3 consecutive failed reconnects; last: m');
  });

  it('a Retry-After is a floor, and the refused response travels with the error', () => {
    const d = decide(rejected({ action: 'retry', reason: 'http-status', status: 429, message: 'm', wait: 7000 }, '{"error":"slow down"}'), state());
    expect(d).toMatchObject({ next: 'reconnect', delay: 7000, error: { status: 429, body: '{"error":"slow down"}', headers } });
  });

  it('401 with a headers function: one immediate retry, then final', () => {
    const verdict = { action: 'reauthenticate', status: 401, message: 'Unauthorized (401): retrying once with fresh headers' } as const;
    expect(decide(rejected(verdict), state({ failures: 4 }))).toMatchObject({ next: 'reconnect', delay: 0, reauthenticated: true });
    expect(decide(rejected(verdict), state({ reauthenticated: true }))).toMatchObject({ next: 'fail', error: { status: 401 } });
  });

  it('431 after sending a cursor: at once without it; without a cursor it is final', () => {
    const verdict = { action: 'fail', reason: 'http-status', status: 431, message: 'Non-200 status code (431)' } as const;
    expect(decide(rejected(verdict), state({ sentCursor: true }))).toMatchObject({ next: 'reconnect', delay: 0, refuseCursor: true, error: { status: 431 } });
    expect(decide(rejected(verdict), state())).toMatchObject({ next: 'fail', error: { status: 431 } });
  });

  it('414 after sending the cursor in the query: at once without it; a 414 without one, or with the cursor in the header only, is final', () => {
    const verdict = { action: 'fail', reason: 'http-status', status: 414, message: 'Non-200 status code (414)' } as const;
    expect(decide(rejected(verdict), state({ sentCursor: true, sentCursorInUrl: true }))).toMatchObject({
      next: 'reconnect',
      delay: 0,
      refuseCursor: true,
      error: { status: 414, message: 'The server refused the URL with the last event id in its query (414 URI Too Long); reconnecting without it' },
    });
    expect(decide(rejected(verdict), state({ sentCursor: true }))).toMatchObject({ next: 'fail', error: { status: 414 } });
    expect(decide(rejected(verdict), state())).toMatchObject({ next: 'fail', error: { status: 414 } });
  });

  it('fails at once on a user-agent abort, a too-large event and a final status', () => {
    expect(decide({ kind: 'agent-abort', cause: 'x' }, state())).toMatchObject({ next: 'fail', error: { reason: 'aborted' } });
    expect(decide({ kind: 'too-large' }, state())).toMatchObject({ next: 'fail', error: { reason: 'too-large', message: 'An event exceeded maxEventSize (100 characters)' } });
    expect(decide(rejected({ action: 'fail', reason: 'content-type', status: 200, message: 'm' }, '<html>'), state())).toMatchObject({ next: 'fail', error: { reason: 'content-type', body: '<html>' } });
  });

  it('a heartbeat timeout and a failing headers function reconnect with their own messages', () => {
    expect(decide({ kind: 'heartbeat-timeout' }, state())).toMatchObject({ next: 'reconnect', error: { reason: 'heartbeat-timeout', message: 'No data within heartbeatTimeout (45000 ms)' } });
    expect(decide({ kind: 'request-failed', cause: new Error('no token', { cause: new Error('offline') }) }, state())).toMatchObject({
      next: 'reconnect',
      error: { reason: 'network', message: 'The headers or body function threw: no token (offline)' },
    });
  });
});

describe('failureStreak', () => {
  it('counts consecutive failures and starts over once an event was delivered in between', () => {
    let delivered = 0;
    const streak = failureStreak(() => delivered);
    expect(streak.get()).toBe(0);
    expect(streak.add()).toBe(1);
    expect(streak.add()).toBe(2);
    expect(streak.get()).toBe(2);
    delivered = 5;
    expect(streak.get()).toBe(0);
    expect(streak.add()).toBe(1);
    // An event delivered since the last reading ends the streak even when add() reads it.
    delivered = 6;
    expect(streak.add()).toBe(1);
    expect(streak.get()).toBe(1);
  });
});
