/**
 * The stream's position and the per-event path: the last event id, the dedupe
 * window, the cursor keeper that persists both, the counters, and the
 * dispatch of a message to its listeners (and, for a leader, to the other
 * tabs). It knows nothing of connections or readyState (driver.ts).
 */
import type { ReconnectingInit } from '../contract/events.js';
import type { CursorKeeper } from '../persistence/cursor.js';
import type { DedupeWindow } from '../persistence/dedupe.js';
import { isOwnEventType } from './event-types.js';
import type { ListenerRegistry } from './listeners.js';
import { SourceMessageEvent } from './message-event.js';
import type { ShareMembership } from './membership.js';
import type { StoredCursor, StreamStats } from '../contract/types.js';

/**
 * A `for await` loop, as the delivery sees it: it receives every message, and
 * holds the stored cursor back to where its body stands (iterate.ts).
 */
export interface MessageLoop {
  /** A message was delivered; `id` is its explicit id (if any), `before` the last event id before it. */
  receive(event: SourceMessageEvent, id: string | undefined, before: string): void;
  /** Where the loop body stands while it has events still to take, or `undefined` when it has taken every one. */
  held(): HeldPosition | undefined;
}

/** Where a loop body stands: the position before the first event it has not taken. */
export interface HeldPosition {
  /** The last event id before that event. */
  lastEventId: string;
  /** How many explicit ids the dedupe window took in since then (the newest ones in it). */
  idsSince: number;
  /** How many events the loop has still to take: of several loops, the one furthest behind holds the cursor. */
  behind: number;
}

/** The counters behind `stats` (times are monotonic clock readings; `stats` turns them into ages). */
export type Counters = Pick<
  StreamStats,
  | 'connectionAttempts'
  | 'reconnects'
  | 'lastReconnectReason'
  | 'lastReconnectDelay'
  | 'eventsDelivered'
  | 'duplicatesSuppressed'
  | 'bytesReceived'
> & {
  lastByteAt: number | undefined;
  lastEventAt: number | undefined;
};

/** Where a source stands in its stream, and how an event reaches its listeners. */
export class Delivery {
  /** [spec] The event source's "last event ID string". Written here only: the others ask. */
  #lastEventId = '';
  /** The final URL's origin, the `origin` of messages. */
  #origin = '';
  readonly counters: Counters = {
    connectionAttempts: 0,
    reconnects: 0,
    lastReconnectReason: undefined,
    lastReconnectDelay: undefined,
    eventsDelivered: 0,
    duplicatesSuppressed: 0,
    bytesReceived: 0,
    lastByteAt: undefined,
    lastEventAt: undefined,
  };
  /** The `timeStamp` of messages: when the chunk that carries them arrived (the monotonic clock: `performance.now()`, as events have). */
  #timeStamp = 0;
  /** The `for await` loops reading this source; `undefined` while there are none (one check per event). */
  #loops: MessageLoop[] | undefined;

  constructor(
    readonly dedupe: DedupeWindow,
    readonly cursor: CursorKeeper,
    readonly target: EventTarget,
    readonly listeners: ListenerRegistry,
    /** Whether and how this source shares a connection: asked per event, owned by the membership. */
    readonly membership: ShareMembership,
  ) {}

  /** [spec] The last event ID string: what would be sent as `Last-Event-ID` now. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** The origin of the final URL the stream is served from: the `origin` of messages. */
  get origin(): string {
    return this.#origin;
  }

  /** The stream is served from `origin` (the final URL's, after redirects; or the leading tab's). */
  servedFrom(origin: string): void {
    this.#origin = origin;
  }

  /** A follower joining late takes the shared stream's live position, as the leader announced it. */
  adopt(lastEventId: string): void {
    this.#lastEventId = lastEventId;
  }

  /** Restores the stored cursor, unless the stream has moved already. */
  async load(): Promise<void> {
    const stored = await this.cursor.load();
    if (stored && this.#lastEventId === '') {
      this.#lastEventId = stored.lastEventId;
      this.dedupe.load(stored.recentIds);
    }
  }

