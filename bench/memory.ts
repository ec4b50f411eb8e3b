/**
 * Memory, in a process started with --expose-gc: heap and RSS after a full GC
 * across 1,000,000 events and across 10,000 reconnect cycles (flat, not
 * growing), and whether a closed source is garbage-collected. Prints JSON.
 * Usage: node --expose-gc --import tsx bench/memory.ts <base-url> [--quick]
 */
import { setImmediate as tick } from 'node:timers/promises';
import { ResilientEventSource } from 'resilient-eventsource';

const [base = ''] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const sample = () => {
  gc();
  const m = process.memoryUsage();
  return { heapMB: Number((m.heapUsed / 2 ** 20).toFixed(2)), rssMB: Number((m.rss / 2 ** 20).toFixed(1)) };
};

/** Reads `total` events from `path`, sampling memory at the given counts (`total` among them). */
function run(path: string, total: number, at: number[]) {
  return new Promise<{ samples: { events: number; heapMB: number; rssMB: number }[]; reconnects: number }>(
    (resolve) => {
      const es = new ResilientEventSource(`${base}${path}`);
      const samples: { events: number; heapMB: number; rssMB: number }[] = [];
      let n = 0;
      es.addEventListener('message', () => {
        n++;
        // Sampled outside the listener's own frame, so nothing it holds skews
        // the reading; the last sample is taken before close(), which would
        // otherwise count its own work in flight.
        if (at.includes(n)) {
          const events = n;
          queueMicrotask(() => {
            samples.push({ events, ...sample() });
            if (events !== total) return;
            const reconnects = es.stats.reconnects;
            es.close();
            void es.closed.then(() => setTimeout(() => resolve({ samples, reconnects }), 10));
          });
        }
      });
    },
  );
}

const events = quick ? 100_000 : 1_000_000;
const cycles = quick ? 1_000 : 10_000;
const stream = await run(
  '/small',
  events,
  [events / 10, events / 4, events / 2, (events * 3) / 4, events].map(Math.round),
);
const reconnect = await run('/one', cycles, [cycles / 10, cycles / 2, cycles].map(Math.round));

// A closed source must be collectable: no timer, listener or reader left holding it.
let collected = false;
const registry = new FinalizationRegistry(() => {
  collected = true;
});
await (async () => {
  const es = new ResilientEventSource(`${base}/one`);
  registry.register(es, 'source');
  await new Promise((resolve) => es.addEventListener('message', resolve, { once: true }));
  es.close();
  await es.closed;
})();
for (let i = 0; i < 100 && !collected; i++) {
  gc();
  await tick();
}
process.stdout.write(`${JSON.stringify({ stream, reconnect, closedSourceCollected: collected })}\n`);
process.exit(0);
