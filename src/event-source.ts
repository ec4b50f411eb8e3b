/**
 * The public class: readyState, listeners and wiring. It never parses bytes
 * (connection.ts), builds requests (request.ts), decides what an ended
 * attempt leads to (reconnect-policy.ts) nor reads a cross-tab message
 * (share/); it acts on their results and fires the events. Spec steps are
 * quoted from WHATWG HTML §9.2 "Server-sent events".
 */
import type { TimerHandle } from './clock.js';
import { type Connection, type ConnectionCallbacks, openConnection, type Outcome } from './connection.js';
import { createCursorKeeper, type CursorKeeper } from './cursor.js';
import { createDedupeWindow, type DedupeWindow, noDedupe } from './dedupe.js';
import { OpenEvent, ReconnectingEvent, StatsEvent, StreamErrorEvent, type StreamErrorInit } from './errors.js';
import { iterateMessages } from './iterate.js';
import { watchWake } from './wake.js';
import { isHidden, isWorker, watchLifecycle } from './lifecycle.js';
import { ListenerRegistry, reportListenerError } from './listeners.js';
import { SourceMessageEvent } from './message-event.js';
import { joinSharedStream, type SharedStream, type SharedStreamHost } from './share/shared-stream.js';
import { type NormalizedOptions, normalizeOptions } from './options.js';
import { decide } from './reconnect-policy.js';
import { buildRequest, headerValueOf, requestUrl } from './request.js';
import { defaultStore } from './stores/default-store.js';
import type { AddEventListenerOptionsLike, EventListenerLike, EventListenerOptionsLike, EventSourceHandler, StringMessageEvent } from './dom-types.js';
import type { ReconnectReason, ResilientEventSourceInit, StreamStats } from './types.js';

/** The events a {@link ResilientEventSource} fires, by type. Custom `event:` types arrive as `MessageEvent`. */
export interface ResilientEventSourceEventMap {
  open: OpenEvent;
  message: MessageEvent;
  error: StreamErrorEvent;
  reconnecting: ReconnectingEvent;
  stats: StatsEvent;
}

/**
 * An `on…` handler as a setter accepts it: typed with the precise event, so
 * `es.onerror = (e) => e.reason` compiles. The getters return the DOM's own
 * handler type, which keeps the class assignable to `EventSource` (whose
 * handlers take a plain `Event`; function parameters are contravariant).
 */
type Handler<E extends Event> = ((this: EventSource, event: E) => unknown) | null;
/** An `on…` handler as the platform's `EventSource` types it (see dom-types.ts). */
type DomHandler<K extends 'onopen' | 'onmessage' | 'onerror'> = EventSourceHandler<K>;
type HandlerType = 'open' | 'message' | 'error';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/** The types the source fires as plain events, through the real EventTarget. Every other type is a message. */
const isOwnEventType = (type: string) => type === 'open' || type === 'error' || type === 'reconnecting' || type === 'stats';

/** `performance.timeOrigin`, to give messages a `timeStamp` relative to it, as events have. */
const timeOrigin = (globalThis as { performance?: { timeOrigin?: number } }).performance?.timeOrigin ?? 0;

/**
 * A drop-in replacement for `EventSource` over `fetch` that reconnects with
 * backoff, resumes from a persisted `Last-Event-ID`, drops replayed events and
 * abandons silent connections.
 *
 * @example
 * const es = new ResilientEventSource('/api/stream', { heartbeatTimeout: 45_000 });
 * es.addEventListener('message', (e) => render(JSON.parse(e.data)));
 * es.addEventListener('reconnecting', (e) => showBanner(`retry ${e.attempt} in ${e.delay} ms`));
 */
export class ResilientEventSource extends EventTarget {
  /** readyState: connecting or reconnecting. */
  static readonly CONNECTING = CONNECTING;
  /** readyState: the stream is open and events flow. */
  static readonly OPEN = OPEN;
  /** readyState: closed for good (by `close()`, a fatal response, the signal or `maxRetries`). */
  static readonly CLOSED = CLOSED;
  /** readyState: connecting or reconnecting. */
  readonly CONNECTING = CONNECTING;
  /** readyState: the stream is open. */
  readonly OPEN = OPEN;
  /** readyState: closed for good. */
  readonly CLOSED = CLOSED;

