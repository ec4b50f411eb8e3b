/**
 * The public class: the `EventSource` API, its getters and the wiring of the
 * modules that do the work. The listener API is source-target.ts's; the
 * attempt loop and readyState driver.ts's; the position and messages
 * delivery.ts's; the cross-tab protocol share/'s, reached through the
 * {@link SharedStreamHost} built here.
 */
import { createCursorKeeper } from '../persistence/cursor.js';
import { createDedupeWindow, noDedupe } from '../persistence/dedupe.js';
import { Delivery } from './delivery.js';
import { Driver } from './driver.js';
import { StatsEvent, StreamErrorEvent, type StoreError } from '../contract/events.js';
import { iterateMessages, type LoopHost } from './iterate.js';
import { isWorker, watchLifecycle } from '../platform/lifecycle.js';
import { type NormalizedOptions, normalizeOptions } from '../options/options.js';
import { canShare } from '../share/channel.js';
import { ShareMembership } from './membership.js';
import { joinShare } from './share-host.js';
import { type ListenerRegistry, registries } from './listeners.js';
import { SourceTarget } from './source-target.js';
import { CLOSED, CONNECTING, OPEN, type ReadyState } from './ready-state.js';
import { defaultStore } from '../persistence/stores/default-store.js';
import { watchWake } from '../platform/wake.js';
import type { StringMessageEvent } from '../platform/dom-types.js';
import type { ResilientEventSourceInit, StreamStats } from '../contract/types.js';

export type { ResilientEventSourceEventMap } from './source-target.js';

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
export class ResilientEventSource extends SourceTarget<ResilientEventSource> {
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
  readonly #delivery: Delivery;
  readonly #driver: Driver;
  #resolveClosed!: () => void;
  readonly #closed = new Promise<void>((resolve) => (this.#resolveClosed = resolve));
  #detachLifecycle: (() => void) | undefined;
  #stopWakeWatch: (() => void) | undefined;

