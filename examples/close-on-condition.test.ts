/** README recipe: closing on a condition. */
import { afterAll, expect, it } from 'vitest';
import { servePage } from './support.js';

const server = await servePage();
const steps: string[] = [];
const showProgress = (percent: number) => steps.push(`${percent}%`);
for (const p of [10, 50, 100]) server.publish(JSON.stringify({ percent: p, done: p === 100 }), { event: 'progress' });
server.publish(JSON.stringify({ percent: 100, done: true }), { event: 'progress' });

// #region readme:close-on-condition
import { ResilientEventSource } from 'resilient-eventsource';

const es = new ResilientEventSource('/jobs/42/stream', {
  store: false,
  // Or from outside: give up after a minute, whatever happens (an `error` with
  // reason `aborted`). The timer does not keep a Node process alive.
  signal: AbortSignal.timeout(60_000),
});
const controller = new AbortController();
es.addEventListener(
  'progress',
  (e) => {
    const { percent, done } = JSON.parse(e.data);
    showProgress(percent);
    if (done) void es.close(); // no event fires after close(), as with EventSource
  },
  { signal: controller.signal },
);
// #endregion

afterAll(async () => {
  controller.abort();
  await server.stop();
});

it('stops at the first done event', async () => {
  await expect.poll(() => es.readyState).toBe(es.CLOSED);
  expect(steps).toEqual(['10%', '50%', '100%']);
});
