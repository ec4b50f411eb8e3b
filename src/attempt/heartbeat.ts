/**
 * The watchdog that abandons silent attempts. It owns one timer; activity only
 * records a timestamp, so a busy stream costs one clock reading per chunk and
 * no timer churn: when the timer fires early it re-arms for the time that is
 * left. Time is the monotonic clock's: a wall clock stepped back cannot hold
 * it off.
 */
import type { SourceClock, TimerHandle } from '../platform/clock.js';

/** A started watchdog. */
export interface Watchdog {
  /** Records activity (a byte arrived, or headers did), at `now` (monotonic) if the caller already read the clock. */
  touch(now?: number): void;
  /** Stops the watchdog; it will not fire afterwards. */
  stop(): void;
}

/**
 * Starts a watchdog that calls `onTimeout` once `timeout` ms pass without
 * {@link Watchdog.touch}. A `timeout` of 0 gives a watchdog that never fires.
 */
export function startWatchdog(clock: SourceClock, timeout: number, onTimeout: () => void): Watchdog {
  if (timeout <= 0) return { touch() {}, stop() {} };
  let last = clock.monotonic();
  let timer: TimerHandle | undefined;
  // Fires `ms` from now; re-arms for what is left when there was activity since.
  const arm = (ms: number): void => {
    timer = clock.setTimeout(() => {
      const idle = clock.monotonic() - last;
      if (idle < timeout) return arm(timeout - idle);
      timer = undefined;
      onTimeout();
    }, ms);
  };

  arm(timeout);
  return {
    touch(now = clock.monotonic()) {
      last = now;
    },
    stop() {
      // (The clock ignores an unknown handle: undefined, once fired.)
      clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
