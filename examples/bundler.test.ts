/** README: In a bundler app, or a plain ES module. */
import { afterAll, expect, it } from 'vitest';
import { servePage } from './support.js';

const server = await servePage();
const prices: unknown[] = [];
const update = (value: unknown) => prices.push(value);
server.publish('{"symbol":"ACME","price":101.5}', { event: 'price' });

// #region readme:bundler
import { ResilientEventSource } from 'resilient-eventsource';

const es = new ResilientEventSource('/stream', { storageKey: 'dashboard-feed' });
es.addEventListener('price', (e) => update(JSON.parse(e.data)));
// #endregion

afterAll(async () => {
  es.close();
  await es.closed;
  await server.stop();
});

it('receives the custom event type, keyed in the store as dashboard-feed', async () => {
  await expect.poll(() => prices).toEqual([{ symbol: 'ACME', price: 101.5 }]);
  es.close();
  await es.closed;
  // A new source with the same key resumes after the event it saw.
  const again = new ResilientEventSource('/stream', { storageKey: 'dashboard-feed' });
  await expect.poll(() => server.requests.length).toBe(2);
  expect(server.requests[1]?.lastEventId).toBe('1');
  again.close();
  await again.closed;
});
