/**
 * What the policy needs to know of a source between its attempts, and the
 * one owner of it: the reconnection time (the server's `retry:`), the failure
 * streak, and whether the attempt under way is the one retry after a 401.
 * The driver tells it what happened; the policy (pure) reads it.
 */
import type { AttemptState, Decision } from '../policy/reconnect-policy.js';

/** The parts of the attempt's request the policy weighs: whether it sent the cursor, and where. */
type SentCursor = Pick<AttemptState, 'sentCursor' | 'sentCursorInUrl'>;

export class ReconnectState {
  /** [spec] "reconnection time": the backoff base, replaced by the server's `retry:`. */
  #reconnectionTime: number;
  #failures = 0;
  #deliveredAtLastLook = 0;
  #reauthenticated = false;
  /** The source's count of delivered events. */
  readonly #delivered: () => number;

  /** @param delivered - the source's count of delivered events. */
  constructor(initialDelay: number, delivered: () => number) {
    this.#reconnectionTime = initialDelay;
    this.#delivered = delivered;
  }

  /**
   * [spec] "If the field value consists of only ASCII digits, then interpret
   * the field value as an integer in base ten, and set the event stream's
   * reconnection time to that integer."
   */
  retry(ms: number): void {
    this.#reconnectionTime = ms;
  }

  /** A stream opened: an outcome between two 401s, so the next 401 gets its retry again. */
  opened(): void {
    this.#reauthenticated = false;
  }

  /**
   * Consecutive failed reconnects: a connection that delivered an event since
   * the last look ends the streak. Looked at when an attempt ends and when a
   * reconnect is asked for.
   */
  failures(): number {
    const delivered = this.#delivered();
    if (delivered !== this.#deliveredAtLastLook) {
      this.#deliveredAtLastLook = delivered;
      this.#failures = 0;
    }
    return this.#failures;
  }

  /** The state the policy decides on, for the attempt that just ended (at `now`, on the wall clock). */
  forPolicy(request: SentCursor, now: number): AttemptState {
    return {
      failures: this.failures(),
      reconnectionTime: this.#reconnectionTime,
      reauthenticated: this.#reauthenticated,
      sentCursor: request.sentCursor,
      sentCursorInUrl: request.sentCursorInUrl,
      now,
    };
  }

  /**
   * What the policy decided: a reconnect counts one more failure (returns the
   * attempt number that follows it). [contract] Only a second 401 in a row is
   * final: any other outcome between them resets that.
   */
  decided(decision: Decision): number {
    this.#reauthenticated = decision.next === 'reconnect' && decision.fix === 'reauthenticate';
    if (decision.next === 'reconnect') this.#failures++;
    return this.#failures;
  }
}
