/** README recipe: reading JSON data with types. */
import { afterAll, expect, it } from 'vitest';
import { servePage } from './support.js';

const server = await servePage();
const shown: string[] = [];
const rejected: string[] = [];
const showOrder = (order: { id: string; total: number }) => shown.push(`${order.id}:${order.total}`);
const report = (problem: string) => rejected.push(problem);
server.publish('{"id":"A-1","total":12.5}', { event: 'order' });
server.publish('{"id":"A-2"}', { event: 'order' });
server.publish('not json', { event: 'order' });

// #region readme:typed-json
import { ResilientEventSource } from 'resilient-eventsource';

interface Order {
  id: string;
  total: number;
}

function isOrder(value: unknown): value is Order {
  const o = value as Partial<Order> | null;
  return typeof o?.id === 'string' && typeof o.total === 'number';
}

const es = new ResilientEventSource('/orders/stream');
es.addEventListener('order', (e: MessageEvent<string>) => {
  let value: unknown;
  try {
    value = JSON.parse(e.data);
  } catch {
    report(`event ${e.lastEventId} is not JSON`);
    return;
  }
  if (isOrder(value)) showOrder(value);
  else report(`event ${e.lastEventId} is not an order`);
});
// #endregion

afterAll(async () => {
  es.close();
  await es.closed;
  await server.stop();
});

it('parses and checks each event', async () => {
  await expect.poll(() => shown.length + rejected.length).toBe(3);
  expect(shown).toEqual(['A-1:12.5']);
  expect(rejected).toEqual(['event 2 is not an order', 'event 3 is not JSON']);
});
