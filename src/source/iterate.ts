/**
 * `for await (const event of es)`: the source's messages as an async iterator,
 * every type (`message` and each `event:` name) in order, or only the types
 * asked for (`es.events('a', 'b')`). Events that arrive while the loop body
 * awaits are queued, so none is lost between iterations.
 *
 * The cursor follows the loop body: while the loop has events still to take,
 * the stored cursor stays before the first of them (delivery.ts), so a source
 * that ends with the loop (`break`, a throw in its body, a crash) resumes
 * right after the last event the body was given, and none is skipped. Once the
 * source is closed, the loop still yields what it had queued, and saves the
 * cursor before it ends.
 *
 * The bound: when the loop falls {@link iteratorBufferSize} events behind, the
 * source is closed at once, from inside the dispatch, so nothing more is read
 * and memory stays bounded. The loop still yields every queued event, then
 * throws a {@link StreamError} with reason `too-large`; nothing is lost.
 */
import { iteratorBufferSize, StreamError, StreamErrorEvent } from '../contract/events.js';
import type { HeldPosition, MessageLoop } from './delivery.js';
import type { SourceMessageEvent } from './message-event.js';
import { CLOSED } from './ready-state.js';
import type { StringMessageEvent } from '../platform/dom-types.js';
import { development } from '../platform/build.js';

/** What the loop needs of its source. */
export interface LoopHost {
  /** The source, for its `error` events, its state and `close()`. */
  readonly source: EventTarget & { readonly readyState: number; readonly closed: Promise<void>; close(): void };
  /** Starts feeding `loop` every message; returns the function that stops it. */
  attach(loop: MessageLoop): () => void;
  /** The loop's position moved: the cursor is to be written. */
  moved(): void;
  /** Writes the cursor now; resolves when it is saved (never rejects). */
  save(): Promise<void>;
}

/**
 * A queued message, or `undefined` as `event` for a run of messages of types
 * the loop does not yield: they only hold the place, so that the cursor
 * passes them when the loop does.
 */
interface Queued {
  event: SourceMessageEvent | undefined;
  /** The last event id after it (after the run). */
  after: string;
  /** How many ids the dedupe window took in with it (with the run). */
  ids: number;
  /** How many messages it stands for. */
  count: number;
}

/** What `next()` returns at the end. */
const over = Object.freeze({ value: undefined, done: true } as const);

/**
 * An async iterator over `host.source`'s messages: of `types` only when given,
 * else of every type.
 */
export function iterateMessages(
  host: LoopHost,
  types?: ReadonlySet<string>,
): AsyncIterableIterator<StringMessageEvent> {
  return new MessageIterator(host, types);
}

/** One `for await` loop: a queue of what it has still to take, and where its body stands. */
class MessageIterator implements MessageLoop, AsyncIterableIterator<StringMessageEvent> {
  #queue: Queued[] = [];
  /** The last event id before the first queued message. */
  #before = '';
  /** How many of the queued messages' ids the dedupe window took in. */
  #idsSince = 0;
  /** Queued messages, those of types the loop passes by included (what `held().behind` reports). */
  #behind = 0;
  /** Queued messages of the types the loop yields: `iteratorBufferSize` bounds these. */
  #wanted = 0;
  #failure: StreamError | undefined;
  /** Resolves the wait of a `next()` with nothing queued; a stale one is a no-op. */
  #wake: (() => void) | undefined;
  /** Where the body stood when the loop was left: it holds the cursor there for good. */
  #left: HeldPosition | undefined;
  /** Aborted when no more events can come: that also removes the `error` listener. */
  readonly #ended = new AbortController();
  readonly #detach: () => void;

  constructor(
    readonly host: LoopHost,
    readonly types: ReadonlySet<string> | undefined,
  ) {
    this.#detach = host.attach(this);
    host.source.addEventListener('error', this.#onError, { signal: this.#ended.signal });
    // A close without an error event (the app's close(), endOfStream) ends the
    // loop normally, once the cursor is saved; a final error has set the failure.
    void host.source.closed.then(this.#finish);
  }

  held(): HeldPosition | undefined {
    if (this.#left) return this.#left;
    return this.#behind === 0
      ? undefined
      : { lastEventId: this.#before, idsSince: this.#idsSince, behind: this.#behind };
  }

  receive(event: SourceMessageEvent, id: string | undefined, before: string): void {
    if (this.#ended.signal.aborted) return;
    const wanted = this.types === undefined || this.types.has(event.type);
    const queue = this.#queue;
    // Nothing queued: an event the loop does not want is passed at once.
    if (queue.length === 0) {
      if (!wanted) return;
      this.#before = before;
    }
    const ids = id !== undefined && id !== '' ? 1 : 0;
    this.#idsSince += ids;
    this.#behind++;
    const last = queue[queue.length - 1];
    if (!wanted && last && last.event === undefined) {
      last.after = event.lastEventId;
      last.ids += ids;
      last.count++;
    } else queue.push({ event: wanted ? event : undefined, after: event.lastEventId, ids, count: 1 });
    // Only what the loop yields counts toward the bound; a run passed by is one entry.
    if (wanted && ++this.#wanted >= iteratorBufferSize) {
      const what = development
        ? '; every event received is still yielded, and a new source resumes after the last'
        : '';
      this.#failure = new StreamError(
        'too-large',
        `The for await loop fell ${iteratorBufferSize} events behind: the source was closed${what}`,
      );
      this.#finish();
      this.host.source.close();
    }
    this.#wake?.();
  }

  async next(): Promise<IteratorResult<StringMessageEvent, undefined>> {
    for (;;) {
      const entry = this.#queue.shift();
      if (entry) {
        // The body is given this event (or the loop passes a run): the cursor moves past it.
        this.#before = entry.after;
        this.#idsSince -= entry.ids;
        this.#behind -= entry.count;
        this.host.moved();
        if (entry.event === undefined) continue;
        this.#wanted--;
        return { value: entry.event as unknown as StringMessageEvent, done: false };
      }
      if (this.#ended.signal.aborted) {
        await this.#end();
        const error = this.#failure;
        this.#failure = undefined;
        if (error) throw error;
        return over;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<StringMessageEvent, undefined>> {
    // Leaving the loop (break, return, a throw in its body) closes the
    // source; the cursor stays where the body stands (with nothing left to
    // take, that is the stream's own position).
    this.#left = this.held();
    this.#queue = [];
    this.#behind = 0;
    this.#wanted = 0;
    this.#failure = undefined;
    this.#finish();
    this.host.source.close();
    await this.#end();
    return over;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  readonly #onError = (event: Event): void => {
    // A server event named `error` is a MessageEvent, not ours.
    if (!(event instanceof StreamErrorEvent) || this.host.source.readyState !== CLOSED) return;
    // A 204 is the server's "this stream is over": the loop ends normally.
    if (event.status !== 204)
      this.#failure ??= new StreamError(event.reason, event.message, event.status, { cause: event });
    this.#finish();
  };

  readonly #finish = (): void => {
    this.#ended.abort();
    this.#wake?.();
  };

  /**
   * The loop is over: the cursor is saved where the body stands. A loop left
   * with events it never took keeps holding the cursor there for good, so a
   * second loop that goes on cannot move it past them.
   */
  async #end(): Promise<void> {
    await this.host.save();
    if (this.#left === undefined) this.#detach();
  }
}
