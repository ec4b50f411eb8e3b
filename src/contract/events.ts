/**
 * The events this library adds to those of `EventSource`.
 */
import type { ErrorReason, ReconnectReason, StreamStats } from './types.js';

/** Details of an {@link StreamErrorEvent}. */
export interface StreamErrorInit {
  /** Why it happened. */
  reason: ErrorReason;
  /** A human-readable sentence: what failed, the value seen, what was expected. */
  message: string;
  /** The HTTP status, when a response was received. */
  status?: number | undefined;
  /** The underlying error, when there is one. */
  cause?: unknown;
  /** For a refused response (`http-status`, `content-type`): its headers. */
  headers?: Headers | undefined;
  /** For a refused response: up to 64 KiB of its body, as text (an API's JSON error, say). */
  body?: string | undefined;
}

/**
 * The `error` event. It fires on every connection loss the source recovers from
 * (`readyState` is `CONNECTING`) and once when it gives up (`CLOSED`).
 */
export class StreamErrorEvent extends Event {
  /** Why it happened. */
  readonly reason: ErrorReason;
  /** A human-readable explanation. */
  readonly message: string;
  /** The HTTP status, when known. */
  readonly status: number | undefined;
  /** The underlying error, when known. */
  readonly cause: unknown;
  /** For a refused response (`http-status`, `content-type`): its headers. */
  readonly headers: Headers | undefined;
  /**
   * For a refused response: up to 64 KiB of its body as text, read with a
   * time limit (see `refusedBodyLimit`), or `undefined`.
   */
  readonly body: string | undefined;

  // Each field is copied by name: an init may carry more than its type says
  // (a message from another tab, say), and none of that must show.
  constructor(init: StreamErrorInit) {
    super('error');
    this.reason = init.reason;
    this.message = init.message;
    this.status = init.status;
    this.cause = init.cause;
    this.headers = init.headers;
    this.body = init.body;
  }
}

/** Details of an {@link OpenEvent}. */
export interface OpenInit {
  /** The response's status (200). */
  status: number;
  /** The response's headers. */
  headers: Headers;
  /** The final URL, after redirects. */
  url: string;
}

/**
 * The `open` event: the stream was accepted. Beyond `EventSource`'s plain
 * `Event`, it carries the response's `status`, `headers` and final `url` (a
 * request id, a rate-limit header, where a redirect led).
 */
export class OpenEvent extends Event {
  /** The response's status. */
  readonly status: number;
  /** The response's headers. */
  readonly headers: Headers;
  /** The final URL, after redirects. */
  readonly url: string;

  constructor(init: OpenInit) {
    super('open');
    this.status = init.status;
    this.headers = init.headers;
    this.url = init.url;
  }
}

/** Details of a {@link ReconnectingEvent}. */
export interface ReconnectingInit {
  /** 1-based count of consecutive reconnects since the last connection that delivered an event. */
  attempt: number;
  /** Ms until the reconnect. */
  delay: number;
  /** Why: the previous connection was lost (an {@link ErrorReason}), `requested` by `reconnect()`, or `wake` after the device slept. */
  reason: ReconnectReason;
}

/** The `reconnecting` event, fired before each scheduled reconnect. */
export class ReconnectingEvent extends Event {
  /** 1-based attempt number. */
  readonly attempt: number;
  /** Ms until the reconnect. */
  readonly delay: number;
  /** Why: an {@link ErrorReason}, `requested` (`reconnect()`) or `wake` (the device slept). */
  readonly reason: ReconnectReason;

  constructor(init: ReconnectingInit) {
    super('reconnecting');
    this.attempt = init.attempt;
    this.delay = init.delay;
    this.reason = init.reason;
  }
}

/**
 * The `stats` event, fired after each change of connection state (open,
 * a reconnect scheduled, closed for good), for metrics exporters. `stats` is
 * the same snapshot `es.stats` gives.
 */
export class StatsEvent extends Event {
  /** The snapshot at the time of the change. */
  readonly stats: StreamStats;

  constructor(stats: StreamStats) {
    super('stats');
    this.stats = stats;
  }
}

/**
 * The error a store's promise rejects with, and the `cause` of a `store` error
 * event when the stored value itself is unusable.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /**
   * The store works, but the value under the key cannot be read (a file cut
   * short by a crash of the disk, edited by hand): the source starts without
   * it, reports it once, and keeps the store, so that the next save replaces
   * it. Any other failure makes the source use memory instead.
   */
  readonly corrupt: boolean;

  constructor(message: string, options?: { cause?: unknown; corrupt?: boolean | undefined }) {
    super(message, options);
    this.corrupt = options?.corrupt === true;
  }
}

/** How many events a `for await` loop may fall behind before the source is closed (see iterate.ts). */
export const iteratorBufferSize = 10_000;

/**
 * What a `for await` loop over a source throws when the source gives up: the
 * `error` event's reason, message, status and cause.
 */
export class StreamError extends Error {
  override readonly name = 'StreamError';
  /** The reason of the final `error` event, or `too-large` when the loop fell too far behind. */
  readonly reason: ErrorReason;
  /** The HTTP status, when known. */
  readonly status: number | undefined;

  constructor(reason: ErrorReason, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.status = status;
  }
}
