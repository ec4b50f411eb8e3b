/**
 * One connection attempt: the request, the verdict on the response, and the
 * body read through the UTF-8 decoder into the parser. It owns its
 * `AbortController` and its watchdog; it knows nothing of backoff or readyState.
 *
 * Nothing in an attempt can reject unobserved or hang: `done` settles for
 * every path, including a custom `fetch` that throws, returns junk, or never
 * settles and ignores its signal, and a headers function that never settles
 * (the watchdog covers the whole attempt until the stream opens).
 */
import { type Verdict, verdictOn } from './response.js';
import type { Clock, SourceClock } from '../platform/clock.js';
import { startWatchdog, type Watchdog } from './heartbeat.js';
import { createEventStreamParser, type EventStreamParser, type ParserCallbacks } from './parser.js';
import { createUtf8StreamDecoder } from './utf8.js';
import type { FetchLike } from '../contract/types.js';
import { development } from '../platform/build.js';

/** How an attempt ended. */
export type Outcome =
  /** The server closed the body after it was accepted. */
  | { kind: 'ended' }
  /** The request or the body read failed, or `fetch` returned something that is not a usable Response. */
  | { kind: 'network'; cause: unknown }
  /** The request could not be built: the headers or body function threw or rejected. */
  | { kind: 'request-failed'; cause: unknown }
  /** No byte within the heartbeat timeout (before the stream opened: the whole attempt took longer). */
  | { kind: 'heartbeat-timeout' }
  /** An event grew past `maxEventSize`. */
  | { kind: 'too-large' }
  /** The response was not accepted; `body` is up to {@link refusedBodyLimit} of it, as text. */
  | { kind: 'rejected'; verdict: Extract<Verdict, { accept: false }>; headers: Headers; body: string | undefined }
  /** The user agent aborted the request (`window.stop()`, navigation): not ours to recover from. */
  | { kind: 'agent-abort'; cause: unknown }
  /** {@link Connection.abort} was called. */
  | { kind: 'aborted' };

/** What one attempt needs. */
export interface ConnectionParams {
  url: string;
  /** Builds the request (it may call the caller's headers and body functions); may throw or reject. */
  prepare: () => RequestInit | Promise<RequestInit>;
  fetch: FetchLike;
  clock: SourceClock;
  heartbeatTimeout: number;
  maxEventSize: number;
}

/** What one attempt reports while it runs. All are called synchronously from the read loop. */
export interface ConnectionCallbacks {
  /** The response was accepted; `url` is the final URL after redirects. */
  onOpen(status: number, headers: Headers, url: string): void;
  /** A complete event (see {@link ParserCallbacks.onEvent}). */
  onEvent(type: string, data: string, id: string | undefined): void;
  /** A block with an id and no data (see {@link ParserCallbacks.onId}). */
  onId(id: string): void;
  /** A `retry:` field with a valid value. */
  onRetry(ms: number): void;
  /** Body bytes arrived, at `now` on the monotonic clock (read once per chunk). */
  onBytes(count: number, now: number): void;
}

/** A running attempt. */
export interface Connection {
  /** Settles (never rejects) when the attempt is over. */
  readonly done: Promise<Outcome>;
  /** Abandons the attempt; `done` settles with `aborted`. Safe to call more than once. */
  abort(): void;
}

type StopReason = 'aborted' | 'heartbeat-timeout' | 'too-large';

/**
 * How much of a refused response's body is read for the app (an API's JSON
 * error: "quota exceeded", "model not found"), and for how long at most, so
 * that a slow or endless body never holds the decision up.
 */
export const refusedBodyLimit = { bytes: 64 * 1024, ms: 1000 };

/** Starts one attempt. */
export function openConnection(params: ConnectionParams, callbacks: ConnectionCallbacks): Connection {
  const controller = new AbortController();
  // Aborted by a stop and only by it: the attempt's "stopped" flag.
  const { signal } = controller;
  let settleStopped!: (outcome: Outcome) => void;
  // A stop settles the attempt at once, whatever the request is waiting on: a
  // fetch that ignores its signal, or a headers function that never settles,
  // must not hold the source. What the steps return after a stop loses the
  // race below, so they only have to stop doing things, not to report it.
  const whenStopped = new Promise<Outcome>((resolve) => (settleStopped = resolve));
  const stop = (kind: StopReason): void => {
    if (signal.aborted) return;
    // Whatever the parser would report after a stop (a listener called
    // close(), the size limit hit) belongs to an abandoned attempt: it stops
    // at once, mid-chunk.
    parser.stop();
    controller.abort();
    settleStopped({ kind });
  };
  // Started before the request is built: heartbeatTimeout covers the whole
  // attempt until the stream opens.
  const watchdog = startWatchdog(params.clock, params.heartbeatTimeout, () => stop('heartbeat-timeout'));
  // The callbacks go to the parser as they are, with no wrapper: they run
  // once per event.
  const parser = createEventStreamParser(
    {
      onEvent: callbacks.onEvent,
      onId: callbacks.onId,
      onRetry: callbacks.onRetry,
      onTooLarge: () => stop('too-large'),
    },
    params.maxEventSize,
  );
  // Every failure lands here: the request's, the read's, a stop's (which has
  // already settled the race), and anything a broken response object or a
  // listener's side effect throws, so none can become an unhandled rejection.
  const failed = (cause: unknown): Outcome =>
    isAbortError(cause) ? { kind: 'agent-abort', cause } : { kind: 'network', cause };
  const attempt = request(params, callbacks, signal, watchdog, parser).catch(failed);
  const done = Promise.race([attempt, whenStopped]).finally(() => watchdog.stop());
  return { done, abort: () => stop('aborted') };
}

