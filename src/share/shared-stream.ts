/**
 * The cross-tab protocol: one source of an origin leads (it holds the
 * connection) and the others follow (they mirror what it broadcasts). This
 * module owns the membership (channel.ts), the role, the batching of events
 * and the meaning of every message; the source talks to it through
 * {@link SharedStreamHost} and never looks at a message itself.
 *
 * Ordering rule: events the leader has batched always go out before any
 * other message, so a follower never hears of an error or a close before the
 * events that came ahead of it.
 */
import type { ReconnectingInit, StreamErrorInit } from '../errors.js';
import type { ErrorReason, ReconnectReason } from '../types.js';
import { joinShare, type Share, type SharedEvent, type ShareMessage } from './channel.js';

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
  let outbox: SharedEvent[] = [];
  let origin = '';
  /** What the last `open` carried, for late followers. */
  let opened: { status: number; headers: [string, string][]; url: string } | undefined;

  const flush = (): void => {
    if (outbox.length === 0) return;
    const events = outbox;
    outbox = [];
    share?.post({ kind: 'events', origin, events });
  };
  /** Tells the followers (only a leader speaks), after the events batched before it. */
  const broadcast = (message: ShareMessage): void => {
    if (role !== 'leader') return;
    flush();
    share?.post(message);
  };

  const followerHears = (message: ShareMessage): void => {
    switch (message.kind) {
      case 'state':
        // A late joiner starts from the live cursor, not from an older stored one.
        if (!host.hasDelivered()) host.adoptCursor(message.lastEventId);
        if (message.readyState === 1 && message.open) host.open(message.open.status, new Headers(message.open.headers), message.open.url);
        return;
      case 'open':
        return host.open(message.status, new Headers(message.headers), message.url);
      case 'error':
        return host.lost(errorOf(message));
      case 'reconnecting':
        return host.reconnecting({ attempt: message.attempt, delay: message.delay, reason: message.reason as ReconnectReason });
      default:
        return;
    }
  };

  const leaderHears = (message: ShareMessage): void => {
    if (message.kind === 'hello') broadcast({ kind: 'state', ...host.snapshot(), open: opened });
    else if (message.kind === 'reconnect') host.reconnect();
  };

  const hear = (message: ShareMessage): void => {
    // For every role: the end of the shared stream (a tab that took the lock
    // before this news arrived, since locks and channel are not ordered with
    // each other, is a leader already and stops too), and events, which a new
    // leader may still be owed by the last one.
    if (message.kind === 'error' && message.readyState === 2) return host.over(errorOf(message));
    if (message.kind === 'end') return host.over(undefined);
    if (message.kind === 'events') {
      origin = message.origin;
      return host.events(message.origin, message.events);
    }
    return role === 'leader' ? leaderHears(message) : followerHears(message);
  };

  const share: Share | undefined = joinShare(`resilient-eventsource:${key}`, {
    onLeader: () => {
      // The role is set first: the host connects at once, and what it
      // announces must go out.
      role = 'leader';
      if (!host.lead()) role = 'follower';
    },
    onMessage: hear,
  });
  if (!share) return undefined;
  share.post({ kind: 'hello' });

  return {
    get role() {
      return role;
    },
    relay(event) {
      if (outbox.length === 0) queueMicrotask(flush);
      outbox.push(event);
    },
    announceOpen(o, status, headers, url) {
      origin = o;
      opened = { status, headers: [...headers], url };
      broadcast({ kind: 'open', origin, ...opened });
    },
    announceError(error, readyState) {
      broadcast({ kind: 'error', readyState, reason: error.reason, message: error.message, status: error.status, ...wire(error) });
    },
    announceReconnecting(init) {
      broadcast({ kind: 'reconnecting', attempt: init.attempt, delay: init.delay, reason: init.reason });
    },
    announceEnd() {
      broadcast({ kind: 'end' });
    },
    requestReconnect() {
      share.post({ kind: 'reconnect' });
    },
    leave() {
      flush();
      share.leave();
    },
  };
}

/** A refused response's headers and body as they travel (Headers cannot be cloned). */
function wire(error: StreamErrorInit): { headers?: [string, string][]; body?: string } {
  return { ...(error.headers ? { headers: [...error.headers] } : {}), ...(error.body !== undefined ? { body: error.body } : {}) };
}

/** The error a follower reports for an `error` message: {@link wire} undone. */
function errorOf(message: Extract<ShareMessage, { kind: 'error' }>): StreamErrorInit {
  return {
    reason: message.reason as ErrorReason,
    message: message.message,
    status: message.status,
    headers: message.headers ? new Headers(message.headers) : undefined,
    body: message.body,
  };
}
