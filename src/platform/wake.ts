/**
 * Wake-from-sleep detection. A device that slept leaves its open streams as
 * dead half-open sockets, which `heartbeatTimeout` (45 s by default) would
 * take that long to notice. Across a suspend, the wall clock (`Date.now()`)
 * jumps ahead while the monotonic clock (`performance.now()`, which stops
 * while the machine sleeps) does not: one cheap comparison every few seconds
 * sees it. Throttled timers (a background tab checked once a minute) move
 * both clocks alike, so they are not taken for sleep.
 *
 * What it cannot see: a sleep shorter than {@link wakeThreshold}; a runtime
 * whose monotonic clock keeps counting during sleep (then only the browser's
 * `resume` and visibility signals, in lifecycle.ts, tell); a wall clock that
 * the user sets forward by hand looks like a sleep (one needless reconnect).
 */
import type { SourceClock, TimerHandle } from './clock.js';

/** Ms between two checks. */
export const wakeCheckInterval = 5000;
/** How far the wall clock must run ahead of the monotonic one, in ms, to count as a sleep. */
export const wakeThreshold = 3000;

/**
 * Calls `onWake(sleptMs)` after each check that finds the wall clock ahead of
 * the monotonic one by more than {@link wakeThreshold}. Returns the function
 * that stops it; where the clock has no monotonic reading of its own (see
 * `withMonotonic`), it does nothing. In Node the
 * timer is unref'd: it never keeps a process alive.
 */
export function watchWake(clock: SourceClock, onWake: (sleptMs: number) => void): () => void {
  if (!clock.seesSleep) return () => {};
  let wall = clock.now();
  let mono = clock.monotonic();
  let timer: TimerHandle | undefined;
  const check = () => {
    const nowWall = clock.now();
    const nowMono = clock.monotonic();
    const slept = nowWall - wall - (nowMono - mono);
    wall = nowWall;
    mono = nowMono;
    arm();
    if (slept > wakeThreshold) onWake(slept);
  };
  const arm = () => {
    timer = clock.setTimeout(check, wakeCheckInterval);
    (timer as { unref?: () => void } | undefined)?.unref?.();
  };
  arm();
  return () => {
    clock.clearTimeout(timer);
    timer = undefined;
  };
}
