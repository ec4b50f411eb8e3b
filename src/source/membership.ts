/**
 * A source's membership in a shared stream (`share: true`), and the one owner
 * of it: whether the source takes part, and in which role. The delivery asks
 * it, per event, whether to relay (only a leader does); the driver asks it
 * what to announce, and leaves on close and pause; share-host.ts joins.
 */
import { joinSharedStream, type SharedStream, type SharedStreamHost } from '../share/shared-stream.js';
import type { StreamStats } from '../contract/types.js';

export class ShareMembership {
  /** This source's part in the shared stream, while it takes part. */
  #stream: SharedStream | undefined;
  /** Whether it has joined: a source that left (a pause) is a follower until it leads again. */
  #joined = false;

  /**
   * Joins the shared stream of `key`, as a follower until the lock makes this
   * source the leader. Returns false where sharing is impossible (no Web
   * Locks or BroadcastChannel): the source keeps a private connection.
   */
  join(key: string, host: SharedStreamHost): boolean {
    // A follower even while joining: a lock manager may grant the lock, and
    // the host ask this membership its role, before joinSharedStream() returns.
    this.#joined = true;
    this.#stream = joinSharedStream(key, host);
    this.#joined = this.#stream !== undefined;
    return this.#joined;
  }

  /** Gives up the lock (or the wait for it) and the channel. */
  leave(): void {
    this.#stream?.leave();
    this.#stream = undefined;
  }

  /** `private`, or with `share`, `leader` or `follower`. */
  role(): StreamStats['role'] {
    return this.#stream?.role ?? (this.#joined ? 'follower' : 'private');
  }

  /** The shared stream when this source leads it, to announce to the followers (per event: one read). */
  leader(): SharedStream | undefined {
    const stream = this.#stream;
    return stream?.role === 'leader' ? stream : undefined;
  }

  /** A follower's `reconnect()`: the leader does it. */
  requestReconnect(): void {
    this.#stream?.requestReconnect();
  }
}