  /**
   * @param url - absolute, or relative to the page or worker location.
   * @throws SyntaxError when `url` cannot be parsed.
   * @throws TypeError or RangeError when an option is invalid; the message names it.
   */
  constructor(url: string | URL, options?: ResilientEventSourceInit) {
    super();
    const o = normalizeOptions(url, options);
    this.#options = o;
    const dedupe = o.dedupe > 0 ? createDedupeWindow(o.dedupe) : noDedupe;
    const cursor = createCursorKeeper({
      store: o.store === false ? undefined : (o.store ?? defaultStore()),
      key: o.storageKey,
      // Sources that share a connection across tabs share its cursor too; the
      // leader alone writes it.
      exclusive: !(o.share && canShare()),
      clock: o.clock,
      snapshot: () => this.#delivery.position(),
      onFailure: (cause, message) => this.#reportStoreFailure(cause, message),
      // A worker gets no pagehide to flush on before its page unloads it, so
      // it writes as soon as the previous write is done (still one in flight,
      // latest wins): at most one write's latency of events can repeat.
      writeInterval: isWorker() ? 0 : undefined,
    });
    this.#delivery = new Delivery(
      dedupe,
      cursor,
      this,
      registries.get(this) as ListenerRegistry,
      new ShareMembership(),
    );
    const driver = new Driver(o, this.#delivery, {
      fire: (event) => this.dispatchEvent(event),
      stats: () => this.dispatchEvent(new StatsEvent(this.stats)),
      join: (): boolean =>
        joinShare(o.storageKey, { driver: this.#driver, delivery: this.#delivery, reconnect: () => this.reconnect() }),
      closed: () => this.#onClosed(),
    });
    this.#driver = driver;

    const { signal } = o;
    if (signal?.aborted) {
      // Fire after the constructor returns, so that listeners can see it.
      queueMicrotask(() => this.#abortedBySignal());
      return;
    }
    signal?.addEventListener('abort', this.#abortedBySignal);
    this.#detachLifecycle = watchLifecycle({
      onOnline: () => driver.reconnectIfWaiting(),
      // Events arriving after pagehide would be shown to a page that is going
      // away and repeated after the reload: stop the stream, then persist.
      onPageHide: () => driver.setPaused('pagehide', true),
      onPageRestore: () => driver.setPaused('pagehide', false),
      onHiddenChange: o.pauseWhenHidden ? (hidden) => driver.setPaused('hidden', hidden) : undefined,
      onMaybeWoke: (cause) => {
        // A page thawed from frozen, or back to visible with a stream silent
        // past its heartbeat: the socket is most likely dead.
        if (cause === 'resume' || this.#silentPastHeartbeat()) driver.wake();
      },
    });
    this.#stopWakeWatch = watchWake(o.clock, () => driver.wake());
    void driver.start();
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
  get readyState(): ReadyState {
    return this.#driver.readyState;
  }

  /** The value that would be sent as `Last-Event-ID` now (`''` for none). */
  get lastEventId(): string {
    return this.#delivery.lastEventId;
  }

  /** A snapshot of counters; cheap enough to read every frame. */
  get stats(): StreamStats {
    const d = this.#delivery;
    const { lastByteAt, lastEventAt, ...counts } = d.counters;
    // Ages on the monotonic clock: never negative after the wall clock is stepped back.
    const now = this.#options.clock.monotonic();
    return {
      ...counts,
      msSinceLastByte: lastByteAt === undefined ? undefined : now - lastByteAt,
      msSinceLastEvent: lastEventAt === undefined ? undefined : now - lastEventAt,
      lastEventId: d.lastEventId,
      role: d.membership.role(),
    };
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
    if (!this.#driver.isClosed()) this.#driver.close();
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
    const driver = this.#driver;
    if (driver.isHalted() || !driver.started) return;
    const { membership } = this.#delivery;
    if (membership.role() === 'follower') membership.requestReconnect();
    else driver.reconnectNow('requested');
  }

  /**
   * `for await (const event of es)`: every message the stream dispatches, of
   * any type (`message` and every `event:` name; `event.type` tells them
   * apart), in order. Leaving the loop closes the source, and the stored
   * cursor covers only the events the loop body was given, so a new source
   * resumes right after them. The loop ends normally when the source closes
   * without a failure (`close()`, a 204, `endOfStream: 'close'`), and a final
   * failure rejects it with a {@link StreamError}. Events that arrive while
   * the loop body awaits are queued; see `iterate.ts` for the bound.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<StringMessageEvent> {
    return this.events();
  }

  /**
   * A `for await` loop over the messages of the given types only (all of
   * them when none is given), with everything else as for `for await (… of es)`.
   *
   * @example
   * for await (const e of es.events('content_block_delta', 'message_stop')) {
   *   if (e.type === 'message_stop') break;
   *   print(JSON.parse(e.data).delta.text);
   * }
   * @throws TypeError when a type is not a string.
   */
  events(...types: string[]): AsyncIterableIterator<StringMessageEvent> {
    for (const type of types) {
      if (typeof type !== 'string') throw new TypeError(`events(...types) takes event type names, got ${typeof type}`);
    }
    return iterateMessages(this.#loopHost(), types.length > 0 ? new Set(types) : undefined);
  }

  /** What a `for await` loop needs of this source. */
  #loopHost(): LoopHost {
    const d = this.#delivery;
    return {
      source: this,
      attach: (loop) => {
        const detach = d.attach(loop);
        return () => {
          detach();
          this.#finishWhenDone();
        };
      },
      moved: () => d.moved(),
      save: () => d.cursor.flush(),
    };
  }

  /** Once CLOSED and no loop still yields what it queued, nothing will write the cursor again. */
  #finishWhenDone(): void {
    if (this.#driver.isClosed() && !this.#delivery.looping) this.#delivery.cursor.finish();
  }

  /** CLOSED for good: stop watching; `closed` resolves once the cursor is saved. */
  #onClosed(): void {
    this.#options.signal?.removeEventListener('abort', this.#abortedBySignal);
    this.#detachLifecycle?.();
    this.#detachLifecycle = undefined;
    this.#stopWakeWatch?.();
    this.#stopWakeWatch = undefined;
    // A read still waiting on a hung store is of no use now; its timer must
    // not keep a process alive.
    const { cursor } = this.#delivery;
    cursor.close();
    void cursor.flush().then(() => {
      this.#resolveClosed();
      this.#finishWhenDone();
    });
  }

  /** An open stream with no byte for longer than heartbeatTimeout (the watchdog's timer may be asleep too). */
  #silentPastHeartbeat(): boolean {
    const { heartbeatTimeout, clock } = this.#options;
    const last = this.#delivery.counters.lastByteAt;
    return (
      this.readyState === OPEN &&
      heartbeatTimeout > 0 &&
      last !== undefined &&
      clock.monotonic() - last > heartbeatTimeout
    );
  }

  readonly #abortedBySignal = (): void => {
    if (this.#driver.isClosed()) return;
    this.#driver.fail({ reason: 'aborted', message: 'The signal was aborted', cause: this.#options.signal?.reason });
  };

  #reportStoreFailure(cause: StoreError, message: string): void {
    // Reported once, without touching readyState: the stream goes on.
    if (this.#driver.isClosed()) return;
    this.dispatchEvent(new StreamErrorEvent({ reason: 'store', message, cause }));
  }
}
