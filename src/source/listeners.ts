/**
 * Listeners of message types, mirrored so a source can call them directly
 * (about 10× cheaper than `EventTarget.dispatchEvent` in Node) with the DOM's
 * semantics: registration order, one registration per (listener, capture),
 * `once`, `signal`, `handleEvent` objects, no call after removal — even during
 * the dispatch — and `stopImmediatePropagation`. Each listener is also
 * registered on the real `EventTarget` through a wrapper, so an event that
 * someone else dispatches with `dispatchEvent()` still reaches it.
 */

interface Entry {
  listener: EventListenerOrEventListenerObject;
  capture: boolean;
  /** Set on removal: a dispatch under way, which holds the list as it was, skips it. */
  removed: boolean;
  /** Calls the listener (dropping it first when `once`); the same function is registered natively. */
  call: (event: Event) => void;
}

/** What the registry needs from its owner. */
export interface ListenerHost {
  /** `EventTarget.prototype.addEventListener` on the owner. */
  nativeAdd(type: string, listener: (event: Event) => void, options: AddEventListenerOptions): void;
  /** `EventTarget.prototype.removeEventListener` on the owner. */
  nativeRemove(type: string, listener: (event: Event) => void, capture: boolean): void;
  /** Where a listener's exception goes (it must not stop the dispatch). */
  report(error: unknown): void;
}

/** A dispatchable event with a stop flag (see message-event.ts). */
export interface StoppableEvent {
  readonly type: string;
  readonly stopped: boolean;
}

/** The registered listeners of one type, as {@link ListenerRegistry.of} returns them. */
export type ListenerList = readonly Entry[];

/** [dom] "flatten": the capture flag of a boolean or of an options dictionary. */
const captureOf = (options: boolean | EventListenerOptions | null | undefined): boolean =>
  typeof options === 'boolean' ? options : !!options?.capture;

/** The registration of (listener, capture) in `list`: the DOM's identity of a listener. */
const find = (
  list: ListenerList | undefined,
  listener: EventListenerOrEventListenerObject,
  capture: boolean,
): Entry | undefined => list?.find((e) => e.listener === listener && e.capture === capture);

/**
 * The mirror of one source's message listeners. A type's list is replaced,
 * never changed in place, when a listener is added or removed: the list a
 * dispatch holds is the snapshot the DOM takes, at no cost per event.
 */
export class ListenerRegistry {
  readonly #byType = new Map<string, ListenerList>();
  readonly #owner: EventTarget;
  readonly #host: ListenerHost;

  constructor(owner: EventTarget, host: ListenerHost) {
    this.#owner = owner;
    this.#host = host;
  }

  add(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options: boolean | AddEventListenerOptions | undefined,
  ): void {
    const capture = captureOf(options);
    // Object(): a boolean or no options has neither `once` nor `signal`.
    const { once, signal } = Object(options) as AddEventListenerOptions;
    if (signal?.aborted) return;
    const list = this.#byType.get(type) ?? [];
    // [dom] "If eventTarget's event listener list does not contain an event
    // listener whose type, callback and capture are equal, append it."
    if (find(list, listener, capture)) return;
    const entry: Entry = {
      listener,
      capture,
      removed: false,
      call: (event) => {
        if (once) this.#drop(type, entry);
        try {
          if (typeof listener === 'function') listener.call(this.#owner, event);
          else listener.handleEvent(event);
        } catch (error) {
          this.#host.report(error);
        }
      },
    };
    this.#byType.set(type, [...list, entry]);
    // The signal is not passed on: its abort drops the entry, which removes
    // the native registration too.
    this.#host.nativeAdd(type, entry.call, { capture });
    signal?.addEventListener('abort', () => this.#drop(type, entry), { once: true });
  }

  remove(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options: boolean | EventListenerOptions | undefined,
  ): void {
    const entry = find(this.#byType.get(type), listener, captureOf(options));
    if (entry) this.#drop(type, entry);
  }

  /**
   * The listeners of `type`, or undefined when there are none: one lookup per
   * event, and no event is built that nobody hears.
   */
  of(type: string): ListenerList | undefined {
    return this.#byType.get(type);
  }

  /** Calls `list` (from {@link of}) in order, as `dispatchEvent` would at the target. */
  dispatch(list: ListenerList, event: StoppableEvent): void {
    // [dom] Listeners added during the dispatch are not called (`list` is
    // the snapshot); removed ones are not either.
    for (const entry of list) {
      if (entry.removed) continue;
      entry.call(event as unknown as Event);
      if (event.stopped) return;
    }
  }

  #drop(type: string, entry: Entry): void {
    if (entry.removed) return;
    entry.removed = true;
    // An entry not yet removed is in its type's list.
    const rest = (this.#byType.get(type) as ListenerList).filter((e) => e !== entry);
    if (rest.length > 0) this.#byType.set(type, rest);
    else this.#byType.delete(type);
    this.#host.nativeRemove(type, entry.call, entry.capture);
  }
}

/**
 * Reports a listener's exception the way the platform does for event
 * listeners: `reportError` in browsers and workers, else thrown from a
 * microtask (Node's own `EventTarget` throws from `process.nextTick`).
 */
export function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else
    queueMicrotask(() => {
      throw error;
    });
}

/**
 * Each source's registry, set by its base class (source-target.ts) and read
 * once by the source at construction: friend access without a public member
 * (and kept here, so that the public declarations never name the registry).
 */
export const registries = new WeakMap<object, ListenerRegistry>();
