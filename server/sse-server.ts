/**
 * The reference SSE server: monotonic ids, a bounded replay buffer that honours
 * `Last-Event-ID`, comment heartbeats, a `retry:` hint, graceful shutdown, and
 * fault injection (drops, silence, error statuses, auth, 204, duplicates, odd
 * chunking and line endings). Tests start it on port 0; `npm run server` and
 * the demo start it from the command line.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { ConnectionWriter, type WireStyle } from './writer.js';

/** An event the server has published. */
export interface SseEvent {
  /** Position in the log, from 1. */
  seq: number;
  /** The `id:` sent; `String(seq)` unless published with another. */
  id: string;
  /** The `event:` type, if any. */
  event: string | undefined;
  data: string;
}

/** A request the stream route received, for tests to inspect. */
export interface StreamRequest {
  method: string;
  url: string;
  lastEventId: string | null;
  authorization: string | null;
  accept: string | null;
  cacheControl: string | null;
  body: string;
  /** The status answered. */
  status: number;
}

/** Options of {@link createSseServer}. */
export interface SseServerOptions {
  /** @defaultValue 0 (any free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** `retry:` sent at the start of every stream; 0 sends none. @defaultValue 50 */
  retry?: number;
  /** Ms between `: ping` comments; 0 = none. @defaultValue 15000 */
  heartbeatInterval?: number;
  /** Ms between automatically published events; 0 = publish only on demand. @defaultValue 0 */
  publishInterval?: number;
  /** Events kept for replay. @defaultValue 100000 */
  bufferSize?: number;
  /** Initial wire style. */
  wire?: Partial<WireStyle>;
  /** URL prefix → directory, served as static files (the demo page, built bundles). */
  staticRoots?: Record<string, string>;
  /** Data of automatically published event `seq`. */
  makeData?: (seq: number) => string;
}

interface StatusFault {
  status: number;
  retryAfter: string | undefined;
  remaining: number;
}

interface OpenStream {
  writer: ConnectionWriter;
  heartbeat: NodeJS.Timeout | undefined;
  /** The `?client=` tag of the request, for per-client counts. */
  client: string;
}

/** The fault switches. Each returns at once; their effects are described per method. */
export interface Faults {
  /** Destroys every open stream's socket (a network drop). Returns how many. */
  dropAll(): number;
  /** On every open stream, the next event is half written, then the socket is destroyed. */
  dropMidEvent(): void;
  /** Open streams stop sending anything (heartbeats too) but keep their sockets. */
  silence(): void;
  /** The next `times` stream requests are answered with `status` (and `Retry-After`, if given). */
  failNext(status: number, options?: { times?: number; retryAfter?: string }): void;
  /** Stream requests must carry `Authorization: Bearer <token>` or get 401; `undefined` lifts it. */
  requireToken(token: string | undefined): void;
  /**
   * Stream requests tagged `?client=<client>` need no token while one is
   * required (the demo's native panel: an EventSource cannot send one).
   * Lifted by `reset()`.
   */
  exemptFromToken(client: string): void;
  /** While on, stream requests get 204 (the server's "stop"). */
  stop(on?: boolean): void;
  /** Sends the last `count` events again on every open stream (duplicates). */
  replay(count: number): void;
  /**
   * Answers 200 with this content type instead of `text/event-stream`; an
   * array sends one `Content-Type` line per value; `undefined` restores it.
   */
  contentType(value: string | string[] | undefined): void;
  /** Stream requests are redirected (`status`, 307 by default) to `location`; `undefined` lifts it. */
  redirect(location: string | undefined, status?: number): void;
  /** Stream requests whose path and query are longer than `length` get 414 URI Too Long (as proxies do above 4–8 KB); `undefined` lifts it. */
  maxUrlLength(length: number | undefined): void;
  /** Holds response headers back for `ms` on new stream requests; 0 = off. */
  delayHeaders(ms: number): void;
  /** Clears every fault (not the wire style). */
  reset(): void;
  /**
   * Restarts: every socket is destroyed and connections are refused for
   * `downMs`, then it listens again on the same port. The event log is kept,
   * as a real server's database would be.
   */
  restart(downMs?: number): Promise<void>;
  /** Requires a new random bearer token (401 until a client sends it) and returns it. */
  rotateToken(): string;
  /** The token currently required, as an auth server would issue it; `undefined` when none is. */
  issuedToken(): string | undefined;
}

