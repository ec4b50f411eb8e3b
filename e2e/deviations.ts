/**
 * The known deviations of ResilientEventSource from the native EventSource:
 * the one list the differential suite (e2e/differential.spec.ts) allows, and
 * the README's "Differences from EventSource" section. Every other difference
 * between the two traces of a scenario fails the suite.
 *
 * Additions are not deviations: extra properties on our events (`reason`,
 * `status`…), extra event types (`reconnecting`), extra options — the trace
 * records only what the EventSource API defines.
 */
export const deviations = [
  {
    id: 'reconnect-after-5xx',
    text: 'A 5xx, 408 or 429 response makes ours reconnect with backoff (readyState CONNECTING, an `error` each time) where the native EventSource fails the connection (CLOSED) on any status but 200.',
  },
  {
    id: 'reconnect-after-cors-failure',
    text: 'A request refused by CORS (a missing or wrong `Access-Control-Allow-Origin`, credentials not allowed) is a network error to fetch, so ours reconnects with backoff where the native EventSource fails the connection (CLOSED).',
  },
  {
    id: 'retry-jitter',
    text: 'Ours waits the reconnection time (`retry:`) lengthened by up to `backoff.jitter` (50 %) at random, never shorter, where the native EventSource waits exactly that time.',
  },
  {
    id: 'is-trusted',
    text: "Our events are dispatched by script, so `event.isTrusted` is `false` where the native EventSource's are `true`.",
  },
  {
    id: 'event-prototype',
    text: "Our events are objects of the page's realm whose prototypes chain to `MessageEvent.prototype` / `Event.prototype` (`instanceof` holds) without being them: messages are lightweight MessageEvent-shaped objects, `open` and `error` are Event subclasses with extra fields.",
  },
  {
    id: 'window-stop',
    text: 'After `window.stop()`, Chromium and Firefox ESR fail a fetch with a plain network error (`TypeError: Failed to fetch` / `network error`), which nothing tells from a dropped connection, so ours reconnects where the native EventSource fails the connection (CLOSED); where the browser reports an `AbortError` instead, ours fails it too.',
  },
  {
    id: 'cross-origin-last-event-id-preflight',
    text: 'A cross-origin reconnect that sends `Last-Event-ID` needs a CORS preflight from fetch (the header is not CORS-safelisted), which the native EventSource does not make; a server that answers no preflight must be reached with `lastEventIdQuery` instead.',
  },
  {
    id: 'reconnect-to-original-url',
    text: "After a redirect, ours starts every reconnect at the stream's own URL again (and is redirected anew), where Chromium's native EventSource reconnects to the URL the redirect led to (whatwg/html#503): headers the caller computes go only to the stream's origin, a temporary redirect (302, 307) stays temporary, and a balancer that redirected to one instance can send the reconnect to a live one. The `eventsource` package does the same as ours.",
  },
  {
    id: 'unsendable-last-event-id',
    text: 'An event id that cannot be sent as a header value (a control character other than tab): at the next reconnect the native EventSource in Chromium fails the connection (CLOSED, no request), where ours reports it once with an `error` (readyState CONNECTING, reason `network`) and reconnects without the cursor, so that no id can brick a stream. Found by the differential fuzzer.',
  },
] as const;

/** The id of a known deviation. */
export type DeviationId = (typeof deviations)[number]['id'];