  readonly #options: NormalizedOptions;
  readonly #dedupe: DedupeWindow;
  readonly #cursor: CursorKeeper;
  readonly #callbacks: ConnectionCallbacks;
  readonly #handlers: Record<HandlerType, Handler<Event>> = { open: null, message: null, error: null };
  readonly #listeners = new ListenerRegistry(this, {
    nativeAdd: (type, listener, options) => super.addEventListener(type, listener, options),
    nativeRemove: (type, listener, capture) => super.removeEventListener(type, listener, capture),
    report: reportListenerError,
  });
  #readyState: 0 | 1 | 2 = CONNECTING;
  /** The `timeStamp` of messages: when the chunk that carries them arrived, after `performance.timeOrigin`. */
  #timeStamp = 0;
  #lastEventId = '';
  #origin = '';
  /** [spec] "reconnection time": the backoff base, replaced by the server's `retry:`. */
  #reconnectionTime: number;
  /** Consecutive reconnects since the last connection that delivered an event. */
  #failures = 0;
  #reauthenticated = false;
  #delivered = false;
  /** The id the current attempt sent as its cursor (`''` for none). */
  #sentId = '';
  /** Where the next request goes: the stream's URL, then the final URL of the last accepted response. */
  #currentUrl: string;
  /** An id the server refused (431): later requests go without it. */
  #refusedId: string | undefined;
  /** An id that cannot be a header value, once reported: reported once only. */
  #reportedId: string | undefined;
  #resolveClosed!: () => void;
  readonly #closed = new Promise<void>((resolve) => (this.#resolveClosed = resolve));
  /** Why the stream is paused: the page is hidden (pauseWhenHidden), or gone (pagehide). */
  readonly #pausedBy = { hidden: false, pagehide: false };
  #connection: Connection | undefined;
  #reconnectTimer: TimerHandle | undefined;
  /** With `share`: this source's part in the shared stream (share/shared-stream.ts), while it takes part. */
  #shared: SharedStream | undefined;
  /** Whether this source has shared (a source that left, paused, is a follower until it leads again). */
  #sharing = false;
  #detachLifecycle: (() => void) | undefined;
  #stopWakeWatch: (() => void) | undefined;
  /** Set once the first attempt is under way (or the share joined): before it, reconnect() has nothing to drop. */
  #started = false;
  #stats = {
    connectionAttempts: 0,
    reconnects: 0,
    lastReconnectReason: undefined as StreamStats['lastReconnectReason'],
    lastReconnectDelay: undefined as number | undefined,
    eventsDelivered: 0,
    duplicatesSuppressed: 0,
    bytesReceived: 0,
    lastByteAt: undefined as number | undefined,
    lastEventAt: undefined as number | undefined,
  };

  /**
   * @param url - absolute, or relative to the page or worker location.
   * @throws SyntaxError when `url` cannot be parsed.
   * @throws TypeError or RangeError when an option is invalid; the message names it.
   */
  constructor(url: string | URL, options?: ResilientEventSourceInit) {
    super();
    const o = normalizeOptions(url, options);
    this.#options = o;
    this.#currentUrl = o.url;
    this.#reconnectionTime = o.backoff.initialDelay;
    this.#dedupe = o.dedupe > 0 ? createDedupeWindow(o.dedupe) : noDedupe;
    this.#cursor = createCursorKeeper({
      store: o.store === false ? undefined : (o.store ?? defaultStore()),
      key: o.storageKey,
      clock: o.clock,
      snapshot: () => ({ lastEventId: this.#lastEventId, recentIds: this.#dedupe.list() }),
      onFailure: (cause) => this.#reportStoreFailure(cause),
      // A worker gets no pagehide to flush on before its page unloads it, so
      // it writes as soon as the previous write is done (still one in flight,
      // latest wins): at most one write's latency of events can repeat.
      ...(isWorker() ? { writeInterval: 0 } : {}),
    });
    this.#callbacks = {
      onOpen: (status, headers, finalUrl) => this.#announceConnection(status, headers, finalUrl),
      onEvent: this.#dispatchMessage,
      onId: (id) => this.#moveCursor(id),
      onRetry: (ms) => {
        // [spec] "If the field value consists of only ASCII digits, then
        // interpret the field value as an integer in base ten, and set the event
        // stream's reconnection time to that integer."
        this.#reconnectionTime = ms;
      },
      onBytes: (count, now) => {
        this.#stats.bytesReceived += count;
        this.#stats.lastByteAt = now;
        // Whole milliseconds (the clock has no finer grain): a small integer
        // is stored in the event as is, where a fraction would cost every
        // event a boxed number.
        this.#timeStamp = Math.round(now - timeOrigin);
      },
    };

    const { signal } = o;
    if (signal?.aborted) {
      // Fire after the constructor returns, so that listeners can see it.
      queueMicrotask(() => this.#abortedBySignal());
      return;
    }
    signal?.addEventListener('abort', this.#abortedBySignal);
    this.#detachLifecycle = watchLifecycle({
      onOnline: () => this.#reconnectNowIfWaiting(),
      // Events arriving after pagehide would be shown to a page that is going
      // away and repeated after the reload: stop the stream, then persist.
      onPageHide: () => this.#setPaused('pagehide', true),
      onPageRestore: () => this.#setPaused('pagehide', false),
      onHiddenChange: o.pauseWhenHidden ? (hidden) => this.#setPaused('hidden', hidden) : undefined,
      onMaybeWoke: (cause) => {
        // A page thawed from frozen, or back to visible with a stream silent
        // past its heartbeat: the socket is most likely dead.
        if (cause === 'resume' || this.#silentPastHeartbeat()) this.#wake();
      },
    });
    this.#stopWakeWatch = watchWake(o.clock, () => this.#wake());
    void this.#start();
  }

  /** The absolute URL of the stream. */
  get url(): string {
    return this.#options.url;
  }

  /** Whether cookies are sent cross-origin. */
  get withCredentials(): boolean {
    return this.#options.withCredentials;
  }

  /** `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2). */
  get readyState(): 0 | 1 | 2 {
    return this.#readyState;
  }

  /** The value that would be sent as `Last-Event-ID` now (`''` for none). */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** A snapshot of counters; cheap enough to read every frame. */
  get stats(): StreamStats {
    const s = this.#stats;
    const now = this.#options.clock.now();
    return {
      connectionAttempts: s.connectionAttempts,
      reconnects: s.reconnects,
      lastReconnectReason: s.lastReconnectReason,
      lastReconnectDelay: s.lastReconnectDelay,
      eventsDelivered: s.eventsDelivered,
      duplicatesSuppressed: s.duplicatesSuppressed,
      bytesReceived: s.bytesReceived,
      msSinceLastByte: s.lastByteAt === undefined ? undefined : now - s.lastByteAt,
      msSinceLastEvent: s.lastEventAt === undefined ? undefined : now - s.lastEventAt,
      lastEventId: this.#lastEventId,
      role: this.#role(),
    };
  }

  /** Handler for `open`, as `EventSource.onopen`. */
  get onopen(): DomHandler<'onopen'> {
    return this.#handlers.open;
  }
  set onopen(handler: Handler<Event>) {
    this.#setHandler('open', handler);
  }

  /** Handler for `message`, as `EventSource.onmessage`. */
  get onmessage(): DomHandler<'onmessage'> {
    return this.#handlers.message as DomHandler<'onmessage'>;
  }
  set onmessage(handler: Handler<MessageEvent>) {
    this.#setHandler('message', handler as Handler<Event>);
  }

  /** Handler for `error`, as `EventSource.onerror`; the event is a {@link StreamErrorEvent}. */
  get onerror(): DomHandler<'onerror'> {
    return this.#handlers.error;
  }
  set onerror(handler: Handler<StreamErrorEvent>) {
    this.#setHandler('error', handler as Handler<Event>);
  }

  override addEventListener<K extends keyof ResilientEventSourceEventMap>(
    type: K,
    listener: (this: ResilientEventSource, event: ResilientEventSourceEventMap[K]) => unknown,
    options?: AddEventListenerOptionsLike,
  ): void;
  override addEventListener(
    type: string,
    listener: (this: ResilientEventSource, event: MessageEvent) => unknown,
    options?: AddEventListenerOptionsLike,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: AddEventListenerOptionsLike,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | ((event: never) => unknown) | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const l = listener as EventListenerOrEventListenerObject | null;
    if (isOwnEventType(type)) super.addEventListener(type, l, options);
    else if (l) this.#listeners.add(type, l, options);
  }

  override removeEventListener<K extends keyof ResilientEventSourceEventMap>(
    type: K,
    listener: (this: ResilientEventSource, event: ResilientEventSourceEventMap[K]) => unknown,
    options?: EventListenerOptionsLike,
  ): void;
  override removeEventListener(
    type: string,
    listener: (this: ResilientEventSource, event: MessageEvent) => unknown,
    options?: EventListenerOptionsLike,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: EventListenerOptionsLike,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | ((event: never) => unknown) | null,
    options?: boolean | EventListenerOptions,
  ): void {
    const l = listener as EventListenerOrEventListenerObject | null;
    if (isOwnEventType(type)) super.removeEventListener(type, l, options);
    else if (l) this.#listeners.remove(type, l, options);
  }

  /**
   * Resolves once the source is CLOSED for any reason (`close()`, a final
   * failure, the signal, `maxRetries`) and its cursor is saved; never rejects.
   * `es.close(); await es.closed;` before a process exits makes a restart
   * resume exactly there.
   */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Closes the stream for good, as `EventSource.close()`: no event fires after
   * it, and it returns `undefined` (cleanup callbacks and test harnesses treat
   * any other value as an error). Await {@link closed} for the cursor to be saved.
   */
  close(): void {
    // [spec] "set readyState to CLOSED" and abort any instance of fetch.
    if (this.#readyState !== CLOSED) this.#becomeClosed();
  }

  /**
   * Drops the current connection, or cuts a pending wait short, and connects
   * again at once from the current cursor (`reconnecting` with reason
   * `requested`, delay 0; no `error`: nothing failed). Call it on focus, on an
   * app-level "network changed" signal, in tests. With `share`, a follower's
   * call reaches the leader. A no-op once CLOSED, while paused, and before
   * the first attempt has started.
   */
  reconnect(): void {
    if (this.#isClosed() || this.#isPaused() || !this.#started) return;
    if (this.#role() === 'follower') return this.#shared?.requestReconnect();
    this.#reconnectNow('requested');
  }

  /**
   * `for await (const event of es)`: every `message`-type event, in order.
   * Leaving the loop closes the source; the loop ends when the source is
   * CLOSED, and a final failure rejects it with a {@link StreamError}. Events
   * that arrive while the loop body awaits are queued; see `iterate.ts` for
   * the bound and what happens when it is reached.
   */
  [Symbol.asyncIterator](): AsyncIterator<StringMessageEvent, undefined> {
    return iterateMessages(this);
  }

  async #start(): Promise<void> {
    // [spec-extension] The stored cursor is read before the first request, so
    // the very first request already carries Last-Event-ID.
    const cursor = await this.#cursor.load();
    if (cursor && this.#lastEventId === '') {
      this.#lastEventId = cursor.lastEventId;
      this.#dedupe.load(cursor.recentIds);
    }
    if (this.#options.pauseWhenHidden && isHidden()) this.#pausedBy.hidden = true;
    if (this.#isClosed() || this.#isPaused()) return;
    this.#started = true;
    if (this.#options.share && this.#joinShare()) return;
    await this.#connect();
  }

  /** `private`, or with `share`, `leader` or `follower`. */
  #role(): StreamStats['role'] {
    return this.#shared?.role ?? (this.#sharing ? 'follower' : 'private');
  }

  /**
   * Joins the shared stream: follows it until the lock makes this source the
   * leader. Returns false where sharing is impossible (no Web Locks or
   * BroadcastChannel): the source then keeps a private connection.
   */
  #joinShare(): boolean {
    // A follower until the lock says otherwise, even while joining (a lock
    // manager may grant the lock before joinSharedStream() returns).
    this.#sharing = true;
    this.#shared = joinSharedStream(this.#options.storageKey, this.#shareHost);
    this.#sharing = this.#shared !== undefined;
    return this.#sharing;
  }

  /** What the shared stream asks of this source; each step is a no-op once it is closed. */
  readonly #shareHost: SharedStreamHost = {
    lead: () => {
      if (this.#isClosed() || this.#isPaused()) return false;
      // What this tab has seen is the cursor now: it resumes from its own last id
      // and dedupe window, so it neither skips nor repeats what it showed.
      this.#cursor.changed();
      this.#readyState = CONNECTING;
      this.#emitStats();
      void this.#connect();
      return true;
    },
    snapshot: () => ({ readyState: this.#readyState, origin: this.#origin, lastEventId: this.#lastEventId }),
    hasDelivered: () => this.#stats.eventsDelivered > 0,
    adoptCursor: (lastEventId) => {
      this.#lastEventId = lastEventId;
    },
    open: (status, headers, url) => {
      if (!this.#isClosed() && this.#readyState !== OPEN) this.#announceConnection(status, headers, url);
    },
    events: (origin, events) => {
      // Repeats are dropped by id, and nothing heard is relayed (every tab heard it).
      this.#origin = origin;
      for (const e of events) {
        if (this.#isClosed()) return;
        if (e.data === undefined) this.#moveCursor(e.id as string, false);
        else this.#dispatchMessage(e.type, e.data, e.id, false);
      }
    },
    lost: (error) => {
      if (this.#isClosed()) return;
      this.#readyState = CONNECTING;
      this.dispatchEvent(new StreamErrorEvent(error));
    },
    reconnecting: (init) => {
      if (this.#isClosed()) return;
      this.#readyState = CONNECTING;
      this.dispatchEvent(new ReconnectingEvent(init));
    },
    over: (error) => {
      if (this.#isClosed()) return;
      if (error) this.#failConnection(error);
      else this.#becomeClosed();
    },
    reconnect: () => this.reconnect(),
  };

  /** Fires `stats` for metrics exporters: after each change of connection state. */
  #emitStats(): void {
    this.dispatchEvent(new StatsEvent(this.stats));
  }

  async #connect(): Promise<void> {
    this.#reconnectTimer = undefined;
    const o = this.#options;
    const { protocol } = new URL(o.url);
    if (o.defaultFetch && protocol !== 'http:' && protocol !== 'https:') {
      // [spec] A network error the user agent knows to be futile fails the
      // connection instead of reestablishing it, as EventSource does for
      // ftp:, about:, mailto:, javascript:… (a custom fetch may serve them).
      return this.#failConnection({ reason: 'network', message: `The URL scheme "${protocol}" cannot carry an event stream (only http: and https:)` });
    }
    this.#stats.connectionAttempts++;
    const id = this.#cursorToSend();
    // A listener of that report may have closed the source, or paused it.
    if (this.#isClosed() || this.#isPaused()) return;
    this.#sentId = id;
    this.#delivered = false;
    // Where the last redirect led; the query carries the id itself, not its header bytes.
    const url = requestUrl(this.#currentUrl, o.lastEventIdQuery, id === '' ? '' : this.#lastEventId);
    const connection = openConnection(
      {
        url,
        prepare: () => buildRequest(o, url, id),
        fetch: o.fetch,
        clock: o.clock,
        heartbeatTimeout: o.heartbeatTimeout,
        maxEventSize: o.maxEventSize,
        headersAreFunction: typeof o.headers === 'function',
      },
      this.#callbacks,
    );
    this.#connection = connection;
    const outcome = await connection.done;
    if (this.#connection === connection) this.#connection = undefined;
    if (this.#isClosed() || this.#isPaused() || outcome.kind === 'aborted') return;
    this.#handleOutcome(outcome);
  }

  /**
   * The cursor this attempt sends, as a header value (`''` for none). No
   * cursor may brick the stream: an id that cannot be a header value (control
   * characters; a stored one from an older version, too) is reported once and
   * left out, and so is one the server refused with 431.
   */
  #cursorToSend(): string {
    const id = this.#lastEventId;
    if (id === '' || id === this.#refusedId) return '';
    const value = headerValueOf(id);
    if (value !== undefined) return value;
    if (this.#reportedId !== id) {
      this.#reportedId = id;
      this.dispatchEvent(new StreamErrorEvent({
        reason: 'network',
        message: `The last event id ${JSON.stringify(id)} cannot be sent as a Last-Event-ID header (control characters); connecting without it`,
      }));
    }
    return '';
  }

  #announceConnection(status: number, headers: Headers, finalUrl: string): void {
    // [spec] "announce the connection: set readyState to OPEN; fire an event named open".
    this.#origin = new URL(finalUrl).origin;
    // [spec] The reconnect fetches the same request again, whose URL list the
    // redirects have extended: it goes where the last redirect led, as
    // EventSource does.
    this.#currentUrl = finalUrl;
    this.#readyState = OPEN;
    this.#reauthenticated = false;
    if (this.#leads()) this.#shared?.announceOpen(this.#origin, status, headers, finalUrl);
    this.dispatchEvent(new OpenEvent({ status, headers, url: finalUrl }));
    if (!this.#isClosed()) this.#emitStats();
  }

  /**
   * Takes `id` as the stream's position, and into the dedupe window when
   * `remember` (an event's id; not an id-only block's, which fires nothing
   * that could repeat). Returns false for an id inside the window: a replay,
   * to be dropped.
   */
  #acceptId(id: string, remember: boolean): boolean {
    if (id === '') {
      // An explicit empty id resets the stream's position: forget the
      // window too, since a reset sequence may legitimately reuse ids.
      this.#lastEventId = '';
      this.#dedupe.load([]);
    } else if (remember ? !this.#dedupe.admit(id) : this.#dedupe.has(id)) {
      return false;
    } else {
      // [spec] "Set the last event ID string of the event source to the value
      // of the last event ID buffer."
      this.#lastEventId = id;
    }
    // Followers keep the cursor in memory; the leader persists it for all.
    if (this.#role() !== 'follower') this.#cursor.changed();
    return true;
  }

  /** A block with an id and no data: the position moves, no event fires. */
  #moveCursor(id: string, relay = true): void {
    if (!this.#acceptId(id, false)) return;
    if (relay && this.#leads()) this.#shared?.relay({ type: '', data: undefined, id });
  }

  /** Whether this source holds the shared stream (per event: one property read). */
  #leads(): boolean {
    return this.#shared?.role === 'leader';
  }

  /**
   * Delivers one event; `relay` says whether a leader passes it on to its
   * followers. It runs once per event: every step of it shows in the
   * throughput benchmark, so it reads fields once, calls out only when
   * something is to be done, and is a bound field that the parser calls
   * directly.
   */
  readonly #dispatchMessage = (type: string, data: string, id: string | undefined, relay = true): void => {
    const stats = this.#stats;
    if (id !== undefined && !this.#acceptId(id, true)) {
      stats.duplicatesSuppressed++;
      return;
    }
    if (relay && this.#leads()) this.#shared?.relay({ type, data, id });
    if (!this.#delivered) {
      // The failure count resets after a connection that delivered an event.
      this.#delivered = true;
      this.#failures = 0;
    }
    stats.eventsDelivered++;
    // The time of the chunk that carried it: one clock read per chunk, not per event.
    stats.lastEventAt = stats.lastByteAt;
    const listeners = this.#listeners.of(type);
    if (listeners === undefined) return;
    // [spec] "Initialize event's type to the event type buffer (or message), data
    // to the data buffer, origin to the final URL's origin, lastEventId to the
    // last event ID string."
    this.#listeners.dispatch(listeners, new SourceMessageEvent(type, data, this.#lastEventId, this.#origin, this, this.#timeStamp));
  };

  /** Acts on what reconnect-policy.ts decides for an ended attempt. */
  #handleOutcome(outcome: Exclude<Outcome, { kind: 'aborted' }>): void {
    const o = this.#options;
    const decision = decide(outcome, {
      failures: this.#failures,
      reconnectionTime: this.#reconnectionTime,
      reauthenticated: this.#reauthenticated,
      sentCursor: this.#sentId !== '',
      endOfStream: o.endOfStream,
      heartbeatTimeout: o.heartbeatTimeout,
      maxEventSize: o.maxEventSize,
      backoff: o.backoff,
      random: o.random,
    });
    switch (decision.next) {
      case 'close':
        // The answer is complete: CLOSED, no error, and no second request
        // (for an LLM-style POST, a second bill).
        if (this.#leads()) this.#shared?.announceEnd();
        this.#becomeClosed();
        return this.#emitStats();
      case 'fail':
        return this.#failConnection(decision.error);
      case 'reconnect':
        if (decision.reauthenticated) this.#reauthenticated = true;
        if (decision.refuseCursor) this.#refusedId = this.#lastEventId;
        return this.#reestablishConnection(decision.error, decision.delay);
    }
  }

  /**
   * [spec] "reestablish the connection": set readyState to CONNECTING, fire
   * error, wait, then connect again — with our backoff (the policy's `delay`)
   * in place of the fixed reconnection time.
   */
  #reestablishConnection(error: StreamErrorInit, delay: number): void {
    this.#failures++;
    this.#stats.reconnects++;
    this.#stats.lastReconnectReason = error.reason;
    this.#stats.lastReconnectDelay = delay;

    this.#readyState = CONNECTING;
    if (this.#leads()) {
      this.#shared?.announceError(error, CONNECTING);
      this.#shared?.announceReconnecting({ attempt: this.#failures, delay, reason: error.reason });
    }
    this.dispatchEvent(new StreamErrorEvent(error));
    if (this.#isClosed()) return;
    this.dispatchEvent(new ReconnectingEvent({ attempt: this.#failures, delay, reason: error.reason }));
    if (this.#isClosed() || this.#isPaused()) return;
    this.#emitStats();
    // [spec] "Wait a delay equal to the reconnection time of the event source."
    this.#reconnectTimer = this.#options.clock.setTimeout(() => void this.#connect(), delay);
  }

  /** [spec] "fail the connection": set readyState to CLOSED and fire error. */
  #failConnection(error: StreamErrorInit): void {
    // The shared stream is over for every tab, not only this one — unless this
    // tab's own signal ended it, which is this tab's business alone.
    if (error.reason !== 'aborted' && this.#leads()) this.#shared?.announceError(error, CLOSED);
    this.#becomeClosed();
    this.dispatchEvent(new StreamErrorEvent(error));
    this.#emitStats();
  }

  /** CLOSED for good: nothing can deliver or reopen; `closed` resolves once the cursor is saved. */
  #becomeClosed(): void {
    this.#readyState = CLOSED;
    this.#stopStream();
    this.#options.signal?.removeEventListener('abort', this.#abortedBySignal);
    this.#detachLifecycle?.();
    this.#detachLifecycle = undefined;
    this.#stopWakeWatch?.();
    this.#stopWakeWatch = undefined;
    // A read still waiting on a hung store is of no use now; its timer must
    // not keep a process alive.
    this.#cursor.release();
    void this.#cursor.flush().then(this.#resolveClosed);
  }

  /** Stops everything that could deliver or reopen: for close and for pauses alike. */
  #stopStream(): void {
    // The reconnect timer goes first, so nothing can reopen what is closing.
    this.#clearReconnectTimer();
    this.#connection?.abort();
    this.#connection = undefined;
    this.#leaveShare();
  }

  #leaveShare(): void {
    this.#shared?.leave();
    this.#shared = undefined;
  }

  /** A method, not an inline comparison: listeners may close the source mid-way. */
  #isClosed(): boolean {
    return this.#readyState === CLOSED;
  }

  #clearReconnectTimer(): void {
    if (this.#reconnectTimer !== undefined) this.#options.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  readonly #abortedBySignal = (): void => {
    if (this.#isClosed()) return;
    this.#failConnection({ reason: 'aborted', message: 'The signal was aborted', cause: this.#options.signal?.reason });
  };

  /**
   * Connects again at once, dropping the connection or the wait: for
   * `reconnect()` and after a wake. Not a failure: the count stays, no `error`.
   */
  #reconnectNow(reason: 'requested' | 'wake'): void {
    this.#clearReconnectTimer();
    this.#connection?.abort();
    this.#connection = undefined;
    this.#readyState = CONNECTING;
    this.#stats.reconnects++;
    this.#stats.lastReconnectReason = reason;
    this.#stats.lastReconnectDelay = 0;
    const attempt = this.#failures + 1;
    if (this.#leads()) this.#shared?.announceReconnecting({ attempt, delay: 0, reason });
    this.dispatchEvent(new ReconnectingEvent({ attempt, delay: 0, reason }));
    if (this.#isClosed() || this.#isPaused()) return;
    this.#emitStats();
    void this.#connect();
  }

  /** The device slept: an open stream (or an attempt in flight) is presumed dead. A wait runs on. */
  #wake(): void {
    if (this.#isClosed() || this.#isPaused() || this.#role() === 'follower' || this.#connection === undefined) return;
    this.#reconnectNow('wake');
  }

  /** An open stream with no byte for longer than heartbeatTimeout (the watchdog's timer may be asleep too). */
  #silentPastHeartbeat(): boolean {
    const { heartbeatTimeout, clock } = this.#options;
    const last = this.#stats.lastByteAt;
    return this.#readyState === OPEN && heartbeatTimeout > 0 && last !== undefined && clock.now() - last > heartbeatTimeout;
  }

  #reconnectNowIfWaiting(): void {
    if (this.#reconnectTimer === undefined || this.#isClosed()) return;
    this.#clearReconnectTimer();
    void this.#connect();
  }

  #isPaused(): boolean {
    return this.#pausedBy.hidden || this.#pausedBy.pagehide;
  }

  /** Pauses (closes the stream, keeps the source) or resumes, for one reason. */
  #setPaused(reason: 'hidden' | 'pagehide', paused: boolean): void {
    if (this.#isClosed()) return;
    const wasPaused = this.#isPaused();
    this.#pausedBy[reason] = paused;
    if (!wasPaused && this.#isPaused()) {
      // A paused tab must not hold the shared stream either: another tab takes it.
      this.#stopStream();
      this.#readyState = CONNECTING;
    }
    // After the abort, so that nothing arrives after the state is saved.
    if (paused) void this.#cursor.flush();
    if (wasPaused && !this.#isPaused()) {
      if (this.#options.share && this.#joinShare()) return;
      void this.#connect();
    }
  }

  #reportStoreFailure(cause: Error): void {
    // Reported once, without touching readyState: the stream goes on.
    if (this.#isClosed()) return;
    this.dispatchEvent(
      new StreamErrorEvent({ reason: 'store', message: `${cause.message}; using memory instead`, cause }),
    );
  }

  #setHandler(type: HandlerType, handler: Handler<Event>): void {
    const value = typeof handler === 'function' ? handler : null;
    // [html] Setting a handler registers one listener the first time (adding
    // the same listener again is a no-op), so it keeps its place among
    // listeners added around it; setting null deactivates it, so the next
    // handler goes after the listeners added meanwhile.
    if (value) this.addEventListener(type, this.#invokeHandler);
    else this.removeEventListener(type, this.#invokeHandler);
    this.#handlers[type] = value;
  }

  readonly #invokeHandler = (event: Event): void => {
    this.#handlers[event.type as HandlerType]?.call(this as EventSource, event);
  };
}
