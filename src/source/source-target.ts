/**
 * The `EventTarget` side of the source: `addEventListener` and
 * `removeEventListener` as `EventSource` types them, and the `onopen`,
 * `onmessage` and `onerror` handlers. Message types (`message` and every
 * custom `event:` type) go to the fast registry of listeners.ts, which the
 * source dispatches to directly; its own events (`open`, `error`,
 * `reconnecting`, `stats`) go through the real `EventTarget`.
 */
import { isOwnEventType } from './event-types.js';
import { ListenerRegistry, registries, reportListenerError } from './listeners.js';
import type { OpenEvent, ReconnectingEvent, StatsEvent, StreamErrorEvent } from '../contract/events.js';
import type {
  AddEventListenerOptionsLike,
  EventListenerLike,
  EventListenerOptionsLike,
  EventSourceHandler,
} from '../platform/dom-types.js';

/**
 * The events a `ResilientEventSource` fires, by type. Custom `event:`
 * types arrive as `MessageEvent`. So does a server event named like one of
 * ours, to the same listeners, as the native EventSource dispatches any name
 * the server gives: `error` and `open` are the EventSource API's own names,
 * which servers do send (an LLM API's `event: error`), so their listeners get
 * either, and tell them apart with `instanceof`. A server that names events
 * `reconnecting` or `stats` (this library's additions) reaches those
 * listeners too, as MessageEvents: with such a server, check there as well.
 *
 * @example
 * es.addEventListener('error', (e) => {
 *   if (e instanceof StreamErrorEvent) console.warn(e.reason, e.status); // ours
 *   else showApiError(JSON.parse(e.data)); // the server's `event: error`
 * });
 */
export interface ResilientEventSourceEventMap {
  open: OpenEvent | MessageEvent;
  message: MessageEvent;
  error: StreamErrorEvent | MessageEvent;
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
type AnyListener = EventListenerOrEventListenerObject | ((event: never) => unknown) | null;

/**
 * The listener API of `ResilientEventSource` (its `Self`, which listeners get
 * as `this`, so that this base class need not name its subclass); not
 * constructed on its own.
 */
export class SourceTarget<Self extends EventTarget = EventTarget> extends EventTarget {
  readonly #handlers: Record<HandlerType, Handler<Event>> = { open: null, message: null, error: null };
  readonly #listeners = new ListenerRegistry(this, {
    nativeAdd: (type, listener, options) => super.addEventListener(type, listener, options),
    nativeRemove: (type, listener, capture) => super.removeEventListener(type, listener, capture),
    report: reportListenerError,
  });

  constructor() {
    super();
    // Not a static block (Safari 16.4): a WeakMap read once per source.
    registries.set(this, this.#listeners);
  }

  /** Handler for `open`, as `EventSource.onopen`. */
  get onopen(): DomHandler<'onopen'> {
    return this.#handlers.open;
  }
  set onopen(handler: Handler<OpenEvent | MessageEvent>) {
    this.#setHandler('open', handler as Handler<Event>);
  }

  /** Handler for `message`, as `EventSource.onmessage`. */
  get onmessage(): DomHandler<'onmessage'> {
    return this.#handlers.message as DomHandler<'onmessage'>;
  }
  set onmessage(handler: Handler<MessageEvent>) {
    this.#setHandler('message', handler as Handler<Event>);
  }

  /**
   * Handler for `error`, as `EventSource.onerror`: a {@link StreamErrorEvent},
   * or the server's own `event: error` as a `MessageEvent`.
   */
  get onerror(): DomHandler<'onerror'> {
    return this.#handlers.error;
  }
  set onerror(handler: Handler<StreamErrorEvent | MessageEvent>) {
    this.#setHandler('error', handler as Handler<Event>);
  }

  override addEventListener<K extends keyof ResilientEventSourceEventMap>(
    type: K,
    listener: (this: Self, event: ResilientEventSourceEventMap[K]) => unknown,
    options?: AddEventListenerOptionsLike,
  ): void;
  override addEventListener(
    type: string,
    listener: (this: Self, event: MessageEvent) => unknown,
    options?: AddEventListenerOptionsLike,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: AddEventListenerOptionsLike,
  ): void;
  override addEventListener(type: string, listener: AnyListener, options?: boolean | AddEventListenerOptions): void {
    const l = listener as EventListenerOrEventListenerObject | null;
    if (isOwnEventType(type)) super.addEventListener(type, l, options);
    else if (l) this.#listeners.add(type, l, options);
  }

  override removeEventListener<K extends keyof ResilientEventSourceEventMap>(
    type: K,
    listener: (this: Self, event: ResilientEventSourceEventMap[K]) => unknown,
    options?: EventListenerOptionsLike,
  ): void;
  override removeEventListener(
    type: string,
    listener: (this: Self, event: MessageEvent) => unknown,
    options?: EventListenerOptionsLike,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerLike | null,
    options?: EventListenerOptionsLike,
  ): void;
  override removeEventListener(type: string, listener: AnyListener, options?: boolean | EventListenerOptions): void {
    const l = listener as EventListenerOrEventListenerObject | null;
    if (isOwnEventType(type)) super.removeEventListener(type, l, options);
    else if (l) this.#listeners.remove(type, l, options);
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
    this.#handlers[event.type as HandlerType]?.call(this as unknown as EventSource, event);
  };
}
