/**
 * docs/migrate/from-launchdarkly.md: `launchdarkly-eventsource` code rewritten
 * with ours, run against the reference server on a stream with named events,
 * ids, a drop mid-event and replayed events. (launchdarkly-eventsource is not
 * a dependency of this project: its code appears in comments only.)
 */
import { OpenEvent, ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';
import { expect, it } from 'vitest';
import { feedEvents, feedServer, playFeed, type Seen } from './migrate-support.js';

it('the options: backoff, jitter and the read timeout', async () => {
  const server = await feedServer();
  const sdkKey = 'sdk-key';
  const url = `${server.url}/api/flags/stream`;
  const seen: Seen[] = [];
  const apply = (type: string, id: string, data: string) => seen.push({ type, id, data });
  // #region readme:migrate-ld-options
  // Was: const { EventSource } = require('launchdarkly-eventsource');
  //   const es = new EventSource(url, {
  //     headers: { Authorization: sdkKey },
  //     initialRetryDelayMillis: 1000, maxBackoffMillis: 30_000, jitterRatio: 0.5,
  //     retryResetIntervalMillis: 60_000, readTimeoutMillis: 300_000,
  //   });
  const es = new ResilientEventSource(url, {
    headers: { Authorization: sdkKey },
    backoff: { initialDelay: 1000, maxDelay: 30_000, jitter: 0.5 }, // jitter lengthens a wait, never shortens it
    heartbeatTimeout: 300_000, // also bounds the wait for the response headers
  });
  for (const type of ['message', 'price', 'done']) {
    es.addEventListener(type, (e) => apply(e.type, e.lastEventId, e.data));
  }
  // #endregion
  await playFeed(server, () => seen.length);
  await expect.poll(() => seen).toEqual(feedEvents);
  expect(server.requests.map((r) => [r.authorization, r.lastEventId, r.accept])).toEqual([
    ['sdk-key', null, 'text/event-stream'],
    ['sdk-key', '3', 'text/event-stream'],
  ]);
  es.close();
});

it('the events: open, end, error, retrying and closed', async () => {
  const server = await feedServer();
  const url = `${server.url}/api/flags/stream`;
  const lines: unknown[][] = [];
  const log = (...line: unknown[]) => lines.push(line);
  const seen: string[] = [];
  // #region readme:migrate-ld-events
  // Was: es.onopen = (e) => log('open', e.headers['content-type']);
  //      es.onend = () => log('lost'); // the server ended the stream (a drop reads the same)
  //      es.onerror = (e) => log('error', e.status, e.message);
  //      es.onretrying = (e) => log('retrying', e.delayMillis);
  //      es.onclosed = () => log('closed');
  const es = new ResilientEventSource(url, { backoff: { initialDelay: 50 } });
  es.addEventListener('open', (e) => e instanceof OpenEvent && log('open', e.headers.get('content-type'))); // a Headers object
  es.addEventListener('error', (e) => {
    if (!(e instanceof StreamErrorEvent)) return; // a server event named "error", a MessageEvent
    // readyState is already CLOSED when the source gives up (LaunchDarkly's was not yet)
    if (es.readyState === es.CLOSED) log('error', e.status, e.reason);
    else log('lost', e.reason); // `end` and every error it retries
  });
  es.addEventListener('reconnecting', (e) => log('retrying', e.delay > 0)); // `delay` is delayMillis
  void es.closed.then(() => log('closed')); // after close() too, once the cursor is saved
  // #endregion
  for (const type of ['message', 'price', 'done']) es.addEventListener(type, (e) => seen.push(e.lastEventId));
  await playFeed(server, () => seen.length);
  await expect.poll(() => seen).toEqual(feedEvents.map((e) => e.id));
  // A 404: LaunchDarkly's default errorFilter would not retry it either.
  server.faults.failNext(404);
  server.faults.dropAll();
  await expect.poll(() => lines.at(-1)).toEqual(['closed']);
  expect(lines).toEqual([
    ['open', 'text/event-stream; charset=utf-8'],
    ['lost', 'network'],
    ['retrying', true],
    ['open', 'text/event-stream; charset=utf-8'],
    ['lost', 'network'],
    ['retrying', true],
    ['error', 404, 'http-status'],
    ['closed'],
  ]);
});
