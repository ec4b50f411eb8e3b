/**
 * What the next request carries: where it goes (the stream's URL, then where
 * the last redirect led) and which cursor it sends. No cursor may brick the
 * stream: an id that cannot be a header value (control characters; a stored
 * one from an older version, too) is left out, and so is one the server
 * refused with 431.
 */
import { headerValueOf, requestUrl } from './request.js';

/** One attempt's target: its URL, and the `Last-Event-ID` value it sends (`''` for none). */
export interface AttemptTarget {
  url: string;
  cursor: string;
  /** The id left out because it cannot be a header value, the first time it is (to report once). */
  unsendable?: string;
}

/** The resume point of one source. */
export class ResumePoint {
  /** Whether the current attempt sent a cursor. */
  sentCursor = false;
  /** [spec] The request's URL, which redirects extend: the reconnect goes where the last one led. */
  #url: string;
  /** An id the server refused (431): later requests go without it. */
  #refused: string | undefined;
  /** An id that cannot be a header value, once reported. */
  #reported: string | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  /** The target of the next attempt, from the stream's `lastEventId`. */
  next(lastEventId: string, lastEventIdQuery: string | undefined): AttemptTarget {
    let cursor = lastEventId === '' || lastEventId === this.#refused ? '' : headerValueOf(lastEventId);
    let unsendable: string | undefined;
    if (cursor === undefined) {
      if (this.#reported !== lastEventId) unsendable = this.#reported = lastEventId;
      cursor = '';
    }
    this.sentCursor = cursor !== '';
    // The query carries the id itself, not its header bytes.
    const url = requestUrl(this.#url, lastEventIdQuery, cursor === '' ? '' : lastEventId);
    return unsendable === undefined ? { url, cursor } : { url, cursor, unsendable };
  }

  /** The response was accepted at `finalUrl`. */
  redirected(finalUrl: string): void {
    this.#url = finalUrl;
  }

  /** The server refused `id` (431): it is not sent again. */
  refuse(id: string): void {
    this.#refused = id;
  }
}
