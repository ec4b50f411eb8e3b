/**
 * The benchmark's stream server, in a process of its own: each stream's body
 * is built once, in 64 KB chunks, and written as fast as the socket takes it,
 * then the response ends. `/paced?rate=R&n=N` sends the 100-byte events at R
 * per second instead (a batch every 10 ms), for a cost-at-a-given-rate
 * measure. Prints its port on stdout.
 * Usage: node --import tsx bench/stream-server.ts [--quick]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { frame, type StreamSpec, streams } from './streams.js';

const quick = process.argv.includes('--quick');
const bodies = new Map<string, Buffer[]>();
for (const spec of streams(quick)) {
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let size = 0;
  for (let id = 1; id <= spec.count; id++) {
    const f = frame(spec, id);
    pending.push(f);
    size += f.length;
    if (size >= 64 * 1024) {
      chunks.push(Buffer.from(pending.join('')));
      pending = [];
      size = 0;
    }
  }
  if (pending.length) chunks.push(Buffer.from(pending.join('')));
  bodies.set(`/${spec.name}`, chunks);
}

/**
 * `/one`: one event, then the response ends — every request is a reconnect
 * cycle. `retry: 0` makes the client come back at once; the id follows the
 * client's Last-Event-ID so nothing is a duplicate.
 */
function one(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
  const next = Number(req.headers['last-event-id'] ?? 0) + 1;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.end(`retry: 0\nid: ${next}\ndata: cycle ${next}\n\n`);
}

/** `/paced`: the `small` stream's events at a fixed rate, then the response ends. */
function paced(url: URL, res: import('node:http').ServerResponse) {
  const spec = streams(true).find((s) => s.name === 'small') as StreamSpec;
  const rate = Number(url.searchParams.get('rate') ?? 10_000);
  const count = Number(url.searchParams.get('n') ?? 30_000);
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'access-control-allow-origin': '*',
  });
  const started = performance.now();
  let sent = 0;
  const tick = () => {
    // As many as are due by now: the rate holds even when a timer fires late.
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + Math.ceil(rate / 100));
    let batch = '';
    while (sent < due) batch += frame(spec, ++sent);
    if (batch) res.write(batch);
    if (sent >= count) res.end();
    else setTimeout(tick, 10);
  };
  tick();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  if (path === '/one') return one(req, res);
  if (path === '/paced') return paced(url, res);
  const chunks = bodies.get(path);
  if (!chunks) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'access-control-allow-origin': '*',
  });
  let i = 0;
  const pump = () => {
    while (i < chunks.length) {
      if (!res.write(chunks[i++])) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
