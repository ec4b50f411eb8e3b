/**
 * One connection attempt: the request, the verdict on the response, and the
 * body read through the UTF-8 decoder into the parser. It owns its
 * `AbortController` and its watchdog; it knows nothing of backoff or readyState.
 */
import { classifyResponse, type Verdict } from './classify.js';
import type { Clock } from './clock.js';
import { startWatchdog } from './heartbeat.js';
import { createEventStreamParser, type ParserCallbacks } from './parser.js';
import { createUtf8StreamDecoder } from './utf8.js';
import type { FetchLike } from './types.js';

/** How an attempt ended. */
export type Outcome =
  /** The server closed the body after it was accepted. */
  | { kind: 'ended' }
  /** The request or the body read failed. */
  | { kind: 'network'; cause: unknown }
  /** No byte (or no headers) within the heartbeat timeout. */
  | { kind: 'heartbeat-timeout' }
  /** An event grew past `maxEventSize`. */
  | { kind: 'too-large' }
  /** The response was not accepted. */
  | { kind: 'rejected'; verdict: Exclude<Verdict, { action: 'accept' }> }
  /** {@link Connection.abort} was called. */
  | { kind: 'aborted' };

/** What one attempt needs. */
export interface ConnectionParams {
  url: string;
  init: RequestInit;
  fetch: FetchLike;
  clock: Clock;
  heartbeatTimeout: number;
  maxEventSize: number;
  headersAreFunction: boolean;
}

/** What one attempt reports while it runs. All are called synchronously from the read loop. */
export interface ConnectionCallbacks {
  /** The response was accepted; `url` is the final URL after redirects. */
  onOpen(url: string): void;
  /** A complete event (see {@link ParserCallbacks.onEvent}). */
  onEvent(type: string, data: string, id: string | undefined): void;
  /** A block with an id and no data (see {@link ParserCallbacks.onId}). */
  onId(id: string): void;
  /** A `retry:` field with a valid value. */
  onRetry(ms: number): void;
  /** Body bytes arrived, at `now` (the clock is read once per chunk). */
  onBytes(count: number, now: number): void;
}

/** A running attempt. */
export interface Connection {
  /** Settles (never rejects) when the attempt is over. */
  readonly done: Promise<Outcome>;
  /** Abandons the attempt; `done` settles with `aborted`. Safe to call more than once. */
  abort(): void;
}

/** Starts one attempt. */
export function openConnection(params: ConnectionParams, callbacks: ConnectionCallbacks): Connection {
  const controller = new AbortController();
  let stopped: 'aborted' | 'heartbeat-timeout' | 'too-large' | undefined;
  const stop = (why: NonNullable<typeof stopped>) => {
    if (stopped) return;
    stopped = why;
    // Whatever the parser would report after a stop (a listener called
    // close(), the size limit hit) belongs to an abandoned attempt: it stops
    // at once, mid-chunk.
    parser.stop();
    controller.abort();
  };
  const watchdog = startWatchdog(params.clock, params.heartbeatTimeout, () => stop('heartbeat-timeout'));
  // The callbacks go to the parser as they are, with no wrapper: they run
  // once per event.
  const parser = createEventStreamParser(
    { onEvent: callbacks.onEvent, onId: callbacks.onId, onRetry: callbacks.onRetry, onTooLarge: () => stop('too-large') },
    params.maxEventSize,
  );

  async function run(): Promise<Outcome> {
    let response: Response;
    /** The attempt was stopped (close, heartbeat, size): drop the body and say why. */
    const abandoned = (why: NonNullable<typeof stopped>): Outcome => {
      cancel(response.body);
      return { kind: why };
    };
    try {
      response = await params.fetch(params.url, { ...params.init, signal: controller.signal });
    } catch (cause) {
      return stopped ? { kind: stopped } : { kind: 'network', cause };
    }
    if (stopped) return abandoned(stopped);
    watchdog.touch();

    const verdict = classifyResponse(response, params.headersAreFunction, params.clock.now());
    if (verdict.action !== 'accept') {
      cancel(response.body);
      return { kind: 'rejected', verdict };
    }
    if (!response.body) return { kind: 'ended' };

    callbacks.onOpen(response.url || params.url);
    if (stopped) return abandoned(stopped);

    // [spec] Streams are decoded with the UTF-8 decode algorithm (see utf8.ts).
    const decoder = createUtf8StreamDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const now = params.clock.now();
        watchdog.touch(now);
        callbacks.onBytes(value.byteLength, now);
        parser.feed(decoder.decode(value));
        if (stopped) break;
      }
    } catch (cause) {
      return stopped ? { kind: stopped } : { kind: 'network', cause };
    } finally {
      reader.releaseLock();
    }
    if (stopped) return abandoned(stopped);
    // [spec] "Once the end of the file is reached, any pending data must be
    // discarded": the parser is not flushed, so an unfinished event is lost.
    return { kind: 'ended' };
  }

  const done = run().finally(() => watchdog.stop());
  return { done, abort: () => stop('aborted') };
}

/**
 * Releases a body we will not read. Not awaited: some fetch implementations
 * (msw's, for one) never settle `cancel()`, and waiting on it would hang the
 * attempt. A failure to cancel changes nothing, so it is swallowed.
 */
function cancel(body: ReadableStream<Uint8Array> | null): void {
  body?.cancel().catch(() => {});
}
