/**
 * The cross-tab protocol: one source of an origin leads (it holds the
 * connection) and the others follow (they mirror what it broadcasts). This
 * module owns the membership (channel.ts) and the role; the roles are
 * leader.ts and follower.ts, the messages messages.ts. The source talks to
 * it through {@link SharedStreamHost} and never looks at a message itself.
 */
import type { ReconnectingInit, StreamErrorInit } from '../contract/events.js';
import { joinShare, type Share } from './channel.js';
import { followerHears } from './follower.js';
import { createLeaderRole } from './leader.js';
import { fromWire, type SharedEvent, type ShareMessage } from './messages.js';

export type { SharedEvent } from './messages.js';

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

/**
 * Joins the shared stream of `key`, as a follower until the lock makes this
 * source the leader. Returns undefined where sharing is impossible (no Web
 * Locks or BroadcastChannel): the source keeps a private connection.
 */
export function joinSharedStream(key: string, host: SharedStreamHost): SharedStream | undefined {
  let role: 'leader' | 'follower' = 'follower';
  // Declared first: a lock manager may grant the lock, and the new leader
  // speak, before joinShare() returns; what it says then goes nowhere.
  let share: Share | undefined;
  const leader = createLeaderRole((message) => share?.post(message), host, () => role === 'leader');

  const hear = (message: ShareMessage): void => {
    // For every role: the end of the shared stream (a tab that took the lock
    // before this news arrived, since locks and channel are not ordered with
    // each other, is a leader already and stops too), and events, which a new
    // leader may still be owed by the last one.
    if (message.kind === 'error' && message.readyState === 2) return host.over(fromWire(message));
    if (message.kind === 'end') return host.over(undefined);
    if (message.kind === 'events') return host.events(message.origin, message.events);
    return role === 'leader' ? leader.hears(message) : followerHears(host, message);
  };

  share = joinShare(`resilient-eventsource:${key}`, {
    onLeader: () => {
      // The role is set first: the host connects at once, and what it
      // announces must go out.
      role = 'leader';
      if (!host.lead()) role = 'follower';
    },
    onMessage: hear,
  });
  if (!share) return undefined;
  const member = share;
  member.post({ kind: 'hello' });

  return {
    // The leader's announcements (each a no-op unless this source leads).
    ...leader,
    get role() {
      return role;
    },
    requestReconnect() {
      member.post({ kind: 'reconnect' });
    },
    leave() {
      leader.flush();
      member.leave();
    },
  };
}