/** A running reference server. */
export interface SseServer {
  /** Base URL, like `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The stream route: `${url}/stream`. */
  readonly streamUrl: string;
  readonly port: number;
  /** Every stream request so far, oldest first. */
  readonly requests: StreamRequest[];
  /** Streams open right now. */
  readonly openStreams: number;
  /** The replay buffer, oldest first. */
  readonly events: readonly SseEvent[];
  /** Line endings and chunking of frames written from now on. */
  readonly wire: WireStyle;
  readonly faults: Faults;
  /** Publishes an event to every open stream and the buffer. `id: null` sends no `id:` field. */
  publish(data: string, options?: { event?: string; id?: string | null }): SseEvent;
  /** Publishes `count` events made by `makeData`. */
  publishMany(count: number): void;
  /** Ends every stream cleanly, then stops listening. */
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Formats one event as an SSE frame with LF line endings. */
export function formatEvent(event: Pick<SseEvent, 'id' | 'event' | 'data'> & { sendId?: boolean }): string {
  let frame = event.sendId === false ? '' : `id: ${event.id}\n`;
  if (event.event !== undefined) frame += `event: ${event.event}\n`;
  for (const line of event.data.split('\n')) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** Starts the server; resolves once it listens. */
export async function createSseServer(options: SseServerOptions = {}): Promise<SseServer> {
  const retry = options.retry ?? 50;
  const heartbeatInterval = options.heartbeatInterval ?? 15_000;
  const bufferSize = options.bufferSize ?? 100_000;
  const makeData = options.makeData ?? ((seq: number) => JSON.stringify({ n: seq }));
  const wire: WireStyle = { eol: 'lf', chunking: 'none', ...options.wire };

  const events: SseEvent[] = [];
  const noId = new WeakSet<SseEvent>();
  const requests: StreamRequest[] = [];
  const streams = new Set<OpenStream>();
  let seq = 0;
  let statusFaults: StatusFault[] = [];
  let token: string | undefined;
  const exempt = new Set<string>();
  let stopped = false;
  let contentType: string | string[] | undefined;
  let redirect: { location: string; status: number } | undefined;
  let maxUrlLength: number | undefined;
  let headerDelay = 0;
  let closed = false;

  const frameOf = (e: SseEvent) => formatEvent({ ...e, sendId: !noId.has(e) });

  function publish(data: string, opts: { event?: string; id?: string | null } = {}): SseEvent {
    seq++;
    const event: SseEvent = { seq, id: opts.id ?? String(seq), event: opts.event, data };
    if (opts.id === null) noId.add(event);
    events.push(event);
    if (events.length > bufferSize) events.splice(0, events.length - bufferSize);
    const frame = frameOf(event);
    for (const s of streams) void s.writer.send(frame, true);
    return event;
  }

  /** Buffered events after the client's Last-Event-ID (all of them without one). */
  function backlog(lastEventId: string | null, live: boolean): SseEvent[] {
    if (lastEventId === null || lastEventId === '') return live ? [] : events.slice();
    const at = events.findIndex((e) => e.id === lastEventId);
    if (at !== -1) return events.slice(at + 1);
    const n = Number(lastEventId);
    return Number.isInteger(n) ? events.filter((e) => e.seq > n) : events.slice();
  }

  async function handleStream(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const record: StreamRequest = {
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      lastEventId: req.headers['last-event-id'] === undefined ? null : String(req.headers['last-event-id']),
      authorization: req.headers.authorization ?? null,
      accept: req.headers.accept ?? null,
      cacheControl: req.headers['cache-control'] ?? null,
      body,
      status: 200,
    };
    requests.push(record);
    const answer = (status: number, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, headers).end();
    };

    if (maxUrlLength !== undefined && record.url.length > maxUrlLength) return answer(414);
    if (redirect) return answer(redirect.status, { Location: redirect.location });
    const fault = statusFaults[0];
    if (fault) {
      if (--fault.remaining <= 0) statusFaults.shift();
      return answer(fault.status, fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter });
    }
    if (
      token !== undefined &&
      record.authorization !== `Bearer ${token}` &&
      !exempt.has(url.searchParams.get('client') ?? '')
    ) {
      return answer(401, { 'WWW-Authenticate': 'Bearer' });
    }
    if (stopped) return answer(204);
    if (headerDelay > 0) {
      await new Promise((resolve) => setTimeout(resolve, headerDelay));
      if (res.destroyed) return;
    }

    res.writeHead(200, {
      'Content-Type': contentType ?? 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);

    const stream: OpenStream = {
      writer: new ConnectionWriter(res, () => wire),
      heartbeat: undefined,
      client: url.searchParams.get('client') ?? '',
    };
    streams.add(stream);
    res.on('close', () => {
      streams.delete(stream);
      clearInterval(stream.heartbeat);
    });
    // `?retry=N` overrides the server's hint for one stream (0 sends none).
    const retryHint = url.searchParams.has('retry') ? Number(url.searchParams.get('retry')) : retry;
    if (retryHint > 0) void stream.writer.send(`retry: ${retryHint}\n\n`);
    // Backlog and live events are queued in one synchronous block, so a
    // publish can never overtake the replay.
    for (const e of backlog(record.lastEventId, url.searchParams.get('from') === 'live')) {
      void stream.writer.send(frameOf(e), true);
    }
    if (heartbeatInterval > 0) {
      stream.heartbeat = setInterval(() => void stream.writer.send(': ping\n\n'), heartbeatInterval);
    }
  }

  const faults: Faults = {
    dropAll() {
      const count = streams.size;
      for (const s of streams) s.writer.destroy();
      return count;
    },
    dropMidEvent() {
      for (const s of streams) s.writer.cutNextEvent = true;
    },
    silence() {
      for (const s of streams) s.writer.silenced = true;
    },
    failNext(status, o = {}) {
      statusFaults.push({ status, retryAfter: o.retryAfter, remaining: o.times ?? 1 });
    },
    requireToken(value) {
      token = value;
    },
    stop(on = true) {
      stopped = on;
    },
    replay(count) {
      const again = events.slice(-count);
      for (const s of streams) for (const e of again) void s.writer.send(frameOf(e), true);
    },
    contentType(value) {
      contentType = value;
    },
    redirect(location, status = 307) {
      redirect = location === undefined ? undefined : { location, status };
    },
    maxUrlLength(length) {
      maxUrlLength = length;
    },
    delayHeaders(ms) {
      headerDelay = ms;
    },
    reset() {
      statusFaults = [];
      token = undefined;
      exempt.clear();
      stopped = false;
      contentType = undefined;
      redirect = undefined;
      maxUrlLength = undefined;
      headerDelay = 0;
    },
    async restart(downMs = 2000) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await new Promise((resolve) => setTimeout(resolve, downMs));
      if (!closed) await listen();
    },
    rotateToken() {
      token = Math.random().toString(36).slice(2, 10);
      return token;
    },
    issuedToken: () => token,
    exemptFromToken(client) {
      exempt.add(client);
    },
  };

