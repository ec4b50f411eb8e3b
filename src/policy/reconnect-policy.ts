/**
 * What happens after an attempt ends, as a pure decision: the outcome and the
 * source's state in, "reconnect after this delay", "fail" or "close" out,
 * with the `error` to report. Every rule about a response's status lives
 * here (the attempt only says whether it was an event stream). No timers, no
 * events, no I/O: the driver acts on the decision
 * (test/policy/reconnect-policy.test.ts tests it with plain values).
 */
import type { Outcome } from '../attempt/connection.js';
import type { StreamErrorInit } from '../contract/events.js';
import type { BackoffPolicy } from '../contract/types.js';
import { maxTimerDelay, type RandomSource } from '../platform/clock.js';
import { computeDelay, parseRetryAfter } from './backoff.js';

/** What the decision depends on that stays the same for a source. */
export interface PolicyOptions {
  endOfStream: 'reconnect' | 'close';
  heartbeatTimeout: number;
  maxEventSize: number;
  backoff: BackoffPolicy;
  random: RandomSource;
  /** Whether headers are computed per attempt, which makes a 401 worth one retry with fresh ones. */
  headersAreFunction: boolean;
}

/** The source's state when an attempt ends. */
export interface AttemptState {
  /** Consecutive failed reconnects since the last connection that delivered an event. */
  failures: number;
  /** [spec] The reconnection time: `initialDelay`, or the server's latest `retry:`. */
  reconnectionTime: number;
  /** Whether this attempt was the one retry after a 401 (with fresh headers). */
  reauthenticated: boolean;
  /** Whether the attempt sent a cursor (`Last-Event-ID`). */
  sentCursor: boolean;
  /** Whether it sent the cursor in the URL too (`lastEventIdQuery`). */
  sentCursorInUrl: boolean;
  /** The wall clock, ms since the epoch, for a `Retry-After` date. */
  now: number;
}

/** A retry that removes its own cause, at once: fresh headers after a 401, or no cursor after the server refused it. */
export type Fix = 'reauthenticate' | 'refuse-cursor';

/** What to do next. */
export type Decision =
  /** [spec] "Reestablish the connection": report `error`, wait `delay` ms, connect again (with the `fix`, if any). */
  | { next: 'reconnect'; error: StreamErrorInit; delay: number; fix: Fix | undefined }
  /** [spec] "Fail the connection": CLOSED, one `error`. */
  | { next: 'fail'; error: StreamErrorInit }
  /** The body ended and `endOfStream` is `'close'`: CLOSED without an error. */
  | { next: 'close' };

/** Decides what an ended attempt leads to. */
export function decide(
  outcome: Exclude<Outcome, { kind: 'aborted' }>,
  options: PolicyOptions,
  state: AttemptState,
): Decision {
  const retry = (error: StreamErrorInit) => reconnect(options, state, error, { serverWait: 0, fix: undefined });
  switch (outcome.kind) {
    case 'ended':
      if (options.endOfStream === 'close') return { next: 'close' };
      return retry({ reason: 'network', message: 'The server ended the stream' });
    case 'network':
      return retry({
        reason: 'network',
        message: `Network error: ${describeCause(outcome.cause)}`,
        cause: outcome.cause,
      });
    case 'request-failed':
      return retry({
        reason: 'network',
        message: `The headers or body function threw: ${describeCause(outcome.cause)}`,
        cause: outcome.cause,
      });
    case 'agent-abort':
      // Only our own aborts are ours to recover from: the browser stopped
      // this request (its stop(), a navigation), as it would EventSource's.
      return {
        next: 'fail',
        error: {
          reason: 'aborted',
          message: 'The browser aborted the request (its stop(), or a navigation)',
          cause: outcome.cause,
        },
      };
    case 'heartbeat-timeout':
      return retry({
        reason: 'heartbeat-timeout',
        message: `No data within heartbeatTimeout (${options.heartbeatTimeout} ms)`,
      });
    case 'too-large':
      return {
        next: 'fail',
        error: { reason: 'too-large', message: `An event exceeded maxEventSize (${options.maxEventSize} characters)` },
      };
    case 'rejected':
      return refused(outcome, options, state);
  }
}

