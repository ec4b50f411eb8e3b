/**
 * Why a source's stream is paused, and the one owner of it: the page is
 * hidden (`pauseWhenHidden`) or gone (`pagehide`). The stream is paused while
 * any reason holds; the driver acts when that starts or ends.
 */

/** Why a stream is paused: the page is hidden (pauseWhenHidden), or gone (pagehide). */
export type PauseReason = 'hidden' | 'pagehide';

export class Pauses {
  readonly #by: Record<PauseReason, boolean> = { hidden: false, pagehide: false };

  /** Whether any reason holds. */
  get active(): boolean {
    return this.#by.hidden || this.#by.pagehide;
  }

  /** Sets one reason; returns whether the pause as a whole `started` or `ended` with it, if it did. */
  set(reason: PauseReason, paused: boolean): 'started' | 'ended' | undefined {
    const was = this.active;
    this.#by[reason] = paused;
    if (was === this.active) return undefined;
    return this.active ? 'started' : 'ended';
  }
}
