import type { Clock } from '../../src/clock.js';

/** A clock that only moves when told; records every delay scheduled. */
export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void;
  /** Delays passed to setTimeout, in call order. */
  readonly scheduled: number[];
  /** Timers not yet fired or cleared. */
  readonly pending: number;
}

export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const scheduled: number[] = [];
  return {
    now: () => now,
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
    scheduled,
    get pending() {
      return timers.size;
    },
  };
}
