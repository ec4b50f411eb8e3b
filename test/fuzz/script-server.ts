/**
 * The server side of the Node fuzzer: two origins (two ports of 127.0.0.1)
 * that answer each attempt with the next plan of a script, keep a log of
 * events with ids as a real server does (replaying what follows the client's
 * `Last-Event-ID`, or its `lastEventId` query parameter), and record every
 * request and every byte they put on each connection, so that the model can
 * be run over exactly what the client was sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chunksOf, type LogEvent, type Plan, renderBody } from './scripts.js';

/** One request as received. */
export interface Received {
  /** 'a': the stream's origin; 'b': the other one. */
  origin: 'a' | 'b';
  path: string;
  /** The first hop of an attempt (to the stream's URL), or a redirect's target. */
  hop: 'first' | 'target';
  authorization: string | undefined;
  /** `Last-Event-ID`, decoded from its UTF-8 bytes; undefined when not sent. */
  lastEventId: string | undefined;
  /** The `lastEventId` query parameter, if any. */
  queryCursor: string | null;
  /** The plan that answered it (an index into the script), or -1 past its end (204). */
  plan: number;
  /** The harness's clock when it arrived (virtual ms). */
  at: number;
}

/** A 200 event stream the server wrote. */
export interface Stream {
  plan: number;
  /** Every body byte written, in order. */
  bytes: Uint8Array;
  /** All of the plan is written (a silent stream then holds). */
  written: boolean;
  /** The socket is closed (by either side). */
  closed: boolean;
}

export interface ScriptServer {
  readonly streamUrl: string;
  readonly origins: { a: string; b: string };
  readonly received: Received[];
  readonly streams: Stream[];
  readonly log: LogEvent[];
  /** Open sockets, both origins. */
  readonly sockets: number;
  /** Before a drop, the server waits for this (the client has every byte written so far). */
  beforeDrop: (stream: Stream) => Promise<void>;
  close(): Promise<void>;
}

/** Starts both origins for `plans`; `now` reads the harness's clock for the records. */
export async function startScriptServer(plans: readonly Plan[], now: () => number): Promise<ScriptServer> {
  const received: Received[] = [];
  const streams: Stream[] = [];
  const log: LogEvent[] = [];
  const sockets = new Set<Socket>();
  /** Redirect targets waiting for their request: path → plan index. */
  const targets = new Map<string, number>();
  let next = 0;
  let redirects = 0;

  const server: ScriptServer = {
    streamUrl: '',
    origins: { a: '', b: '' },
    received,
    streams,
    log,
    get sockets() {
      return sockets.size;
    },
    beforeDrop: async () => {},
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([a, b].map((h) => new Promise((resolve) => h.close(resolve))));
    },
  };

  const handle = (origin: 'a' | 'b') => (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const target = targets.get(`${origin}${url.pathname}`);
    const hop = target === undefined ? 'first' : 'target';
    const index = target ?? (url.pathname === '/stream' ? next++ : -1);
    const header = req.headers['last-event-id'];
    received.push({
      origin,
      path: url.pathname + url.search,
      hop,
      authorization: req.headers.authorization,
      lastEventId: typeof header === 'string' ? Buffer.from(header, 'latin1').toString('utf8') : undefined,
      queryCursor: url.searchParams.get('lastEventId'),
      plan: index < plans.length ? index : -1,
      at: now(),
    });
    const p = plans[index];
    if (!p) return void res.writeHead(204).end();
    if (hop === 'first' && p.redirect) {
      const to = p.redirect.crossOrigin ? 'b' : 'a';
      const path = `/moved/${++redirects}`;
      targets.set(`${to}${path}`, index);
      return void res.writeHead(p.redirect.status, { Location: `${server.origins[to]}${path}?from=redirect` }).end();
    }
    answer(p, index, req, res, received.at(-1) as Received);
  };

  const answer = (p: Plan, index: number, req: IncomingMessage, res: ServerResponse, request: Received) => {
    const headers: Record<string, string | string[]> = {};
    if (p.contentType.length > 0) headers['Content-Type'] = [...p.contentType];
    if (p.status !== 200) {
      if (p.retryAfter !== undefined && (p.status === 429 || p.status === 503)) headers['Retry-After'] = p.retryAfter;
      return void res.writeHead(p.status, headers).end(p.status === 204 ? undefined : 'refused');
    }
    // A real server's replay: what follows the client's cursor, when it knows it.
    const cursor = request.lastEventId ?? request.queryCursor ?? '';
    const at = log.findIndex((e) => e.id === cursor);
    const bytes = Buffer.from(renderBody(p, at === -1 ? [] : log.slice(at + 1), log), 'utf8');
    const stream: Stream = { plan: index, bytes: new Uint8Array(0), written: false, closed: false };
    streams.push(stream);
    res.on('close', () => (stream.closed = true));
    res.writeHead(200, headers);
    res.flushHeaders();
    void (async () => {
      for (const chunk of chunksOf(bytes, p.cuts)) {
        if (res.destroyed) return;
        stream.bytes = concat(stream.bytes, chunk);
        await new Promise((resolve) => res.write(chunk, resolve));
        await new Promise((resolve) => setImmediate(resolve));
      }
      stream.written = true;
      if (p.ending === 'end') res.end();
      else if (p.ending === 'drop') {
        await server.beforeDrop(stream);
        req.socket.destroy();
      }
    })();
  };

  const listen = async (origin: 'a' | 'b'): Promise<Server> => {
    const http = createServer(handle(origin));
    http.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    server.origins[origin] = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    return http;
  };
  const a = await listen('a');
  const b = await listen('b');
  (server as { streamUrl: string }).streamUrl = `${server.origins.a}/stream`;
  return server;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
