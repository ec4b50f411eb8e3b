import { describe, expect, it } from 'vitest';
import { startWatchdog } from '../../src/attempt/heartbeat.js';
import { createMonotonicFakeClock } from '../helpers/fake-clock.js';

describe('startWatchdog', () => {
  it('fires at the timeout, not 1 ms before', () => {
    const clock = createMonotonicFakeClock();
    let fired = 0;
    startWatchdog(clock, 1000, () => fired++);
    clock.advance(999);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    clock.advance(5000);
    expect(fired).toBe(1);
  });

  it('counts from the last touch', () => {
    const clock = createMonotonicFakeClock();
    let fired = 0;
    const dog = startWatchdog(clock, 1000, () => fired++);
    clock.advance(600);
    dog.touch();
    clock.advance(999);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
  });

  it('does not create a timer per touch', () => {
    const clock = createMonotonicFakeClock();
    const dog = startWatchdog(clock, 1000, () => {});
    for (let i = 0; i < 500; i++) {
      clock.advance(1);
      dog.touch();
    }
    expect(clock.scheduled).toEqual([1000]);
    // The first check (t=1000) finds the last touch at t=500 and re-arms once
    // for the 500 ms left.
    clock.advance(600);
    expect(clock.scheduled).toEqual([1000, 500]);
  });

  it('never fires after stop and leaves no timer', () => {
    const clock = createMonotonicFakeClock();
    let fired = 0;
    const dog = startWatchdog(clock, 1000, () => fired++);
    dog.stop();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(fired).toBe(0);
  });

  it('is off with a timeout of 0', () => {
    const clock = createMonotonicFakeClock();
    let fired = 0;
    startWatchdog(clock, 0, () => fired++);
    clock.advance(1e9);
    expect(fired).toBe(0);
    expect(clock.scheduled).toEqual([]);
  });
});
