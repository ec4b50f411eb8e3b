/**
 * The per-event cost above the parser, step by step: the same 100-byte events,
 * already in memory as 64 KiB chunks (no sockets, no server sharing the
 * cores), through pipelines that each add one step. Each pipeline runs in a
 * fresh process (in one process, the pipelines before it leave V8's call
 * sites polymorphic and skew it by up to 50%), `rounds` times after a
 * warm-up, and the processes take turns `reps` times. Prints one JSON line
 * per pipeline: ns per event (median of the processes' medians, and the
 * lowest).
 *
 * The pipelines, each a superset of the one before:
 * 1. bytes → utf8.ts → parser.ts, callbacks that do nothing: the floor;
 * 2. the whole source (the built package, production), `dedupe: false`,
 *    `store: false`, no listener: connection, counters, the position;
 * 3. + a `message` listener: the event object and the dispatch;
 * 4. + the dedupe window (the default 1,000 ids);
 * 5. + a store (memory): the cursor's change per event (writes are coalesced).
 * And, for reference, eventsource-parser 4.1.3 + a streaming TextDecoder,
 * what the bare pipeline of the throughput table does, with a listener-like
 * callback.
 * With `--before DIR` (another checkout's dist/), pipelines 2–5 run on that
 * build too, as "(before)" lines, so that a change to the per-event path is
 * measured against what it replaces in the same run.
 * `--stream NAME` takes another stream of bench/streams.ts (`large`: 4 KB
 * events; `multiline`: 4-line events) instead of the 100-byte one.
 * Usage: node --import tsx bench/per-event.ts [--quick] [--reps N] [--before DIR] [--stream NAME]
 * (with `--pipeline I`, one process's run of pipeline I).
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createParser } from 'eventsource-parser';
import type { ResilientEventSourceInit } from 'resilient-eventsource';
import { createEventStreamParser } from '../src/attempt/parser.js';
import { createUtf8StreamDecoder } from '../src/attempt/utf8.js';
import { median } from './median.js';
import { frame, streams } from './streams.js';

const quick = process.argv.includes('--quick');
const streamArg = process.argv.includes('--stream') ? process.argv[process.argv.indexOf('--stream') + 1] : undefined;
const streamName = streamArg ?? 'small';
const spec = streams(true).find((s) => s.name === streamName);
if (!spec) throw new Error(`no stream ${streamName}`);
const count = quick ? 20_000 : spec.count;
const rounds = quick ? 3 : 10;
const execFileAsync = promisify(execFile);
const argv = process.argv;
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const beforeDir = flag('--before');
const current = await import('resilient-eventsource');
const before: typeof current | undefined = beforeDir
  ? await import(pathToFileURL(resolve(beforeDir, 'index.js')).href)
  : undefined;

const bytes = new TextEncoder().encode(Array.from({ length: count }, (_, i) => frame(spec, i + 1)).join(''));
const chunks: Uint8Array[] = [];
for (let i = 0; i < bytes.length; i += 65_536) chunks.push(bytes.subarray(i, i + 65_536));

/** A fetch that answers with the chunks, each read a microtask apart. */
const fetchChunks = (async () => {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}) as typeof fetch;

/** Runs one pipeline over every chunk; resolves once the last event is in. */
type Pipeline = () => Promise<number>;

const parserOnly: Pipeline = async () => {
  let events = 0;
  const decoder = createUtf8StreamDecoder();
  const parser = createEventStreamParser(
    {
      onEvent: () => {
        events++;
      },
      onId() {},
      onRetry() {},
      onTooLarge() {},
    },
    1 << 24,
  );
  for (const chunk of chunks) parser.feed(decoder.decode(chunk));
  return events;
};

const bareParser: Pipeline = async () => {
  let events = 0;
  let last = '';
  const parser = createParser({
    onEvent: (m) => {
      events++;
      last = m.data;
    },
  });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  return last === '' ? 0 : events;
};

