/**
 * One benchmark run in a fresh process: reads one stream with one client,
 * verifies every event, prints `{ ok, events, ms, error }` as JSON.
 * Usage: node --import tsx bench/client.ts <client> <base-url> <stream> [--quick]
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { EventSource } from 'eventsource';
import { createEventSource } from 'eventsource-client';
import { createParser } from 'eventsource-parser';
// The built package, as users get it.
import { ResilientEventSource } from 'resilient-eventsource';
import { frame, streams, verify, type StreamSpec } from './streams.js';

const [client = '', base = '', streamName = ''] = process.argv.slice(2);
const spec = streams(process.argv.includes('--quick')).find((s) => s.name === streamName) as StreamSpec;
const url = `${base}/${spec.name}`;

type Done = (error?: string) => void;
/** Each client reads the stream and calls `check` per event; `finish` once all arrived. */
const clients: Record<string, (check: (id: string, data: string) => void, fail: Done) => Promise<void> | void> = {
  // The floor: bytes only, no decoding or parsing.
  async 'fetch (raw bytes)'(_check, fail) {
    const response = await fetch(url);
    let bytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
    if (bytes !== expectedBytes) fail(`got ${bytes} bytes, expected ${expectedBytes}`);
    finish(spec.count);
  },
  async 'eventsource-parser + TextDecoder'(check) {
    // The bare pipeline: what any fetch-based client must at least do.
    const parser = createParser({ onEvent: (m) => check(m.id ?? '', m.data) });
    const decoder = new TextDecoder();
    const response = await fetch(url);
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
      parser.feed(decoder.decode(chunk, { stream: true }));
  },
  eventsource(check, fail) {
    const es = new EventSource(url);
    es.onmessage = (e) => check(e.lastEventId, e.data);
    es.onerror = () => {
      if (received < spec.count) fail('error event');
    };
    onFinish = () => es.close();
  },
  'eventsource-client'(check) {
    const es = createEventSource({ url, onMessage: (m) => check(m.id ?? '', m.data) });
    onFinish = () => es.close();
  },
  async '@microsoft/fetch-event-source'(check, fail) {
    // It is written for browsers: it reads window.setTimeout and listens for
    // document visibility (off with openWhenHidden). These stubs are all it needs.
    const g = globalThis as Record<string, unknown>;
    g['window'] = globalThis;
    g['document'] = { hidden: false, addEventListener() {}, removeEventListener() {} };
    const controller = new AbortController();
    onFinish = () => controller.abort();
    await fetchEventSource(url, {
      signal: controller.signal,
      openWhenHidden: true,
      onmessage: (m) => check(m.id, m.data),
      onerror: (e) => {
        fail(String(e));
        throw e;
      },
    }).catch(() => {});
  },
  'resilient-eventsource'(check, fail) {
    ours(ResilientEventSource, check, fail);
  },
  async 'resilient-eventsource (before)'(check, fail) {
    // Another build of ours (npm run bench -- --before DIR): its dist/index.js.
    const dir = process.env['BENCH_BEFORE'];
    if (!dir) throw new Error('resilient-eventsource (before) needs --before DIR');
    const { ResilientEventSource: Before } = (await import(pathToFileURL(join(dir, 'index.js')).href)) as {
      ResilientEventSource: typeof ResilientEventSource;
    };
    ours(Before, check, fail);
  },
};

/** Ours with its defaults: dedupe on, store on (memory in Node), heartbeat on. */
function ours(Source: typeof ResilientEventSource, check: (id: string, data: string) => void, fail: Done): void {
  const es = new Source(url);
  es.addEventListener('message', (e) => check(e.lastEventId, e.data));
  es.addEventListener('error', () => {
    if (received < spec.count) fail('error event');
  });
  onFinish = () => void es.close();
}

let received = 0;
let failed: string | undefined;
let onFinish = () => {};
let started = 0;
function finish(events: number) {
  const ms = performance.now() - started;
  onFinish();
  process.stdout.write(`${JSON.stringify({ ok: !failed && events === spec.count, events, ms, error: failed })}\n`);
  process.exit(0);
}
const fail: Done = (error) => {
  failed ??= error ?? 'failed';
  finish(received);
};
const check = (id: string, data: string) => {
  received++;
  if (!verify(spec, received, id, data))
    return fail(`event ${received}: got id ${JSON.stringify(id)} and ${data.length} chars of data`);
  if (received === spec.count) finish(received);
};

// Outside the timed region: what the raw reader checks its byte count against.
let expectedBytes = 0;
if (client === 'fetch (raw bytes)')
  for (let id = 1; id <= spec.count; id++) expectedBytes += Buffer.byteLength(frame(spec, id));

const run = clients[client];
if (!run) throw new Error(`unknown client ${client}; known: ${Object.keys(clients).join(', ')}`);
setTimeout(() => fail(`timed out after ${received} events`), 120_000).unref();
started = performance.now();
void Promise.resolve(run(check, fail)).catch((error: unknown) => fail(String(error)));