/**
 * The request, built and sent; what comes back must be a Response to go on
 * to {@link respond}. Rejects on a network failure or a stop.
 */
async function request(
  params: ConnectionParams,
  callbacks: ConnectionCallbacks,
  signal: AbortSignal,
  watchdog: Watchdog,
  parser: EventStreamParser,
): Promise<Outcome> {
  let init: RequestInit;
  try {
    init = await params.prepare();
  } catch (cause) {
    return { kind: 'request-failed', cause };
  }
  // Stopped while the request was built: nothing is sent.
  haltIfStopped(signal);
  const response: unknown = await params.fetch(params.url, { ...init, signal });
  try {
    const wrong = notAResponse(response);
    if (wrong !== undefined)
      throw new TypeError(`The fetch function returned ${wrong}, not a Response with a readable body`);
    haltIfStopped(signal);
    return await respond(response as Response, params, callbacks, signal, watchdog, parser);
  } finally {
    // Whatever is left of the body (all of it, after a stop) is released.
    cancel(response);
  }
}

/**
 * The verdict on a response; if it is accepted, [spec] "announce the
 * connection" and read the body into the parser until it ends or a stop.
 */
async function respond(
  response: Response,
  params: ConnectionParams,
  callbacks: ConnectionCallbacks,
  signal: AbortSignal,
  watchdog: Watchdog,
  parser: EventStreamParser,
): Promise<Outcome> {
  const { clock } = params;
  const verdict = verdictOn(response);
  if (!verdict.accept)
    return { kind: 'rejected', verdict, headers: response.headers, body: await readSome(response.body, clock) };
  const { body } = response;
  if (body) {
    watchdog.touch();
    callbacks.onOpen(
      response.status,
      response.headers,
      typeof response.url === 'string' && response.url !== '' ? response.url : params.url,
    );
    // The open event's listeners may have closed the source.
    haltIfStopped(signal);
    // [spec] Streams are decoded with the UTF-8 decode algorithm (see utf8.ts).
    const decoder = createUtf8StreamDecoder();
    const reader = body.getReader();
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        const now = clock.monotonic();
        watchdog.touch(now);
        callbacks.onBytes(next.value.byteLength, now);
        parser.feed(decoder.decode(next.value));
        if (signal.aborted) break;
      }
    } finally {
      reader.releaseLock();
    }
  }
  // [spec] "Once the end of the file is reached, any pending data must be
  // discarded": the parser is not flushed, so an unfinished event is lost.
  return { kind: 'ended' };
}

/**
 * Ends a step after a stop (whose outcome has settled the attempt already, so
 * what is thrown goes nowhere). Not `signal.throwIfAborted()`: that needs
 * Safari 15.4 / Chrome 100, above the support matrix.
 */
function haltIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal;
}

/** An `AbortError`, from whatever realm: how fetch reports an abort it did not get from our signal. */
function isAbortError(error: unknown): boolean {
  return (error as { name?: unknown } | null | undefined)?.name === 'AbortError';
}

/**
 * Why `value` is not what the attempt needs of a Response (a status, headers
 * to read, and a body that is null or a web ReadableStream), or `undefined`
 * when it is. A custom fetch may return anything (node-fetch v2 gives a Node
 * stream as `body`).
 */
function notAResponse(value: unknown): string | undefined {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  const { status, headers, body } = value as Partial<Response>;
  if (body !== null && body !== undefined && typeof body.getReader !== 'function') {
    return `a response whose body is not a web ReadableStream${development ? ' (no getReader(); a Node stream?)' : ''}`;
  }
  if (typeof status !== 'number' || typeof headers?.get !== 'function') return 'an object without status and headers';
  return undefined;
}

/**
 * Up to {@link refusedBodyLimit} of a refused response's body as text, or
 * `undefined` when there is none or it cannot be read in time; never rejects.
 * The body is released afterwards, whatever is left of it.
 */
async function readSome(body: ReadableStream<Uint8Array> | null, clock: Clock): Promise<string | undefined> {
  if (!body) return undefined;
  const decoder = new TextDecoder();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let text: string | undefined;
  let timer: unknown;
  const late = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, refusedBodyLimit.ms)));
  try {
    reader = body.getReader();
    text = '';
    for (let left = refusedBodyLimit.bytes; left > 0; ) {
      const next = await Promise.race([reader.read(), late]);
      if (!next || next.done) break;
      const chunk = next.value.subarray(0, left);
      left -= chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  } catch {
    return text || undefined;
  } finally {
    clock.clearTimeout(timer);
    reader?.cancel().catch(() => {});
  }
}

/**
 * Releases a body we will not read. Not awaited: some fetch implementations
 * (msw's, for one) never settle `cancel()`, and waiting on it would hang the
 * attempt. A failure to cancel changes nothing, so it is swallowed.
 */
function cancel(response: unknown): void {
  try {
    const body = (response as { body?: { cancel?: () => Promise<unknown> } } | null)?.body;
    if (typeof body?.cancel === 'function') body.cancel().catch(() => {});
  } catch {
    // A junk response whose getter or cancel() throws: nothing to release.
  }
}
