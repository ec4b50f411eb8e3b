/**
 * The two sides of a shared stream, as interfaces: what the source does for
 * it ({@link SharedStreamHost}), and what a source's part in it offers
 * ({@link SharedStream}). shared-stream.ts implements the second; the roles
 * (leader.ts, follower.ts) work through the first.
 */
import type { ReconnectingInit, StreamErrorInit } from '../contract/events.js';
import type { SharedEvent } from './messages.js';

/** What the source does for the shared stream. */
export interface SharedStreamHost {
  /** The lock came: connect and lead. Return false when this source cannot lead now (closed or paused). */
  lead(): boolean;
  /** The live position, for a late joiner's hello. */
  snapshot(): { readyState: number; origin: string; lastEventId: string };
  /** Whether this source has shown an event yet (a late joiner adopts the live cursor only before). */
  hasDelivered(): boolean;
  /** Follower: take this as the cursor. */
  adoptCursor(lastEventId: string): void;
  /** Follower: the shared stream is open. */
  open(status: number, headers: Headers, url: string): void;
  /** Events another tab showed (followers, and a new leader catching up): show what was not shown; relay nothing. */
  events(origin: string, events: readonly SharedEvent[]): void;
  /** Follower: the shared stream lost its connection and will reconnect. */
  lost(error: StreamErrorInit): void;
  /** Follower: the leader scheduled a reconnect. */
  reconnecting(init: ReconnectingInit): void;
  /** The shared stream is over for every tab: failed (with `error`) or ended (`endOfStream: 'close'`). */
  over(error: StreamErrorInit | undefined): void;
  /** Leader: a follower called `reconnect()`. */
  reconnect(): void;
}

/** A source's part in a shared stream. */
export interface SharedStream {
  /** `leader` once the lock is held; `follower` until then. */
  readonly role: 'leader' | 'follower';
  /** Leader: batches an event for the followers (sent once the current chunk is parsed). */
  relay(event: SharedEvent): void;
  /** Leader: the stream opened. */
  announceOpen(origin: string, status: number, headers: Headers, url: string): void;
  /** Leader: the connection was lost (`readyState` 0) or failed for good (2). */
  announceError(error: StreamErrorInit, readyState: 0 | 2): void;
  /** Leader: a reconnect is scheduled. */
  announceReconnecting(init: ReconnectingInit): void;
  /** Leader: the stream ended for good without an error. */
  announceEnd(): void;
  /** Follower: asks the leader to reconnect. */
  requestReconnect(): void;
  /** Sends what is batched, gives up the lock (or the wait for it) and the channel. */
  leave(): void;
}
