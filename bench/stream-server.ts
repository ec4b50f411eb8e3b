/**
 * The benchmark's stream server, in a process of its own: each stream's body
 * is built once, in 64 KB chunks, and written as fast as the socket takes it,
 * then the response ends. Prints its port on stdout.
 * Usage: node --import tsx bench/stream-server.ts [--quick]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { frame, streams } from './streams.js';

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

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/one') return one(req, res);
  const chunks = bodies.get(path);
  if (!chunks) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'access-control-allow-origin': '*' });
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
