/**
 * `for await (const event of es)`: the source's `message` events as an async
 * iterator. Events that arrive while the loop body awaits are queued, so none
 * is lost between iterations.
 *
 * The bound, and what happens at it: when the loop falls
 * {@link iteratorBufferSize} events behind, the source is closed at once, from
 * inside the dispatch, so nothing more is read from the stream and the
 * cursor stops at the last event queued. The loop still yields every queued
 * event, then throws a {@link StreamError} with reason `too-large`. Nothing
 * is lost: a new source (or a restart) resumes right after the last event the
 * loop was given. Memory stays bounded instead of growing with a consumer
 * that cannot keep up.
 */
import type { StreamErrorEvent } from './errors.js';
import type { StringMessageEvent } from './dom-types.js';
import type { ErrorReason } from './types.js';

/** How many events a `for await` loop may fall behind before the source is closed (see above). */
export const iteratorBufferSize = 10_000;

/**
 * What a `for await` loop over a source throws when the source gives up: the
 * `error` event's reason, message, status and cause.
 */
export class StreamError extends Error {
  override readonly name = 'StreamError';
  /** The reason of the final `error` event, or `too-large` when the loop fell too far behind. */
  declare readonly reason: ErrorReason;
  /** The HTTP status, when known. */
  declare readonly status: number | undefined;

  constructor(reason: ErrorReason, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.status = status;
  }
}

/** The part of the source the iterator uses. */
interface SourceLike extends EventTarget {
  readonly readyState: number;
  readonly closed: Promise<void>;
  close(): void;
}

/** What `next()` returns at the end. */
const over = Object.freeze({ value: undefined, done: true } as const);

/** An async iterator over `source`'s `message` events. */
export function iterateMessages(source: SourceLike): AsyncIterator<StringMessageEvent, undefined> & AsyncIterable<StringMessageEvent> {
  const queue: StringMessageEvent[] = [];
  let failure: StreamError | undefined;
  /** Resolves the wait of a `next()` with nothing queued; a stale one is a no-op. */
  let wake: (() => void) | undefined;

  const onMessage = (event: Event) => {
    if (queue.push(event as StringMessageEvent) >= iteratorBufferSize) {
      failure = new StreamError('too-large', `The for await loop fell ${iteratorBufferSize} events behind: the source was closed; every event received is still yielded, and a new source resumes after the last`);
      finish();
      source.close();
    }
    wake?.();
  };
  const onError = (event: Event) => {
    if (source.readyState !== 2) return;
    const e = event as StreamErrorEvent;
    failure ??= new StreamError(e.reason, e.message, e.status, { cause: e });
    finish();
  };
  /** Aborted when the loop is over: that also removes both listeners. */
  const ended = new AbortController();
  const finish = () => {
    ended.abort();
    wake?.();
  };
  const options = { signal: ended.signal };
  source.addEventListener('message', onMessage, options);
  source.addEventListener('error', onError, options);
  // A close without an error event (the app's close(), endOfStream) ends the
  // loop normally, once the cursor is saved; a final error has set `failure`.
  void source.closed.then(finish);

  return {
    async next(): Promise<IteratorResult<StringMessageEvent, undefined>> {
      for (;;) {
        const event = queue.shift();
        if (event) return { value: event, done: false };
        if (ended.signal.aborted) {
          const error = failure;
          failure = undefined;
          if (error) throw error;
          return over;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return(): Promise<IteratorResult<StringMessageEvent, undefined>> {
      // Leaving the loop (break, return, a throw in its body) closes the source.
      finish();
      queue.length = 0;
      failure = undefined;
      source.close();
      return over;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
