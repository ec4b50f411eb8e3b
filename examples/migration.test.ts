/**
 * README: the migration guide. Each region is the code a user of another
 * client writes with ours; the comments name what it replaces. All of them
 * run against the reference server here.
 */
import { afterAll, expect, it } from 'vitest';
import { OpenEvent, ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';
import { servePage } from './support.js';

const server = await servePage();
server.publishMany(3);
const token = 'tok';
const received: Record<string, string[]> = {};
const render = (from: string) => (data: string) => (received[from] ??= []).push(data);
const sources: { close(): void; closed: Promise<void> }[] = [];

{
  const show = render('native');
  // #region readme:from-native
  // Was: const es = new EventSource('/stream', { withCredentials: true });
  const es = new ResilientEventSource('/stream', { withCredentials: true });
  es.onmessage = (e) => show(e.data); // same events, handlers, readyState, close()
  // #endregion
  sources.push(es);
}

{
  const show = render('eventsource');
  // #region readme:from-eventsource
  // Was (eventsource v3+): new EventSource(url, {
  //   fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } }),
  // });
  const es = new ResilientEventSource('/stream', {
    headers: () => ({ Authorization: `Bearer ${token}` }), // called before every attempt
  });
  es.addEventListener('message', (e) => show(e.data));
  // #endregion
  sources.push(es);
}

{
  const show = render('fetch-event-source');
  const controller = new AbortController();
  const versions: (string | null)[] = [];
  const checkVersion = (v: string | null) => versions.push(v);
  const report = (..._: unknown[]) => {};
  // #region readme:from-fetch-event-source
  // Was: fetchEventSource(url, { signal, headers, method, body,
  //   onopen(response) { … }, onmessage(msg) { … }, onclose() { … },
  //   onerror(err) { return 5000; }, openWhenHidden: true });
  const es = new ResilientEventSource('/stream', {
    signal: controller.signal,
    headers: { Authorization: `Bearer ${token}` },
    backoff: { initialDelay: 5000 }, // no callback decides: backoff with jitter, Retry-After honoured
    pauseWhenHidden: false, // the default; fetch-event-source closes hidden tabs unless openWhenHidden
  });
  es.addEventListener('open', (e) => {
    if (e instanceof OpenEvent) checkVersion(e.headers.get('x-api-version')); // onopen(response)
  });
  es.addEventListener('message', (e) => show(e.data)); // onmessage
  es.addEventListener('error', (e) => {
    if (e instanceof StreamErrorEvent && es.readyState === es.CLOSED) report('gave up:', e.reason, e.status, e.body); // a fatal onerror
  });
  // #endregion
  sources.push(es);
}

{
  const show = render('event-source-polyfill');
  // #region readme:from-polyfill
  // Was: new EventSourcePolyfill(url, { headers, heartbeatTimeout: 45000,
  //   lastEventIdQueryParameterName: 'lastEventId' });
  const es = new ResilientEventSource('/stream', {
    headers: { Authorization: `Bearer ${token}` },
    heartbeatTimeout: 45_000,
    lastEventIdQuery: 'lastEventId', // also sends ?lastEventId=…, and no header cross-origin
  });
  es.onmessage = (e) => show(e.data);
  // #endregion
  sources.push(es);
}

{
  const show = render('launchdarkly');
  // #region readme:from-launchdarkly
  // Was (launchdarkly-eventsource): new EventSource(url, { headers,
  //   initialRetryDelayMillis: 1000, maxBackoffMillis: 30000, jitterRatio: 0.5,
  //   readTimeoutMillis: 300000, errorFilter: (e) => e.status !== 401 });
  const es = new ResilientEventSource('/stream', {
    headers: () => ({ Authorization: `Bearer ${token}` }), // a 401 retries once with fresh headers
    backoff: { initialDelay: 1000, maxDelay: 30_000, jitter: 0.5 },
    heartbeatTimeout: 300_000,
  });
  es.onmessage = (e) => show(e.data);
  // #endregion
  sources.push(es);
}

afterAll(async () => {
  for (const s of sources) s.close();
  await Promise.all(sources.map((s) => s.closed));
  await server.stop();
});

it('every migrated source reads the stream', async () => {
  const froms = ['native', 'eventsource', 'fetch-event-source', 'event-source-polyfill', 'launchdarkly'];
  await expect.poll(() => froms.map((f) => received[f]?.length ?? 0), { timeout: 10_000 }).toEqual(froms.map(() => 3));
  expect(server.requests.filter((r) => r.authorization === 'Bearer tok')).toHaveLength(4);
});
