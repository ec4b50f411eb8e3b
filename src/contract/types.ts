/**
 * Public types shared by the modules: options, the store interface, reasons.
 */
import type { Clock, RandomSource } from '../platform/clock.js';
import type { BodyInitLike, HeadersInitLike } from '../platform/dom-types.js';

/** The part of `fetch` this library calls. Pass your own through the `fetch` option. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Headers, or a function (sync or async) that computes them before every attempt. */
export type HeadersOption = HeadersInitLike | (() => HeadersInitLike | Promise<HeadersInitLike>);

/** A request body, or a function (sync or async) that computes it before every attempt. */
export type BodyOption = BodyInitLike | (() => BodyInitLike | Promise<BodyInitLike>);

/**
 * Why an `error` or `reconnecting` event fired.
 * - `network`: the request failed or the stream broke or ended;
 * - `http-status`: the server answered with a status other than 200;
 * - `content-type`: a 200 that is not `text/event-stream`;
 * - `heartbeat-timeout`: no byte (nor response headers) within `heartbeatTimeout`;
 * - `max-retries`: `backoff.maxRetries` consecutive reconnects failed;
 * - `too-large`: an event exceeded `maxEventSize`;
 * - `aborted`: the `signal` option was aborted;
 * - `store`: the cursor store failed and memory is used instead (the stream goes on).
 */
export type ErrorReason =
  | 'network'
  | 'http-status'
  | 'content-type'
  | 'heartbeat-timeout'
  | 'max-retries'
  | 'too-large'
  | 'aborted'
  | 'store';

/**
 * Why a `reconnecting` event fired: a connection loss (an {@link ErrorReason}),
 * `requested` (`reconnect()` was called) or `wake` (the device slept, so the
 * open stream was presumed dead).
 */
export type ReconnectReason = ErrorReason | 'requested' | 'wake';

/** What is persisted per stream: the last event id and the dedupe window. */
export interface StoredCursor {
  /** The value to send as `Last-Event-ID`. */
  lastEventId: string;
  /** Recently delivered explicit ids, oldest first. */
  recentIds: string[];
}

/**
 * Where cursors live. Every method may reject; the source then falls back to
 * memory and reports it once with an `error` event whose reason is `store`.
 *
 * Calls must take effect in the order they are made: the final write on
 * `close()` or `pagehide` starts while an earlier one may still be in flight,
 * and the later call must win. IndexedDB (one object store), the memory store
 * and the file store all do.
 */
