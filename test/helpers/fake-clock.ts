import type { Clock, SourceClock } from '../../src/platform/clock.js';

/**
 * A clock that only moves when told; records every delay scheduled. With
 * `{ monotonic: true }` it has a monotonic reading that moves with it (and the
 * source then also runs its wake watch on it), and
 * {@link FakeClock.stepWall} moves the wall clock alone, as NTP or a restored
 * VM does.
 */
export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void;
  /** Steps the wall clock (`now()`) by `ms`, back when negative; timers and the monotonic clock do not move. */
  stepWall(ms: number): void;
  /** Moves time to the next timer due and fires it (and any due at the same time); returns false when none is pending. */
  advanceToNext(): boolean;
  /** Delays passed to setTimeout, in call order. */
  readonly scheduled: number[];
  /** Timers not yet fired or cleared. */
  readonly pending: number;
}

export function createFakeClock(start = 1_700_000_000_000, options: { monotonic?: boolean } = {}): FakeClock {
  let now = start;
  /** What the wall clock has been stepped by. */
  let wallStep = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const scheduled: number[] = [];
  return {
    now: () => now + wallStep,
    ...(options.monotonic ? { monotonic: () => now - start, seesSleep: true } : {}),
    stepWall(ms) {
      wallStep += ms;
    },
    setTimeout(callback, ms) {
      scheduled.push(ms);
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
    },
    advanceToNext() {
      let at: number | undefined;
      for (const timer of timers.values()) if (at === undefined || timer.at < at) at = timer.at;
      if (at === undefined) return false;
      this.advance(at - now);
      return true;
    },
    scheduled,
    get pending() {
      return timers.size;
    },
  };
}

/** A fake clock with a monotonic reading, for the modules that take one (heartbeat, cursor, connection). */
export const createMonotonicFakeClock = (start?: number): FakeClock & SourceClock =>
  createFakeClock(start, { monotonic: true }) as FakeClock & SourceClock;

/** A fake clock whose device can sleep: see {@link createSleepyClock}. */
export type SleepyClock = ReturnType<typeof createSleepyClock>;

/**
 * A fake clock with a monotonic reading that moves with it, except when the
 * test says the device slept (the source then runs its wake watch on it).
 */
export function createSleepyClock() {
  const clock = createFakeClock();
  let asleep = 0;
  const start = clock.now();
  return Object.assign(clock, {
    monotonic: () => clock.now() - start - asleep,
    seesSleep: true,
    /** The device sleeps `ms`: the wall clock jumps, the monotonic one does not, and late timers fire. */
    sleep(ms: number) {
      asleep += ms;
      clock.advance(ms);
    },
  });
}
