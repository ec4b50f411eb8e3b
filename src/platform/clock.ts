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
   * (`performance.now()`). Every duration is measured on it (the heartbeat,
   * the spacing of cursor writes, the ages in `stats`), so a wall clock
   * stepped back or forward (NTP, a VM restored) changes none of them; and
   * across a suspend, {@link now} runs ahead of it, which tells that the
   * device slept. Without it, durations use {@link now} and sleep is not
   * detected from the clocks.
   */
  monotonic?(): number;
}

/** A clock with both readings, as the modules use it: {@link withMonotonic} makes one of any {@link Clock}. */
export interface SourceClock extends Clock {
  monotonic(): number;
  /** Whether the monotonic reading is a clock of its own, which tells that the device slept. */
  readonly seesSleep: boolean;
}

/**
 * `clock` with a monotonic reading: its own, or else its wall clock (durations
 * then follow the wall clock, and a sleep cannot be seen).
 */
export function withMonotonic(clock: Clock): SourceClock {
  const monotonic = clock.monotonic;
  return {
    now: () => clock.now(),
    setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
    monotonic: monotonic ? () => monotonic.call(clock) : () => clock.now(),
    seesSleep: monotonic !== undefined,
  };
}

/** The longest delay `setTimeout` can hold (2^31 − 1 ms); longer ones fire at once. */
export const maxTimerDelay = 2 ** 31 - 1;

/** A source of uniformly distributed numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * The real clock. It looks the timer functions up on `globalThis` at call time
 * (not at import time) so that fake timers installed after import still apply.
 */
export const systemClock: SourceClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  monotonic: () => globalThis.performance.now(),
  seesSleep: true,
};

/** `Math.random`, looked up at call time for the same reason as {@link systemClock}. */
export const systemRandom: RandomSource = () => Math.random();
