/**
 * Reconnect delays. Pure: no timers, no globals; the random source is passed in.
 */
import type { RandomSource } from './clock.js';

/** How reconnect delays grow. All times are in milliseconds. */
export interface BackoffPolicy {
  /** Base delay until the server sends a `retry:` field. */
  initialDelay: number;
  /** Upper bound of the delay before jitter. */
  maxDelay: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** Share of the delay that is randomised: 0 = none, 1 = anywhere between 0 and the delay. */
  jitter: number;
  /** Consecutive failed reconnects before giving up. */
  maxRetries: number;
}

/** The defaults of the `backoff` option. */
export const defaultBackoff: Readonly<BackoffPolicy> = Object.freeze({
  initialDelay: 1000,
  maxDelay: 30_000,
  factor: 2,
  jitter: 0.5,
  maxRetries: Infinity,
});

/**
 * The delay before a reconnect:
 * `min(maxDelay, base × factor^failures) × (1 − jitter × random())`, rounded to whole ms.
 *
 * @param failures - consecutive failures before this reconnect (0 for the first).
 * @param base - `initialDelay`, or the server's latest `retry:` value.
 * @example computeDelay(3, defaultBackoff, 1000, () => 0) // 8000
 */
export function computeDelay(
  failures: number,
  policy: Pick<BackoffPolicy, 'maxDelay' | 'factor' | 'jitter'>,
  base: number,
  random: RandomSource,
): number {
  const grown = Math.min(policy.maxDelay, base * policy.factor ** failures);
  return Math.round(grown * (1 - policy.jitter * random()));
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an
 * HTTP date. Returns the wait in ms, or `undefined` when absent or unparsable.
 *
 * @param now - the current time in ms since the Unix epoch, for the date form.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date always names a day and month; without letters, `Date.parse`
  // would read "-5" as the year −5.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
