/**
 * The request of one attempt, built as the spec builds EventSource's: the
 * URL, `Accept`, `Last-Event-ID`, credentials and cache mode, plus the
 * caller's headers and body. Nothing else is added: any header that is not
 * CORS-safelisted makes a cross-origin request need a preflight that servers
 * set up for EventSource do not answer.
 */
import type { BodyOption, HeadersOption } from '../contract/types.js';

/** What a request is built from: the options that shape it. */
export interface RequestOptions {
  headers: HeadersOption | undefined;
  method: string;
  body: BodyOption | undefined;
  withCredentials: boolean;
}

/**
 * `id` as a `Last-Event-ID` value, or `undefined` when it cannot be one.
 * Header values are byte strings: `Headers` throws on a character above
 * U+00FF, so a non-ASCII id is sent as its UTF-8 bytes, one character per
 * byte, as the spec asks ("encoded as UTF-8"). [fetch] A header value has no
 * NUL, CR or LF; Node's `Headers` refuses every other control character but
 * tab as well, so those ids cannot be sent at all.
 */
export function headerValueOf(id: string): string | undefined {
  // (An ASCII id comes out as itself.)
  let value = '';
  for (const byte of new TextEncoder().encode(id)) value += String.fromCharCode(byte);
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value) ? value : undefined;
}

/**
 * Why `url` cannot carry an event stream with the runtime's own fetch (a
 * scheme other than http: or https:, such as ftp:, about:, mailto:,
 * javascript:), or `undefined` when it can. A custom fetch may serve others.
 */
export function futileScheme(url: string): string | undefined {
  const { protocol } = new URL(url);
  if (protocol === 'http:' || protocol === 'https:') return undefined;
  return `The URL scheme "${protocol}" cannot carry an event stream (only http: and https:)`;
}

/** The request URL: `url`, with the cursor `id` in the `lastEventIdQuery` parameter when asked for. */
export function requestUrl(url: string, lastEventIdQuery: string | undefined, id: string): string {
  if (lastEventIdQuery === undefined || id === '') return url;
  const withCursor = new URL(url);
  // The query gets the id itself: URLSearchParams percent-encodes its UTF-8.
  withCursor.searchParams.set(lastEventIdQuery, id);
  return withCursor.href;
}

/**
 * The fetch options of one attempt; `cursor` is the `Last-Event-ID` value
 * (`''` for none: the resume point leaves it out where the query carries it
 * across origins). Calls the caller's headers and body functions.
 */
export async function buildRequest(o: RequestOptions, cursor: string): Promise<RequestInit> {
  const headers = new Headers(typeof o.headers === 'function' ? await o.headers() : o.headers);
  // [spec] "Set request's header list: Accept: text/event-stream"; the
  // caller may ask for something more specific.
  if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
  // [spec] "If the event source's last event ID string is not the empty
  // string, set `Last-Event-ID` to it." The source owns it.
  headers.delete('last-event-id');
  if (cursor !== '') headers.set('last-event-id', cursor);
  // A plain object of lower-case names: wrappers written for other clients
  // spread `init.headers`, which loses every entry of a Headers object.
  const init: RequestInit = {
    method: o.method,
    headers: Object.fromEntries(headers),
    // [spec] "credentials mode: include if withCredentials, else same-origin";
    // "cache mode: no-store" (fetch then adds Cache-Control itself, after the CORS check).
    credentials: o.withCredentials ? 'include' : 'same-origin',
    cache: 'no-store',
    redirect: 'follow',
  };
  if (o.body !== undefined) init.body = typeof o.body === 'function' ? await o.body() : o.body;
  return init;
}

/** Whether `url` is of another origin than the page or worker (never in Node: no location, no CORS). */
export function isCrossOrigin(url: string): boolean {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  return typeof origin === 'string' && origin !== 'null' && new URL(url).origin !== origin;
}
