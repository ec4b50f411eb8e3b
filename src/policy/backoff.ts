/**
 * Reconnect delays. Pure: no timers, no globals; the random source is passed in.
 *
 * [spec] "Wait a delay equal to the reconnection time of the event source.
 * Optionally, wait some more." A client never comes back earlier than the
 * server asked (jitter only lengthens a wait), and never loops without
 * growing its wait (after a failure, the wait grows from `initialDelay` even
 * when the server sent `retry: 0`).
 */
import type { BackoffPolicy } from '../contract/types.js';
import type { RandomSource } from '../platform/clock.js';

/** The longest `Retry-After` honoured, in ms (one hour); a longer one waits this long. */
export const maxServerWait = 3_600_000;

/**
 * The wait before a reconnect, in whole ms:
 * - `d(0) = min(maxDelay, base)`;
 * - `d(n ≥ 1) = min(maxDelay, max(base, initialDelay) × factor^n)`;
 * - `wait = max(d(n), serverWait) × (1 + jitter × random())`, `serverWait`
 *   capped at {@link maxServerWait}.
 *
 * @param failures - n: consecutive failed attempts before this reconnect (0
 *   for the first retry, and after a connection that delivered an event).
 * @param base - the reconnection time: `initialDelay`, or the server's latest `retry:` value.
 * @param serverWait - what a `Retry-After` asked for, in ms (0 when none).
 * @example computeDelay(3, defaultBackoff, 1000, () => 0) // 8000
 */
export function computeDelay(
  failures: number,
  policy: Pick<BackoffPolicy, 'initialDelay' | 'maxDelay' | 'factor' | 'jitter'>,
  base: number,
  random: RandomSource,
  serverWait = 0,
): number {
  const grown = failures === 0 ? base : Math.max(base, policy.initialDelay) * policy.factor ** failures;
  const floor = Math.max(Math.min(policy.maxDelay, grown), Math.min(maxServerWait, serverWait));
  return Math.round(floor * (1 + policy.jitter * random()));
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an
 * HTTP date. Returns the wait in ms (0 for a date in the past), or `undefined`
 * when absent or unparsable — which the caller counts as 0.
 *
 * @param now - the current time in ms since the Unix epoch, for the date form.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(maxServerWait, Number(trimmed) * 1000);
  // An HTTP date always names a day and month; without letters, `Date.parse`
  // would read "-5" as the year −5.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.min(maxServerWait, Math.max(0, date - now));
}