  /** POST /control/<name>?…: the faults over HTTP, for the demo and browser tests. */
  function handleControl(name: string, q: URLSearchParams, res: ServerResponse): void {
    const int = (key: string, fallback: number) => {
      const v = q.get(key);
      return v === null ? fallback : Number.parseInt(v, 10);
    };
    let result: unknown = { ok: true };
    switch (name) {
      case 'drop':
        result = { dropped: faults.dropAll() };
        break;
      case 'drop-mid-event':
        faults.dropMidEvent();
        break;
      case 'silence':
        faults.silence();
        break;
      case 'fail':
        faults.failNext(int('status', 503), {
          times: int('times', 1),
          ...(q.has('retryAfter') ? { retryAfter: q.get('retryAfter') ?? '' } : {}),
        });
        break;
      case 'token':
        faults.requireToken(q.get('token') ?? undefined);
        break;
      case 'stop':
        faults.stop(q.get('on') !== 'false');
        break;
      case 'replay':
        faults.replay(int('count', 5));
        break;
      case 'content-type':
        faults.contentType(q.get('value') ?? undefined);
        break;
      case 'delay-headers':
        faults.delayHeaders(int('ms', 0));
        break;
      case 'reset':
        faults.reset();
        break;
      case 'restart': {
        // Answer first: restart() destroys every socket, this request's too,
        // which would leave the caller with a network error instead of an answer.
        const downMs = int('ms', 2000);
        res.setHeader('Connection', 'close');
        res.once('finish', () => setTimeout(() => void faults.restart(downMs), 20));
        result = { ok: true, downMs };
        break;
      }
      case 'rotate-token':
        result = { token: faults.rotateToken() };
        break;
      case 'token-exempt':
        faults.exemptFromToken(q.get('client') ?? '');
        break;
      case 'issued-token':
        result = { token: faults.issuedToken() ?? null };
        break;
      case 'publish': {
        const count = int('count', 1);
        const data = q.get('data');
        for (let i = 0; i < count; i++) {
          if (data === null) publishMany(1);
          else publish(data, q.has('event') ? { event: q.get('event') ?? '' } : {});
        }
        result = { lastId: events.at(-1)?.id ?? null };
        break;
      }
      case 'wire': {
        const eol = q.get('eol');
        const chunking = q.get('chunking');
        if (eol === 'lf' || eol === 'cr' || eol === 'crlf') wire.eol = eol;
        if (chunking === 'none' || chunking === 'bytes' || chunking === 'split') wire.chunking = chunking;
        result = { ...wire };
        break;
      }
      case 'state': {
        const byClient: Record<string, number> = {};
        for (const s of streams) if (s.client) byClient[s.client] = (byClient[s.client] ?? 0) + 1;
        result = {
          openStreams: streams.size,
          byClient,
          requests: requests.length,
          lastId: events.at(-1)?.id ?? null,
          wire,
        };
        break;
      }
      default:
        res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: `unknown control ${name}` }));
        return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(result));
  }

  async function serveStatic(pathname: string, res: ServerResponse): Promise<boolean> {
    for (const [prefix, dir] of Object.entries(options.staticRoots ?? {})) {
      if (!pathname.startsWith(prefix)) continue;
      let rest = decodeURIComponent(pathname.slice(prefix.length));
      if (rest === '' || rest.endsWith('/')) rest += 'index.html';
      const file = normalize(join(dir, rest));
      if (!file.startsWith(normalize(dir))) break;
      try {
        const content = await readFile(file);
        res.writeHead(200, {
          'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
          'Cache-Control': 'no-store',
        });
        res.end(content);
        return true;
      } catch {
        break;
      }
    }
    return false;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, POST',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Cache-Control',
          'Access-Control-Max-Age': '600',
        })
        .end();
      return;
    }
    const fail = (error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    };
    // The stream can be mounted anywhere: `/stream`, `/api/stream`, `/v1/feed/stream`…
    if (url.pathname === '/stream' || url.pathname.endsWith('/stream'))
      return void handleStream(req, res, url).catch(fail);
    if (url.pathname.startsWith('/control/')) return handleControl(url.pathname.slice(9), url.searchParams, res);
    void serveStatic(url.pathname, res).then((served) => {
      if (!served) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }, fail);
  });

  function publishMany(count: number): void {
    for (let i = 0; i < count; i++) publish(makeData(seq + 1));
  }

  let port = options.port ?? 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen();
  port = (server.address() as AddressInfo).port;
  const base = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const ticker = options.publishInterval ? setInterval(() => publishMany(1), options.publishInterval) : undefined;

  return {
    url: base,
    streamUrl: `${base}/stream`,
    port,
    requests,
    get openStreams() {
      return streams.size;
    },
    events,
    wire,
    faults,
    publish,
    publishMany,
    async close() {
      closed = true;
      clearInterval(ticker);
      for (const s of streams) {
        clearInterval(s.heartbeat);
        s.writer.response.end();
      }
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
