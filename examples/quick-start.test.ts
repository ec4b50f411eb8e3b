/** README: Quick start. */
import { afterAll, expect, it } from 'vitest';
import { servePage } from './support.js';

const server = await servePage();
server.faults.rotateToken();
const getToken = async () => server.faults.issuedToken() ?? '';
const rendered: unknown[] = [];
const banners: string[] = [];
const fatal: string[] = [];
const render = (value: unknown) => rendered.push(value);
const showBanner = (text: string) => banners.push(text);
const showFatal = (text: string) => fatal.push(text);
server.publishMany(2);

// #region readme:quick-start
import { ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';

const es = new ResilientEventSource('/api/stream', {
  headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
  heartbeatTimeout: 45_000,
  backoff: { initialDelay: 1_000, maxDelay: 30_000 },
});
es.addEventListener('message', (e) => render(JSON.parse(e.data)));
es.addEventListener('reconnecting', (e) => showBanner(`retry ${e.attempt} in ${e.delay} ms`));
es.addEventListener('error', (e) => {
  // (A server's own `event: error` is a MessageEvent; ours is a StreamErrorEvent.)
  if (e instanceof StreamErrorEvent && es.readyState === es.CLOSED) showFatal(e.message); // e.reason, e.status, e.cause
});
// #endregion

afterAll(async () => {
  es.close();
  await es.closed;
  await server.stop();
});

it('renders parsed data, shows a banner on a drop and a fatal message when the server says stop', async () => {
  await expect.poll(() => rendered).toEqual([{ n: 1 }, { n: 2 }]);
  expect(server.requests[0]?.url).toBe('/api/stream');
  expect(server.requests[0]?.authorization).toMatch(/^Bearer \w+$/);
  server.faults.dropAll();
  // The server's `retry: 50` replaces initialDelay as the base.
  await expect.poll(() => banners).toEqual([expect.stringMatching(/^retry 1 in \d+ ms$/)]);
  server.faults.stop();
  server.faults.dropAll();
  await expect.poll(() => fatal).toEqual(['The server answered 204 No Content: the stream is over']);
});
