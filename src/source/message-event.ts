/**
 * The `MessageEvent` a source dispatches. Constructing the platform's
 * `MessageEvent` and dispatching it through `EventTarget` costs about 0.4 µs
 * per event in Node — more than parsing the event — so messages are plain
 * objects with the whole `MessageEvent` shape, handed to listeners directly
 * (see listeners.ts). Their prototype chains to the platform's
 * `MessageEvent.prototype` where there is one, so `e instanceof MessageEvent`
 * holds; every property a listener may read is an own property or a method
 * defined here, so no platform getter ever sees a foreign object.
 */

/** A dispatched message: `data`, `lastEventId`, `origin`, as `MessageEvent`. */
export class SourceMessageEvent {
  // Class fields, defined on the event: a plain assignment would hit the
  // getter-only accessors of `Event.prototype` up the chain, and throw.
  readonly type: string;
  readonly data: string;
  readonly lastEventId: string;
  readonly origin: string;
  readonly target: EventTarget;
  readonly timeStamp: number;
  // Constant for every message: kept on the prototype (below), so an event
  // costs six fields, not nineteen.
  declare readonly source: null;
  declare readonly ports: readonly MessagePort[];
  declare readonly eventPhase: number;
  declare readonly bubbles: boolean;
  declare readonly cancelable: boolean;
  declare readonly composed: boolean;
  declare readonly defaultPrevented: boolean;
  declare readonly isTrusted: boolean;
  declare readonly returnValue: boolean;
  /** Set by stopPropagation(); shadows the prototype's `false`. */
  declare cancelBubble: boolean;
  /** Set by stopImmediatePropagation(); the dispatch loop stops. */
  declare stopped: boolean;

  constructor(type: string, data: string, lastEventId: string, origin: string, target: EventTarget, timeStamp: number) {
    this.type = type;
    this.data = data;
    this.lastEventId = lastEventId;
    this.origin = origin;
    this.target = target;
    this.timeStamp = timeStamp;
  }

  get currentTarget(): EventTarget {
    return this.target;
  }
  get srcElement(): EventTarget {
    return this.target;
  }
  composedPath(): EventTarget[] {
    return [this.target];
  }
  preventDefault(): void {
    // Not cancelable, as EventSource's messages are not.
  }
  stopPropagation(): void {
    this.cancelBubble = true;
  }
  stopImmediatePropagation(): void {
    this.cancelBubble = true;
    this.stopped = true;
  }
  initEvent(): void {}
  initMessageEvent(): void {}
}

// Writable, so that stopPropagation() and stopImmediatePropagation() set
// their flags on the event itself.
Object.assign(SourceMessageEvent.prototype, {
  source: null,
  ports: Object.freeze([]),
  eventPhase: 2, // AT_TARGET
  bubbles: false,
  cancelable: false,
  composed: false,
  defaultPrevented: false,
  isTrusted: false,
  returnValue: true,
  cancelBubble: false,
  stopped: false,
});
const platform = (globalThis as { MessageEvent?: { prototype: object } }).MessageEvent;
if (platform) Object.setPrototypeOf(SourceMessageEvent.prototype, platform.prototype);
