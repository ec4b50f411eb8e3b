/**
 * What the next request carries: where it goes (always the stream's own URL)
 * and which cursor it sends. No cursor may brick the stream: an id that
 * cannot be a header value (control characters; a stored one from an older
 * version, too) is left out, and so is one the server refused (431 for the
 * header, 414 for the `lastEventIdQuery` URL). What it says was sent is
 * what the request carries, so that a refusal is blamed on the cursor only
 * where the cursor was.
 */
import type { StreamErrorInit } from '../contract/events.js';
import { headerValueOf, requestUrl } from '../attempt/request.js';
import { development } from '../platform/build.js';

/** One attempt's target: its URL, and the `Last-Event-ID` header value it sends (`''` for none). */
export interface AttemptTarget {
  url: string;
  cursor: string;
  /** The report of an id left out because it cannot be a header value, the first time it is (to report once). */
  unsendable?: StreamErrorInit;
}

/** The resume point of one source. */
export class ResumePoint {
  /** Whether the current attempt sent the cursor as the `Last-Event-ID` header. */
  sentCursor = false;
  /** Whether it sent the cursor in the URL too (`lastEventIdQuery`). */
  sentCursorInUrl = false;
  /**
   * The stream's URL. Every attempt starts there, not where a redirect led
   * the last one: the caller's headers go only to that origin, a temporary
   * redirect (302, 307) stays temporary, and a balancer that redirected to
   * one instance can send the reconnect to a live one. (EventSource in
   * Chromium reconnects to the target: whatwg/html#503; the eventsource
   * package starts at the original URL, as this does.)
   */
  readonly #url: string;
  /** Whether the stream is of another origin than the page (never in Node). */
  readonly #crossOrigin: boolean;
  /** An id the server refused (431, 414): later requests go without it. */
  #refused: string | undefined;
  /** An id that cannot be a header value, once reported. */
  #reported: string | undefined;

  /** @param crossOrigin - whether `url` is of another origin than the page or worker. */
  constructor(url: string, crossOrigin = false) {
    this.#url = url;
    this.#crossOrigin = crossOrigin;
  }

  /** The target of the next attempt, from the stream's `lastEventId`. */
  next(lastEventId: string, lastEventIdQuery: string | undefined): AttemptTarget {
    let cursor = lastEventId === '' || lastEventId === this.#refused ? '' : headerValueOf(lastEventId);
    let unsendable: StreamErrorInit | undefined;
    if (cursor === undefined) {
      if (this.#reported !== lastEventId) {
        this.#reported = lastEventId;
        const why = development ? ' (control characters)' : '';
        const message = `The last event id ${JSON.stringify(lastEventId)} cannot be sent as a Last-Event-ID header${why}; connecting without it`;
        unsendable = { reason: 'network', message };
      }
      cursor = '';
    }
    this.sentCursorInUrl = cursor !== '' && lastEventIdQuery !== undefined;
    // With lastEventIdQuery, a cross-origin request carries the id in the
    // query only: `Last-Event-ID` is not a CORS-safelisted header, and would
    // need a preflight that servers set up for EventSource do not answer.
    if (this.sentCursorInUrl && this.#crossOrigin) cursor = '';
    this.sentCursor = cursor !== '';
    // The query carries the id itself, not its header bytes.
    const url = requestUrl(this.#url, lastEventIdQuery, this.sentCursorInUrl ? lastEventId : '');
    return unsendable === undefined ? { url, cursor } : { url, cursor, unsendable };
  }

  /** The server refused `id` (431, 414): it is not sent again. */
  refuse(id: string): void {
    this.#refused = id;
  }
}
