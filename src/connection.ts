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
  /** The request or the body read failed, or `fetch` returned something that is not a usable Response. */
  | { kind: 'network'; cause: unknown }
  /** The request could not be built: the headers or body function threw or rejected. */
  | { kind: 'request-failed'; cause: unknown }
  /** No byte within the heartbeat timeout (before the stream opened: the whole attempt took longer). */
  | { kind: 'heartbeat-timeout' }
  /** An event grew past `maxEventSize`. */
  | { kind: 'too-large' }
  /** The response was not accepted; `body` is up to {@link refusedBodyLimit} of it, as text. */
  | { kind: 'rejected'; verdict: Exclude<Verdict, { action: 'accept' }>; headers: Headers; body: string | undefined }
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
  clock: Clock;
  heartbeatTimeout: number;
  maxEventSize: number;
  headersAreFunction: boolean;
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
  let stopped: StopReason | undefined;
  let settleStopped!: (outcome: Outcome) => void;
  // A stop settles the attempt at once, whatever the request is waiting on: a
  // fetch that ignores its signal, or a headers function that never settles,
  // must not hold the source.
  const whenStopped = new Promise<Outcome>((resolve) => (settleStopped = resolve));
  const stop = (why: StopReason) => {
    if (stopped) return;
    stopped = why;
    // Whatever the parser would report after a stop (a listener called
    // close(), the size limit hit) belongs to an abandoned attempt: it stops
    // at once, mid-chunk.
    parser.stop();
    controller.abort();
    settleStopped({ kind: why });
  };
  // Started before the request is built: heartbeatTimeout covers the whole
  // attempt until the stream opens.
  const watchdog = startWatchdog(params.clock, params.heartbeatTimeout, () => stop('heartbeat-timeout'));
  // The callbacks go to the parser as they are, with no wrapper: they run
  // once per event.
  const parser = createEventStreamParser(
    { onEvent: callbacks.onEvent, onId: callbacks.onId, onRetry: callbacks.onRetry, onTooLarge: () => stop('too-large') },
    params.maxEventSize,
  );

  /** A failure of the request or of the read: ours (a stop), the user agent's abort, or the network's. */
  const failed = (cause: unknown): Outcome => {
    if (stopped) return { kind: stopped };
    if (isAbortError(cause)) return { kind: 'agent-abort', cause };
    return { kind: 'network', cause };
  };

  async function run(): Promise<Outcome> {
    let init: RequestInit;
    try {
      init = await params.prepare();
    } catch (cause) {
      return stopped ? { kind: stopped } : { kind: 'request-failed', cause };
    }
    if (stopped) return { kind: stopped };

    let value: unknown;
    try {
      value = await params.fetch(params.url, { ...init, signal: controller.signal });
    } catch (cause) {
      return failed(cause);
    }
    if (!isResponse(value)) {
      cancel(value);
      return stopped ? { kind: stopped } : { kind: 'network', cause: new TypeError(`The fetch function returned ${describeValue(value)}, not a Response with a readable body`) };
    }
    const response = value;
    if (stopped) {
      cancel(response);
      return { kind: stopped };
    }

    const verdict = classifyResponse(response, params.headersAreFunction, params.clock.now());
    if (verdict.action !== 'accept') {
      const body = await readSome(response, params.clock);
      return stopped ? { kind: stopped } : { kind: 'rejected', verdict, headers: response.headers, body };
    }
    const { body } = response;
    if (!body) return { kind: 'ended' };

    watchdog.touch();
    callbacks.onOpen(response.status, response.headers, typeof response.url === 'string' && response.url !== '' ? response.url : params.url);
    if (stopped) {
      cancel(response);
      return { kind: stopped };
    }

    // [spec] Streams are decoded with the UTF-8 decode algorithm (see utf8.ts).
    const decoder = createUtf8StreamDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        const now = params.clock.now();
        watchdog.touch(now);
        callbacks.onBytes(chunk.byteLength, now);
        parser.feed(decoder.decode(chunk));
        if (stopped) break;
      }
    } catch (cause) {
      return failed(cause);
    } finally {
      reader.releaseLock();
    }
    if (stopped) {
      cancel(response);
      return { kind: stopped };
    }
    // [spec] "Once the end of the file is reached, any pending data must be
    // discarded": the parser is not flushed, so an unfinished event is lost.
    return { kind: 'ended' };
  }

  // run() is written not to throw; the catch is the guarantee that nothing
  // it calls (a listener's side effect, a broken response object) can become
  // an unhandled rejection.
  const done = Promise.race([run().catch((cause: unknown) => failed(cause)), whenStopped]).finally(() => watchdog.stop());
  return { done, abort: () => stop('aborted') };
}

/** An `AbortError`, from whatever realm: how fetch reports an abort it did not get from our signal. */
function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * What the attempt needs of a Response: a status, headers to read, and a body
 * that is null or a web ReadableStream. A custom fetch may return anything
 * (node-fetch v2 gives a Node stream as `body`).
 */
function isResponse(value: unknown): value is Response {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Response>;
  if (typeof r.status !== 'number' || typeof r.headers?.get !== 'function') return false;
  return r.body === null || r.body === undefined || typeof (r.body as Partial<ReadableStream>).getReader === 'function';
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  const body = (value as { body?: unknown }).body;
  if (body !== undefined && body !== null && typeof (body as { getReader?: unknown }).getReader !== 'function') {
    return 'a response whose body is not a web ReadableStream (no getReader(); a Node stream?)';
  }
  return 'an object without status and headers';
}

/**
 * Up to {@link refusedBodyLimit} of a refused response's body as text, or
 * `undefined` when there is none or it cannot be read in time; never rejects.
 * The body is released afterwards, whatever is left of it.
 */
async function readSome(response: Response, clock: Clock): Promise<string | undefined> {
  const { body } = response;
  if (!body) return undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch {
    return undefined;
  }
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  let timer: unknown;
  const late = new Promise<'late'>((resolve) => (timer = clock.setTimeout(() => resolve('late'), refusedBodyLimit.ms)));
  try {
    while (bytes < refusedBodyLimit.bytes) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late' || next.done) break;
      const chunk = next.value.subarray(0, refusedBodyLimit.bytes - bytes);
      bytes += chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  } catch {
    return text === '' ? undefined : text;
  } finally {
    clock.clearTimeout(timer);
    reader.cancel().catch(() => {});
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