export interface LastEventIdStore {
  /** The cursor under `key`, or `undefined`. */
  get(key: string): Promise<StoredCursor | undefined>;
  /** Saves `cursor` under `key`. */
  set(key: string, cursor: StoredCursor): Promise<void>;
  /** Removes the cursor under `key`; a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** How reconnect delays grow: the `backoff` option, complete. All times are in milliseconds. */
export interface BackoffPolicy {
  /** Reconnection time until the server sends a `retry:` field; the floor of the backoff after a failure. */
  initialDelay: number;
  /** Upper bound of the computed backoff, before jitter. */
  maxDelay: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** The wait is lengthened by up to this share, at random: 0 = never, 1 = up to twice as long. */
  jitter: number;
  /** Consecutive failed reconnects before giving up. */
  maxRetries: number;
}

/** The `backoff` option. Every field is optional; see `defaultBackoff`. */
export interface BackoffOptions {
  /** Reconnection time in ms until the server sends `retry:`; the floor of the backoff after a failure. @defaultValue 1000 */
  initialDelay?: number | undefined;
  /** Cap in ms of the computed backoff (before jitter; a `Retry-After` may ask for more). @defaultValue 30000 */
  maxDelay?: number | undefined;
  /** Growth per consecutive failure (≥ 1). @defaultValue 2 */
  factor?: number | undefined;
  /** The wait is lengthened by up to this share, at random, 0…1; never shortened. @defaultValue 0.5 */
  jitter?: number | undefined;
  /** Consecutive failed reconnects before giving up. @defaultValue Infinity */
  maxRetries?: number | undefined;
}

/** Options of `new ResilientEventSource(url, options)`. All are optional. */
export interface ResilientEventSourceInit {
  /** As `EventSource`: send cookies cross-origin (`credentials: 'include'`). @defaultValue false */
  withCredentials?: boolean | undefined;
  /** Extra request headers, or a function returning them, called before every attempt. */
  headers?: HeadersOption | undefined;
  /** HTTP method. @defaultValue 'GET' */
  method?: string | undefined;
  /** Request body (not with GET/HEAD), or a function returning it, called before every attempt. */
  body?: BodyOption | undefined;
  /** The fetch implementation. @defaultValue globalThis.fetch */
  fetch?: FetchLike | undefined;
  /** Aborting it closes the source (an `error` event with reason `aborted`). */
  signal?: AbortSignal | undefined;
  /** Reconnect policy. */
  backoff?: BackoffOptions | undefined;
  /**
   * Ms without a byte on an open stream, or, before it opens, for the whole attempt (the headers and body
   * functions, the fetch call even if it ignores its signal, the response headers), before the attempt is
   * abandoned; 0 = off. @defaultValue 45000
   */
  heartbeatTimeout?: number | undefined;
  /** How many recent explicit event ids to remember and drop when repeated; `false` = off. @defaultValue 1000 */
  dedupe?: number | false | undefined;
  /** Where the cursor lives; `false` = nowhere. @defaultValue IndexedDB where it exists, else a process-wide memory store */
  store?: LastEventIdStore | false | undefined;
  /** Key of this stream in the store. @defaultValue the absolute URL */
  storageKey?: string | undefined;
  /**
   * Also send the cursor as this query parameter (servers or CDNs that cannot see headers). On a
   * cross-origin request in a browser, the `Last-Event-ID` header is then left out: it is not
   * CORS-safelisted and would need a preflight.
   */
  lastEventIdQuery?: string | undefined;
  /** Largest event, in characters of decoded text, before the stream fails with `too-large`. @defaultValue 16 MiB */
  maxEventSize?: number | undefined;
  /** Browsers: close the stream while the page is hidden and resume when visible. @defaultValue false */
  pauseWhenHidden?: boolean | undefined;
  /**
   * What a clean end of the body does: `'reconnect'` (the spec's behaviour), or `'close'`: readyState
   * CLOSED, `closed` resolves, a `for await` loop ends, no `error`. For LLM-style POST streams, where a
   * reconnect would send the request (and bill it) again. @defaultValue 'reconnect' for GET, 'close' for other methods
   */
  endOfStream?: 'reconnect' | 'close' | undefined;
  /**
   * Browsers: one connection for all sources of the origin with this `storageKey` (one leader tab, the
   * others fed over BroadcastChannel). Headers, body and options come from the leader's source. Where Web
   * Locks or BroadcastChannel are missing, a private connection. @defaultValue false
   */
  share?: boolean | undefined;
  /** Testing hook: the clock used for reconnect and heartbeat timers. @defaultValue the real clock */
  clock?: Clock | undefined;
  /** Testing hook: the random source used for jitter. @defaultValue Math.random */
  random?: RandomSource | undefined;
}

/** A cheap snapshot of what a source has done; see `ResilientEventSource.stats`. */
export interface StreamStats {
  /** Requests started, the first one included. */
  connectionAttempts: number;
  /** Reconnects scheduled. */
  reconnects: number;
  /** Why the latest reconnect was scheduled. */
  lastReconnectReason: ReconnectReason | undefined;
  /** The latest reconnect delay in ms. */
  lastReconnectDelay: number | undefined;
  /** Events dispatched to listeners. */
  eventsDelivered: number;
  /** Events dropped because their id was already delivered. */
  duplicatesSuppressed: number;
  /** Body bytes received over all connections. */
  bytesReceived: number;
  /** Ms since the last body byte, or `undefined` before the first. */
  msSinceLastByte: number | undefined;
  /** Ms since the last delivered event, or `undefined` before the first. */
  msSinceLastEvent: number | undefined;
  /** The cursor: what would be sent as `Last-Event-ID` now. */
  lastEventId: string;
  /**
   * `private`: this source has its own connection; with `share`, `leader`
   * (this tab holds the shared connection) or `follower` (it is fed by the leader).
   */
  role: 'private' | 'leader' | 'follower';
}
