/**
 * Why a source's stream is paused, and the one owner of it: the page is
 * hidden (`pauseWhenHidden`) or gone (`pagehide`). The stream is paused while
 * any reason holds; the driver acts when that starts or ends.
 */

/** Why a stream is paused: the page is hidden (pauseWhenHidden), or gone (pagehide). */
export type PauseReason = 'hidden' | 'pagehide';

export class Pauses {
  readonly #reasons = new Set<PauseReason>();

  /** Whether any reason holds. */
  get active(): boolean {
    return this.#reasons.size > 0;
  }

  /** Sets one reason; returns whether the pause as a whole `started` or `ended` with it, if it did. */
  set(reason: PauseReason, paused: boolean): 'started' | 'ended' | undefined {
    const was = this.active;
    if (paused) this.#reasons.add(reason);
    else this.#reasons.delete(reason);
    if (was === this.active) return undefined;
    return this.active ? 'started' : 'ended';
  }
}
