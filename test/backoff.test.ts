import { describe, expect, it } from 'vitest';
import { computeDelay, defaultBackoff, parseRetryAfter } from '../src/backoff.js';

const policy = { maxDelay: 30_000, factor: 2, jitter: 0.5 };

describe('computeDelay', () => {
  it('grows by factor^failures from the base, with no jitter when random() is 0', () => {
    expect([0, 1, 2, 3, 4].map((n) => computeDelay(n, policy, 1000, () => 0))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('is capped at maxDelay', () => {
    expect(computeDelay(5, policy, 1000, () => 0)).toBe(30_000);
    expect(computeDelay(60, policy, 1000, () => 0)).toBe(30_000);
    expect(computeDelay(5000, policy, 1000, () => 0)).toBe(30_000);
  });

  it('takes away up to `jitter` of the delay', () => {
    expect(computeDelay(1, policy, 1000, () => 0.5)).toBe(1500);
    expect(computeDelay(1, policy, 1000, () => 1)).toBe(1000);
    expect(computeDelay(1, { ...policy, jitter: 1 }, 1000, () => 1)).toBe(0);
    expect(computeDelay(1, { ...policy, jitter: 1 }, 1000, () => 0.25)).toBe(1500);
    expect(computeDelay(1, { ...policy, jitter: 0 }, 1000, () => 0.9)).toBe(2000);
  });

  it('applies jitter after the cap', () => {
    expect(computeDelay(10, policy, 1000, () => 0.5)).toBe(22_500);
  });

  it('uses the base it is given (the server retry: value)', () => {
    expect(computeDelay(0, policy, 50, () => 0)).toBe(50);
    expect(computeDelay(3, policy, 50, () => 0)).toBe(400);
  });

  it('with factor 1 stays flat', () => {
    expect(computeDelay(7, { ...policy, factor: 1 }, 1000, () => 0)).toBe(1000);
  });

  it('has the documented defaults', () => {
    expect(defaultBackoff).toEqual({ initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 0.5, maxRetries: Infinity });
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
});
