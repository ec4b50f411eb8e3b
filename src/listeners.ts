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
  once: boolean;
  removed: boolean;
  /** What is registered natively for this entry. */
  native: (event: Event) => void;
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

/** The mirror of one source's message listeners. */
export class ListenerRegistry {
  readonly #byType = new Map<string, Entry[]>();

  constructor(
    readonly owner: EventTarget,
    readonly host: ListenerHost,
  ) {}

  add(type: string, listener: EventListenerOrEventListenerObject, options: boolean | AddEventListenerOptions | undefined): void {
    const capture = typeof options === 'boolean' ? options : options?.capture === true;
    const once = typeof options === 'object' && options.once === true;
    const signal = typeof options === 'object' ? options.signal : undefined;
    if (signal?.aborted) return;
    const list = this.#byType.get(type) ?? [];
    // [dom] "If eventTarget's event listener list does not contain an event
    // listener whose type, callback and capture are equal, append it."
    if (list.some((e) => e.listener === listener && e.capture === capture)) return;
    const entry: Entry = {
      listener,
      capture,
      once,
      removed: false,
      native: (event) => {
        if (entry.once) this.#drop(type, entry);
        this.#invoke(entry, event);
      },
    };
    list.push(entry);
    this.#byType.set(type, list);
    this.host.nativeAdd(type, entry.native, { capture, ...(signal ? { signal } : {}) });
    signal?.addEventListener('abort', () => this.#drop(type, entry), { once: true });
  }

  remove(type: string, listener: EventListenerOrEventListenerObject, options: boolean | EventListenerOptions | undefined): void {
    const capture = typeof options === 'boolean' ? options : options?.capture === true;
    const entry = this.#byType.get(type)?.find((e) => e.listener === listener && e.capture === capture);
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
    // Fast path: one listener, the common case, needs no snapshot. (A list
    // empties to removal, so it is never empty here.)
    if (list.length === 1) {
      const entry = list[0] as Entry;
      if (entry.once) this.#drop(event.type, entry);
      this.#invoke(entry, event);
      return;
    }
    // [dom] Listeners added during the dispatch are not called; removed ones are not either.
    for (const entry of list.slice()) {
      if (entry.removed) continue;
      if (entry.once) this.#drop(event.type, entry);
      this.#invoke(entry, event);
      if (event.stopped) break;
    }
  }

  #invoke(entry: Entry, event: object): void {
    try {
      const { listener } = entry;
      if (typeof listener === 'function') listener.call(this.owner, event as Event);
      else listener.handleEvent(event as Event);
    } catch (error) {
      this.host.report(error);
    }
  }

  #drop(type: string, entry: Entry): void {
    if (entry.removed) return;
    entry.removed = true;
    const list = this.#byType.get(type);
    if (list) {
      const i = list.indexOf(entry);
      if (i !== -1) list.splice(i, 1);
      if (list.length === 0) this.#byType.delete(type);
    }
    this.host.nativeRemove(type, entry.native, entry.capture);
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
