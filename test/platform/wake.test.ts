/**
 * The sleep detection on its own (src/platform/wake.ts): a wall clock that runs
 * ahead of the monotonic one means the device slept. What the source does on
 * a wake is the driver's: test/source/driver.test.ts, 'wake from sleep'.
 */
import { describe, expect, it } from 'vitest';
import { withMonotonic } from '../../src/platform/clock.js';
import { wakeCheckInterval, wakeThreshold, watchWake } from '../../src/platform/wake.js';
import { createFakeClock, createSleepyClock } from '../helpers/fake-clock.js';

describe('wake from sleep', () => {
  it('watchWake: nothing while awake (the clocks move together), onWake once the wall clock runs ahead', () => {
    const clock = createSleepyClock();
    const woke: number[] = [];
    const stop = watchWake(clock, (ms) => woke.push(ms));
    clock.advance(wakeCheckInterval * 20);
    expect(woke).toEqual([]);
    // One timer at a time, every wakeCheckInterval: the whole cost while awake.
    expect(clock.pending).toBe(1);
    expect(clock.scheduled.every((ms) => ms === wakeCheckInterval)).toBe(true);
    clock.sleep(60_000);
    expect(woke).toHaveLength(1);
    expect(woke[0]).toBe(60_000);
    stop();
    expect(clock.pending).toBe(0);
  });

  it('watchWake: a sleep shorter than the threshold is not seen; without a monotonic clock, nothing runs', () => {
    const clock = createSleepyClock();
    const woke: number[] = [];
    watchWake(clock, (ms) => woke.push(ms));
    clock.sleep(wakeThreshold);
    clock.advance(wakeCheckInterval);
    expect(woke).toEqual([]);
    const plain = createFakeClock();
    watchWake(withMonotonic(plain), () => woke.push(1));
    expect(plain.pending).toBe(0);
  });
});