/** Every rule about a refused response: which statuses are retried, which once with a fix, which are final. */
function refused(
  outcome: Extract<Outcome, { kind: 'rejected' }>,
  options: PolicyOptions,
  state: AttemptState,
): Decision {
  const { verdict, headers, body } = outcome;
  const { status } = verdict;
  const response = { status, headers, body };
  const fail = (message: string): Decision => ({
    next: 'fail',
    error: { reason: verdict.reason, message, ...response },
  });
  if (verdict.reason === 'content-type') return fail(verdict.message);
  // [spec-extension] 204 is the server's way to say "stop": final.
  if (status === 204) return fail('The server answered 204 No Content: the stream is over');
  if (status >= 500 || status === 408 || status === 429) {
    // Only 429 and 503 carry a Retry-After (RFC 9110); it is a floor under the backoff.
    const serverWait =
      status === 429 || status === 503 ? (parseRetryAfter(headers.get('retry-after'), state.now) ?? 0) : 0;
    return reconnect(
      options,
      state,
      { reason: 'http-status', message: `${verdict.message}: reconnecting`, ...response },
      { serverWait, fix: undefined },
    );
  }
  if (status === 401 && options.headersAreFunction) {
    // One immediate retry with headers computed again; a second 401 in a row is final.
    if (state.reauthenticated) return fail('Unauthorized (401) again with freshly computed headers');
    const error = {
      reason: 'http-status' as const,
      message: 'Unauthorized (401): retrying once with fresh headers',
      ...response,
    };
    return reconnect(options, state, error, { serverWait: 0, fix: 'reauthenticate' });
  }
  const cursor = refusedCursor(status, state);
  if (cursor !== undefined) {
    const error = {
      reason: 'http-status' as const,
      message: `The server refused the ${cursor}; reconnecting without it`,
      ...response,
    };
    return reconnect(options, state, error, { serverWait: 0, fix: 'refuse-cursor' });
  }
  return fail(verdict.message);
}

/**
 * What of the cursor the server refused, when the status says the cursor is
 * the problem: Request Header Fields Too Large with a Last-Event-ID sent, or
 * URI Too Long with the cursor in the query. Without a cursor sent either
 * status is final, like any other 4xx.
 */
function refusedCursor(status: number, state: AttemptState): string | undefined {
  if (status === 431 && state.sentCursor) return 'Last-Event-ID (431 Request Header Fields Too Large)';
  if (status === 414 && state.sentCursorInUrl) return 'URL with the last event id in its query (414 URI Too Long)';
  return undefined;
}

/** How a reconnect goes: the server's `Retry-After` in ms (a floor), and the fix, if it is one. */
interface ReconnectHow {
  serverWait: number;
  fix: Fix | undefined;
}

/**
 * A reconnect after `error`, unless `maxRetries` consecutive reconnects have
 * failed already. A fix goes at once; any other waits the backoff.
 */
function reconnect(
  options: PolicyOptions,
  state: AttemptState,
  error: StreamErrorInit,
  { serverWait, fix }: ReconnectHow,
): Decision {
  const { failures } = state;
  const { backoff } = options;
  if (failures >= backoff.maxRetries) {
    const message =
      failures === 0
        ? `Gave up: backoff.maxRetries is 0, so no reconnect is made; ${error.message}`
        : `Gave up after ${failures} consecutive failed reconnects; last: ${error.message}`;
    return { next: 'fail', error: { reason: 'max-retries', status: error.status, cause: error.cause, message } };
  }
  if (fix !== undefined) return { next: 'reconnect', error, delay: 0, fix };
  const delay = computeDelay(failures, backoff, state.reconnectionTime, options.random, serverWait);
  return { next: 'reconnect', error, delay: Math.min(maxTimerDelay, delay), fix };
}

/** A cause as text for a message: the error's message (and its cause's), or the value. */
function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
