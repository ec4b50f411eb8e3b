/**
 * The wait before a reconnect, and the one owner of its timer: the driver
 * starts it, cancels it (close, pause, `reconnect()`), or cuts it short
 * (back online). Time comes from the source's injected clock.
 */
import type { Clock, TimerHandle } from '../platform/clock.js';

export class ReconnectTimer {
  #handle: TimerHandle | undefined;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether a reconnect is waiting. */
  get waiting(): boolean {
    return this.#handle !== undefined;
  }

  /** Runs `connect` after `delay` ms, in place of any wait before. */
  start(delay: number, connect: () => void): void {
    this.cancel();
    this.#handle = this.#clock.setTimeout(() => {
      this.#handle = undefined;
      connect();
    }, delay);
  }

  /** Drops the wait, if any. */
  cancel(): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
