import { describe, expect, it } from 'vitest';
import { defaultBackoff } from '../../src/contract/defaults.js';
import { computeDelay, maxServerWait, parseRetryAfter } from '../../src/policy/backoff.js';

const policy = { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 0.5 };
const none = () => 0;

describe('computeDelay', () => {
  it('d(0) is the reconnection time; d(n ≥ 1) grows by factor^n from it', () => {
    expect([0, 1, 2, 3, 4].map((n) => computeDelay(n, policy, 1000, none))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('is capped at maxDelay before jitter', () => {
    expect(computeDelay(5, policy, 1000, none)).toBe(30_000);
    expect(computeDelay(60, policy, 1000, none)).toBe(30_000);
    expect(computeDelay(5000, policy, 1000, none)).toBe(30_000);
    expect(computeDelay(0, policy, 90_000, none)).toBe(30_000);
  });

  it('jitter only lengthens the wait, by up to `jitter` of it ([spec] "optionally, wait some more")', () => {
    expect(computeDelay(1, policy, 1000, () => 0.5)).toBe(2500);
    expect(computeDelay(1, policy, 1000, () => 0.999)).toBe(2999);
    expect(computeDelay(1, { ...policy, jitter: 1 }, 1000, () => 0.25)).toBe(2500);
    expect(computeDelay(1, { ...policy, jitter: 0 }, 1000, () => 0.9)).toBe(2000);
    for (const r of [0, 0.1, 0.5, 0.9, 0.999])
      expect(computeDelay(0, policy, 3000, () => r)).toBeGreaterThanOrEqual(3000);
  });

  it('applies jitter after the cap', () => {
    expect(computeDelay(10, policy, 1000, () => 0.5)).toBe(37_500);
  });

  it('uses the server retry: value as the reconnection time, and initialDelay as the floor once failures grow it', () => {
    expect(computeDelay(0, policy, 50, none)).toBe(50);
    expect(computeDelay(1, policy, 50, none)).toBe(2000);
    expect(computeDelay(3, policy, 50, none)).toBe(8000);
    expect(computeDelay(1, policy, 5000, none)).toBe(10_000);
  });

  it('retry: 0 gives one immediate reconnect, then grows: no hot loop', () => {
    expect([0, 1, 2, 3].map((n) => computeDelay(n, policy, 0, none))).toEqual([0, 2000, 4000, 8000]);
  });

  it('a Retry-After is a floor, jittered too, and honoured up to one hour', () => {
    expect(computeDelay(0, policy, 1000, none, 5000)).toBe(5000);
    expect(computeDelay(0, policy, 1000, () => 0.5, 5000)).toBe(6250);
    // Shorter than the backoff: the backoff wins.
    expect(computeDelay(3, policy, 1000, none, 2000)).toBe(8000);
    // Above maxDelay: the server may ask for more than our cap.
    expect(computeDelay(0, policy, 1000, none, 120_000)).toBe(120_000);
    expect(computeDelay(0, policy, 1000, none, 999_999_999_000)).toBe(maxServerWait);
    expect(maxServerWait).toBe(3_600_000);
  });

  it('spreads clients told the same Retry-After over [wait, wait × (1 + jitter))', () => {
    const waits = Array.from({ length: 11 }, (_, i) => computeDelay(0, policy, 1000, () => i / 11, 5000));
    expect(new Set(waits).size).toBe(11);
    expect(Math.min(...waits)).toBe(5000);
    expect(Math.max(...waits)).toBeLessThan(7500);
  });

  it('with factor 1 stays flat', () => {
    expect(computeDelay(7, { ...policy, factor: 1 }, 1000, none)).toBe(1000);
  });

  it('has the documented defaults', () => {
    expect(defaultBackoff).toEqual({
      initialDelay: 1000,
      maxDelay: 30_000,
      factor: 2,
      jitter: 0.5,
      maxRetries: Infinity,
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores missing and unparsable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
  it('caps what it reads at one hour', () => {
    expect(parseRetryAfter('999999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('Sat, 21 Nov 2126 12:00:00 GMT', now)).toBe(3_600_000);
  });
});
