/**
 * Peak heap while one event close to `maxEventSize` (16 MiB) arrives in
 * 64 KiB chunks, and while one line over it is refused, for ours and for the
 * bare eventsource-parser + TextDecoder pipeline, each in a fresh process.
 * The body is generated in-process (a web ReadableStream), so only the
 * client's own buffering shows. Prints JSON.
 * Usage: node --import tsx bench/big-event.ts <ours|bare> <fits|oversized>
 */
import { createParser } from 'eventsource-parser';
import { defaultMaxEventSize, ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';

const [client = 'ours', shape = 'fits'] = process.argv.slice(2);
const CHUNK = 64 * 1024;
const size = shape === 'fits' ? defaultMaxEventSize - 1024 : defaultMaxEventSize + CHUNK * 4;

let peak = 0;
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().heapUsed);
};

/** `data: xxx…` of `size` characters, then a blank line, in 64 KiB chunks. */
function body(): ReadableStream<Uint8Array> {
  const filler = new TextEncoder().encode('x'.repeat(CHUNK));
  let sent = 0;
  let head = true;
  return new ReadableStream({
    pull(controller) {
      sample();
      if (head) {
        head = false;
        controller.enqueue(new TextEncoder().encode('data: '));
      } else if (sent < size) {
        const n = Math.min(CHUNK, size - sent);
        controller.enqueue(n === CHUNK ? filler.slice() : filler.slice(0, n));
        sent += n;
      } else {
        controller.enqueue(new TextEncoder().encode('\n\n'));
        controller.close();
      }
    },
  });
}

const base = process.memoryUsage().heapUsed;
const result = await new Promise<{ delivered: number; outcome: string }>((resolve) => {
  if (client === 'bare') {
    const decoder = new TextDecoder();
    let delivered = 0;
    const parser = createParser({ onEvent: (e) => (delivered = e.data.length) });
    void (async () => {
      const reader = body().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
        sample();
      }
      resolve({ delivered, outcome: 'ended' });
    })();
    return;
  }
  const es = new ResilientEventSource('http://bench.test/big', {
    store: false,
    heartbeatTimeout: 0,
    fetch: async () => new Response(body(), { headers: { 'content-type': 'text/event-stream' } }),
  });
  es.onmessage = (e) => {
    sample();
    es.close();
    resolve({ delivered: (e.data as string).length, outcome: 'delivered' });
  };
  es.onerror = (e) => {
    sample();
    es.close();
    resolve({ delivered: 0, outcome: e instanceof StreamErrorEvent ? e.reason : 'a server event named error' });
  };
});
process.stdout.write(
  `${JSON.stringify({ client, shape, size, ...result, peakHeapMB: Number(((peak - base) / 2 ** 20).toFixed(1)) })}\n`,
);
process.exit(0);
