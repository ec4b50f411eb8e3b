/**
 * The only module that touches timers, the wall clock and `Math.random`.
 * Everything time-dependent receives a {@link Clock} and a {@link RandomSource}
 * so tests can drive it without waiting.
 */

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Time as the library sees it. Inject your own through the `clock` option in tests. */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()` (also used for `Retry-After` dates). */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer started with {@link Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
  /**
   * Milliseconds on a monotonic clock that stops while the device sleeps
   * (`performance.now()`), for wake detection: across a suspend, {@link now}
   * runs ahead of it. Without it, sleep is not detected from the clocks.
   */
  monotonic?(): number;
}

/** A source of uniformly distributed numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * The real clock. It looks the timer functions up on `globalThis` at call time
 * (not at import time) so that fake timers installed after import still apply.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  monotonic: () => globalThis.performance.now(),
};

/** `Math.random`, looked up at call time for the same reason as {@link systemClock}. */
export const systemRandom: RandomSource = () => Math.random();
