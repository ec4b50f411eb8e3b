/**
 * Reconnect timing against real sockets: (1) from the server destroying the
 * socket to the next request, against the computed backoff; (2) from the
 * last byte of a stream gone silent to the client abandoning it, against
 * heartbeatTimeout. Times are taken on the server side. Prints JSON.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { computeDelay, defaultBackoff, ResilientEventSource } from 'resilient-eventsource';

const cycles = process.argv.includes('--quick') ? 5 : 20;
const RETRY = 200;
const HEARTBEAT = 500;
let mode: 'drop' | 'silent' = 'drop';
let droppedAt = 0;
let lastByteAt = 0;
const gaps: number[] = [];
const abandons: number[] = [];
let waiter: (() => void) | undefined;

const server = createServer((req, res: ServerResponse) => {
  // The phase this connection belongs to: a socket of the previous phase
  // closing later is not a measurement of this one.
  const phase = mode;
  if (phase === 'drop' && droppedAt) gaps.push(performance.now() - droppedAt);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const id = Number(req.headers['last-event-id'] ?? 0) + 1;
  res.write(`retry: ${RETRY}\nid: ${id}\ndata: x\n\n`, () => {
    lastByteAt = performance.now();
    if (phase === 'drop') {
      setTimeout(() => {
        droppedAt = performance.now();
        res.socket?.destroy();
        waiter?.();
      }, 20);
    }
  });
  res.on('close', () => {
    if (phase === 'silent') {
      abandons.push(performance.now() - lastByteAt);
      waiter?.();
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const until = (n: () => number, count: number) =>
  new Promise<void>((resolve) => {
    waiter = () => {
      if (n() >= count) resolve();
    };
  });

// Every connection delivers an event, so the failure count is back at 0 and
// each reconnect waits computeDelay(0): retry × (1 + jitter × random()).
const random = () => 0.5;
const expected = computeDelay(0, defaultBackoff, RETRY, random);
const dropper = new ResilientEventSource(url, { random, store: false, heartbeatTimeout: 0 });
await until(() => gaps.length, cycles);
dropper.close();
await dropper.closed;

mode = 'silent';
const silent = new ResilientEventSource(url, { heartbeatTimeout: HEARTBEAT, random, store: false });
await until(() => abandons.length, Math.min(cycles, 10));
silent.close();
await silent.closed;
server.close();
server.closeAllConnections();

process.stdout.write(`${JSON.stringify({ expectedDelay: expected, gaps, heartbeatTimeout: HEARTBEAT, abandons })}\n`);
process.exit(0);
