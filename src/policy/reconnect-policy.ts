/**
 * What happens after an attempt ends, as a pure decision: the outcome and the
 * source's state in, "reconnect after this delay", "fail" or "close" out,
 * with the `error` to report. No timers, no events, no I/O: the class acts
 * on the decision (test/reconnect-policy.test.ts tests it with plain values).
 */
import { computeDelay, type BackoffPolicy } from './backoff.js';
import type { RandomSource } from '../platform/clock.js';
import type { Outcome } from '../attempt/connection.js';
import type { StreamErrorInit } from '../contract/events.js';
import { maxTimerDelay } from '../options/options.js';

/** What the decision depends on. */
export interface PolicyState {
  /** Consecutive failed reconnects since the last connection that delivered an event. */
  failures: number;
  /** [spec] The reconnection time: `initialDelay`, or the server's latest `retry:`. */
  reconnectionTime: number;
  /** Whether the one 401 retry with fresh headers was spent since the last open. */
  reauthenticated: boolean;
  /** Whether the attempt sent a cursor (`Last-Event-ID`). */
  sentCursor: boolean;
  /** Whether it sent the cursor in the URL too (`lastEventIdQuery`). */
  sentCursorInUrl: boolean;
  endOfStream: 'reconnect' | 'close';
  heartbeatTimeout: number;
  maxEventSize: number;
  backoff: BackoffPolicy;
  random: RandomSource;
}

/** What to do next. */
export type Decision =
  /**
   * [spec] "Reestablish the connection": report `error`, wait `delay` ms,
   * connect again. `reauthenticated` spends the 401 retry; `refuseCursor`
   * drops the cursor from later requests (the server refused it).
   */
  | { next: 'reconnect'; error: StreamErrorInit; delay: number; reauthenticated?: true; refuseCursor?: true }
  /** [spec] "Fail the connection": CLOSED, one `error`. */
  | { next: 'fail'; error: StreamErrorInit }
  /** The body ended and `endOfStream` is `'close'`: CLOSED without an error. */
  | { next: 'close' };

/** Decides what an ended attempt leads to. */
export function decide(outcome: Exclude<Outcome, { kind: 'aborted' }>, state: PolicyState): Decision {
  switch (outcome.kind) {
    case 'ended':
      if (state.endOfStream === 'close') return { next: 'close' };
      return reconnect(state, { reason: 'network', message: 'The server ended the stream' });
    case 'network':
      return reconnect(state, { reason: 'network', message: `Network error: ${describe(outcome.cause)}`, cause: outcome.cause });
    case 'request-failed':
      return reconnect(state, { reason: 'network', message: `The headers or body function threw: ${describe(outcome.cause)}`, cause: outcome.cause });
    case 'agent-abort':
      // Only our own aborts are ours to recover from: the browser stopped
      // this request (its stop(), a navigation), as it would EventSource's.
      return { next: 'fail', error: { reason: 'aborted', message: 'The browser aborted the request (its stop(), or a navigation)', cause: outcome.cause } };
    case 'heartbeat-timeout':
      return reconnect(state, { reason: 'heartbeat-timeout', message: `No data within heartbeatTimeout (${state.heartbeatTimeout} ms)` });
    case 'too-large':
      return { next: 'fail', error: { reason: 'too-large', message: `An event exceeded maxEventSize (${state.maxEventSize} characters)` } };
    case 'rejected': {
      const { verdict, headers, body } = outcome;
      const response = { status: verdict.status, headers, body };
      if (verdict.action === 'retry') {
        return reconnect(state, { reason: verdict.reason, message: verdict.message, ...response }, verdict.wait);
      }
      if (verdict.action === 'reauthenticate') {
        if (state.reauthenticated) {
          return { next: 'fail', error: { reason: 'http-status', message: 'Unauthorized (401) again with freshly computed headers', ...response } };
        }
        // One immediate retry, with headers computed again.
        return reconnect(state, { reason: 'http-status', message: verdict.message, ...response }, 0, 'reauthenticated');
      }
      const refused = refusedCursor(verdict.status, state);
      if (refused !== undefined) {
        // Once, at once, without the cursor.
        return reconnect(state, { reason: 'http-status', message: `The server refused the ${refused}; reconnecting without it`, ...response }, 0, 'refuseCursor');
      }
      return { next: 'fail', error: { reason: verdict.reason, message: verdict.message, ...response } };
    }
  }
}

/**
 * What of the cursor the server refused, when the status says the cursor is
 * the problem: Request Header Fields Too Large with a Last-Event-ID sent, or
 * URI Too Long with the cursor in the query. Without a cursor sent either
 * status is final, like any other 4xx.
 */
function refusedCursor(status: number, state: PolicyState): string | undefined {
  if (status === 431 && state.sentCursor) return 'Last-Event-ID (431 Request Header Fields Too Large)';
  if (status === 414 && state.sentCursorInUrl) return 'URL with the last event id in its query (414 URI Too Long)';
  return undefined;
}

/**
 * A reconnect after `error`, unless `maxRetries` consecutive reconnects have
 * failed already. `serverWait` is a `Retry-After` (a floor); a `fix` is the
 * one retry that removes its own cause (fresh headers, no cursor): at once,
 * with that flag set.
 */
function reconnect(state: PolicyState, error: StreamErrorInit, serverWait = 0, fix?: 'reauthenticated' | 'refuseCursor'): Decision {
  const { failures, backoff } = state;
  if (failures >= backoff.maxRetries) {
    return {
      next: 'fail',
      error: {
        reason: 'max-retries',
        status: error.status,
        cause: error.cause,
        message: failures === 0
          ? `Gave up: backoff.maxRetries is 0, so no reconnect is made; ${error.message}`
          : `Gave up after ${failures} consecutive failed reconnects; last: ${error.message}`,
      },
    };
  }
  if (fix) return { next: 'reconnect', error, delay: 0, [fix]: true };
  return { next: 'reconnect', error, delay: Math.min(maxTimerDelay, computeDelay(failures, backoff, state.reconnectionTime, state.random, serverWait)) };
}

/**
 * {@link PolicyState.failures}, kept per source: consecutive failed
 * reconnects, reset once a connection delivered an event (any event counted
 * since the last reading ends the streak).
 */
export interface FailureStreak {
  /** The streak now. */
  get(): number;
  /** Counts one more failure; returns the streak with it (the attempt number that follows it). */
  add(): number;
}

/** @param delivered - the source's count of events delivered so far. */
export function failureStreak(delivered: () => number): FailureStreak {
  let count = 0;
  let mark = 0;
  const get = (): number => {
    const now = delivered();
    if (now !== mark) {
      mark = now;
      count = 0;
    }
    return count;
  };
  return { get, add: () => (count = get() + 1) };
}

/** A cause as text for a message: the error's message (and its cause's), or the value. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