/**
 * The whole source with the options `options()` makes (afresh for every run:
 * a store kept from the run before would resume this one after its last id,
 * and the replayed ids would put the dedupe window in its hashed form); with
 * `listen`, a message listener. Counted through stats when no one listens.
 */
const source =
  (build: typeof current, options: () => ResilientEventSourceInit, listen: boolean): Pipeline =>
  () =>
    new Promise((resolve) => {
      let events = 0;
      const es = new build.ResilientEventSource('http://bench.invalid/stream', {
        fetch: fetchChunks,
        endOfStream: 'close',
        heartbeatTimeout: 0,
        ...options(),
      });
      if (listen) {
        es.addEventListener('message', (e) => {
          events++;
          if (e.data.length === 0) throw new Error('empty');
        });
      }
      es.addEventListener('stats', () => {
        if (es.readyState !== 2) return;
        resolve(listen ? events : es.stats.eventsDelivered);
      });
    });

/** Pipelines 2–5 on one build, named with `suffix`. */
const sourcePipelines = (build: typeof current, suffix: string): [string, Pipeline][] => [
  [
    `2. + the source (dedupe off, no store, no listener)${suffix}`,
    source(build, () => ({ dedupe: false, store: false }), false),
  ],
  [
    `3. + a message listener (event object, dispatch)${suffix}`,
    source(build, () => ({ dedupe: false, store: false }), true),
  ],
  [`4. + the dedupe window (1,000 ids)${suffix}`, source(build, () => ({ store: false }), true)],
  [
    `5. + a memory store (the cursor, per event)${suffix}`,
    source(build, () => ({ store: build.createMemoryStore() }), true),
  ],
];

const pipelines: [string, Pipeline][] = [
  ['1. utf8.ts + parser.ts (no-op callbacks)', parserOnly],
  ...sourcePipelines(current, ''),
  ...(before ? sourcePipelines(before, ' (before)') : []),
  ['eventsource-parser 4.1.3 + TextDecoder (reference)', bareParser],
];

/** Runs pipeline `index` `rounds` times after one warm-up round; prints the ns per event of each. */
async function runOne(index: number): Promise<void> {
  const [name, run] = pipelines[index] ?? [];
  if (!name || !run) throw new Error(`no pipeline ${index}`);
  const ns: number[] = [];
  for (let round = -1; round < rounds; round++) {
    const start = performance.now();
    const events = await run();
    const ms = performance.now() - start;
    if (events !== count) throw new Error(`${name}: ${events} of ${count} events`);
    if (round >= 0) ns.push((ms * 1e6) / count);
  }
  process.stdout.write(`${JSON.stringify(ns)}\n`);
}

/** Every pipeline in fresh processes, taking turns; prints one line per pipeline. */
async function runAll(reps: number): Promise<void> {
  const medians = pipelines.map(() => [] as number[]);
  const lowest = pipelines.map(() => Number.POSITIVE_INFINITY);
  for (let rep = 0; rep < reps; rep++) {
    for (let index = 0; index < pipelines.length; index++) {
      const args = [
        '--import',
        'tsx',
        import.meta.filename,
        '--pipeline',
        String(index),
        ...(quick ? ['--quick'] : []),
        ...(beforeDir ? ['--before', beforeDir] : []),
        ...(streamArg ? ['--stream', streamArg] : []),
      ];
      const { stdout } = await execFileAsync(process.execPath, args);
      const ns = JSON.parse(stdout) as number[];
      medians[index]?.push(median(ns));
      lowest[index] = Math.min(lowest[index] ?? Number.POSITIVE_INFINITY, ...ns);
    }
  }
  pipelines.forEach(([pipeline], index) => {
    const line = { pipeline, nsPerEvent: median(medians[index] ?? []), minNsPerEvent: lowest[index] };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
}

const one = flag('--pipeline');
if (one !== undefined) await runOne(Number(one));
else await runAll(Number(flag('--reps') ?? 0) || (quick ? 1 : 5));