  /**
   * The cursor to store: the stream's position, or, while a `for await`
   * loop has events still to take, the position before the first of them
   * (with the dedupe window as it was then), so that a source that ends with
   * the loop resumes right after what the loop body was given.
   */
  position(): StoredCursor {
    const recentIds = this.dedupe.list();
    let held: HeldPosition | undefined;
    for (const loop of this.#loops ?? []) {
      const h = loop.held();
      if (h !== undefined && (held === undefined || h.behind > held.behind)) held = h;
    }
    if (held === undefined) return { lastEventId: this.#lastEventId, recentIds };
    // The window's newest ids came in after that position: they are not the loop's yet.
    return {
      lastEventId: held.lastEventId,
      recentIds: recentIds.slice(0, Math.max(0, recentIds.length - held.idsSince)),
    };
  }

  /** Whether a `for await` loop reads this source. */
  get looping(): boolean {
    return this.#loops !== undefined;
  }

  /** Adds a `for await` loop; returns the function that removes it. */
  attach(loop: MessageLoop): () => void {
    this.#loops = [...(this.#loops ?? []), loop];
    return () => {
      const rest = this.#loops?.filter((l) => l !== loop) ?? [];
      this.#loops = rest.length > 0 ? rest : undefined;
    };
  }

  /** A request is about to go (the counters are this module's; the driver tells it what happened). */
  countAttempt(): void {
    this.counters.connectionAttempts++;
  }

  /** A reconnect was scheduled (or made at once). */
  countReconnect({ reason, delay }: ReconnectingInit): void {
    const counters = this.counters;
    counters.reconnects++;
    counters.lastReconnectReason = reason;
    counters.lastReconnectDelay = delay;
  }

  /** Body bytes arrived at `now` (monotonic). */
  bytes(count: number, now: number): void {
    this.counters.bytesReceived += count;
    this.counters.lastByteAt = now;
    // Whole milliseconds (the clock has no finer grain): a small integer is
    // stored in the event as is, where a fraction would cost every event a
    // boxed number.
    this.#timeStamp = Math.round(now);
  }

  /** A block with an id and no data: the position moves, no event fires. */
  moveTo(id: string, relay = true): void {
    if (!this.#accept(id, false)) return;
    if (relay) this.membership.leader()?.relay({ type: '', data: undefined, id });
  }

  /**
   * Delivers one event; `relay` says whether a leader passes it on to its
   * followers. It runs once per event: every step of it shows in the
   * throughput benchmark, so it reads fields once, calls out only when
   * something is to be done, and is a bound field that the parser calls
   * directly.
   */
  readonly message = (type: string, data: string, id: string | undefined, relay = true): void => {
    const counters = this.counters;
    const before = this.#lastEventId;
    if (id !== undefined && !this.#accept(id, true)) {
      counters.duplicatesSuppressed++;
      return;
    }
    if (relay) this.membership.leader()?.relay({ type, data, id });
    counters.eventsDelivered++;
    // The time of the chunk that carried it: one clock read per chunk, not per event.
    counters.lastEventAt = counters.lastByteAt;
    const listeners = this.listeners.of(type);
    const loops = this.#loops;
    if (listeners === undefined && loops === undefined) {
      if (isOwnEventType(type)) this.#dispatchOwnType(type, data);
      return;
    }
    // [spec] "Initialize event's type to the event type buffer (or message), data
    // to the data buffer, origin to the final URL's origin, lastEventId to the
    // last event ID string."
    const event = new SourceMessageEvent(type, data, this.#lastEventId, this.#origin, this.target, this.#timeStamp);
    if (loops !== undefined) for (const loop of loops) loop.receive(event, id, before);
    if (listeners !== undefined) this.listeners.dispatch(listeners, event);
    else if (isOwnEventType(type)) this.#dispatchOwnType(type, data);
  };

  /**
   * A server event named like one of ours (`error`, `open`, `reconnecting`,
   * `stats`): the native EventSource dispatches a MessageEvent of any type
   * the server names, so this does too, through the real EventTarget, where
   * the listeners of those types are (and `onerror`/`onopen`). Listeners tell
   * it from ours by `instanceof MessageEvent`. Rare: no fast path.
   */
  #dispatchOwnType(type: string, data: string): void {
    const init = { data, lastEventId: this.#lastEventId, origin: this.#origin };
    this.target.dispatchEvent(new MessageEvent(type, init));
  }

  /**
   * Takes `id` as the stream's position, and into the dedupe window when
   * `remember` (an event's id; not an id-only block's, which fires nothing
   * that could repeat). Returns false for an id inside the window: a replay,
   * to be dropped.
   */
  #accept(id: string, remember: boolean): boolean {
    if (id === '') {
      // An explicit empty id resets the stream's position: forget the
      // window too, since a reset sequence may legitimately reuse ids.
      this.#lastEventId = '';
      this.dedupe.load([]);
    } else if (remember ? !this.dedupe.admit(id) : this.dedupe.has(id)) {
      return false;
    } else {
      // [spec] "Set the last event ID string of the event source to the value
      // of the last event ID buffer."
      this.#lastEventId = id;
    }
    this.moved();
    return true;
  }

  /** The stored cursor's position moved (an event, or a loop body taking one): persist it, unless a follower. */
  moved(): void {
    // Followers keep the cursor in memory; the leader persists it for all.
    if (this.membership.role() !== 'follower') this.cursor.changed();
  }
}
