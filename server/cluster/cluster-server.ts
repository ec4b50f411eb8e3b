/**
 * One instance of the reference server in cluster mode: its events live in a
 * Redis stream ({@link RedisLog}) shared by every instance, so a client cut off
 * from one instance resumes from its `Last-Event-ID` on any other.
 *
 * - `GET …/stream`: `retry:`, then the entries after `Last-Event-ID` (read
 *   with `XRANGE`), then live entries (one `XREAD BLOCK` tail per instance,
 *   fanned out in memory), with `: ping` comments every `heartbeatInterval`.
 *   No `Last-Event-ID` starts live. A cursor older than the replay window (or
 *   not an integer, or ahead of the log) gets `event: resync` (no `id:`, data
 *   `{"lastEventId","oldest"}`) and then everything the window still holds:
 *   the client learns that it missed events, never silently.
 * - `POST /control/publish`: appends a JSON array of strings (body) or
 *   `?data=` (`&count=N` times); `&key=K` makes the publish idempotent.
 * - Redis unreachable: stream and publish requests get 503 with `Retry-After`;
 *   open streams stay open (heartbeats go on) and resume where the tail was.
 * - {@link ClusterServer.drain} (SIGTERM): ends every stream, so clients
 *   reconnect at once, through the proxy, to another instance.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatEvent } from '../sse-server.js';
import { ConnectionWriter, type WireStyle } from '../writer.js';
import { LogUnavailableError, RedisLog, type LogEntry } from './redis-log.js';

/** Options of {@link createClusterServer}. */
export interface ClusterServerOptions {
  /** `redis://host:port`. */
  redis: string;
  /** @defaultValue 'sse:events' */
  stream?: string | undefined;
  /** @defaultValue 0 (any free port) */
  port?: number | undefined;
  /** @defaultValue '127.0.0.1' */
  host?: string | undefined;
  /** `retry:` sent at the start of every stream; 0 sends none. @defaultValue 1000 */
  retry?: number | undefined;
  /** Ms between `: ping` comments; keep it well under the proxy's read timeout. @defaultValue 15000 */
  heartbeatInterval?: number | undefined;
  /** Ms between events this instance publishes by itself; 0 = none. @defaultValue 0 */
  publishInterval?: number | undefined;
  /** Entries kept in the stream (`MAXLEN ~`): the replay window. @defaultValue 100000 */
  maxLength?: number | undefined;
  /** Seconds sent in `Retry-After` with a 503. @defaultValue 1 */
  retryAfter?: number | undefined;
  /**
   * Called for every stream request with the status answered and, for a 503,
   * why (`draining`, `redis-down`, `redis-error`); the cluster test counts
   * reconnect storms with it.
   */
  onStreamRequest?: ((status: number, why?: string) => void) | undefined;
  /** Name in `/control/state` and in published ticks. @defaultValue the port */
  name?: string | undefined;
}

/** A running instance. */
export interface ClusterServer {
  readonly url: string;
  readonly port: number;
  readonly openStreams: number;
  readonly log: RedisLog;
  /** Ends every stream, stops listening, closes Redis. What SIGTERM does. */
  drain(): Promise<void>;
}

const PAGE = 1000;
const wire: WireStyle = { eol: 'lf', chunking: 'none' };

interface Connection {
  writer: ConnectionWriter;
  /** The last id written to this connection. */
  sent: number;
  /** While true, the catch-up loop owns the connection and live batches skip it. */
  catching: boolean;
}

const frameOf = (e: LogEntry) => formatEvent({ id: String(e.seq), event: e.event, data: e.data });

/** Starts an instance; resolves once it is connected to Redis and listening. */
export async function createClusterServer(options: ClusterServerOptions): Promise<ClusterServer> {
  const retry = options.retry ?? 1000;
  const heartbeatInterval = options.heartbeatInterval ?? 15_000;
  const retryAfter = String(options.retryAfter ?? 1);
  const log = new RedisLog({ url: options.redis, stream: options.stream, maxLength: options.maxLength });
  const connections = new Set<Connection>();
  let draining = false;
  await log.open();

  /** Frames of `entries` that follow `c.sent`; a hole is announced with `resync`. */
  function framesFor(c: Connection, entries: LogEntry[], cursor: string): string {
    let out = '';
    for (const e of entries) {
      if (e.seq <= c.sent) continue;
      if (e.seq !== c.sent + 1) out += resyncFrame(cursor, e.seq);
      out += frameOf(e);
      c.sent = e.seq;
    }
    return out;
  }

  function resyncFrame(lastEventId: string, oldest: number): string {
    return formatEvent({ id: '', sendId: false, event: 'resync', data: JSON.stringify({ lastEventId, oldest }) });
  }

  // One tail for the instance, fanned out to every connection: Redis sees one
  // reader per instance, not one per client.
  log.subscribe((entries) => {
    for (const c of connections) {
      if (c.catching || c.writer.closed) continue;
      const first = entries[0];
      if (first !== undefined && first.seq > c.sent + 1) {
        void catchUp(c, String(c.sent));
        continue;
      }
      const frames = framesFor(c, entries, String(c.sent));
      if (frames) void c.writer.send(frames, true);
    }
  });

  /** Reads the log from `c.sent` until it reaches the tail, then hands the connection to the live fan-out. */
  async function catchUp(c: Connection, cursor: string, forceResync = false): Promise<void> {
    c.catching = true;
    try {
      for (;;) {
        const entries = await log.after(c.sent, PAGE);
        if (c.writer.closed) return;
        let frames = '';
        if (forceResync) {
          frames += resyncFrame(cursor, entries[0]?.seq ?? log.head + 1);
          forceResync = false;
          if (entries[0]) c.sent = entries[0].seq - 1;
        }
        frames += framesFor(c, entries, cursor);
        if (frames) void c.writer.send(frames, true);
        // Done once a page came back short and the tail has nothing newer:
        // every later entry reaches this connection through the live fan-out.
        if (entries.length < PAGE && c.sent >= log.head) break;
        if (entries.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } catch {
      // Redis went away mid-replay: end the stream; the client comes back
      // with its cursor and gets a 503 until Redis answers again.
      c.writer.response.end();
    } finally {
      c.catching = false;
    }
  }

  async function handleStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refuse = (status: number, why: string, headers: Record<string, string>) => {
      options.onStreamRequest?.(status, why);
      res.writeHead(status, { 'Content-Type': 'text/plain', ...headers }).end();
    };
    // Draining: nginx may still send on a kept-alive connection; 503 makes it
    // try the next instance (`proxy_next_upstream http_503`).
    if (draining) return refuse(503, 'draining', { 'Retry-After': '0', Connection: 'close' });
    if (!log.ready) return refuse(503, 'redis-down', { 'Retry-After': retryAfter });

    const header = req.headers['last-event-id'];
    const cursor = typeof header === 'string' ? header.trim() : '';
    let sent = log.head;
    let replay = false;
    let forceResync = false;
    if (cursor !== '') {
      replay = true;
      const n = /^\d+$/.test(cursor) ? Number(cursor) : Number.NaN;
      let last: number;
      try {
        last = await log.lastId();
      } catch {
        return refuse(503, 'redis-error', { 'Retry-After': retryAfter });
      }
      if (Number.isSafeInteger(n) && n <= last) sent = n;
      else {
        // Not one of ours (garbage, or ahead of the log: another stream, a
        // log that was reset): resync, then the whole window.
        sent = 0;
        forceResync = true;
      }
    }

    options.onStreamRequest?.(200);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const c: Connection = { writer: new ConnectionWriter(res, () => wire), sent, catching: false };
    connections.add(c);
    res.on('close', () => connections.delete(c));
    if (retry > 0) void c.writer.send(`retry: ${retry}\n\n`);
    if (replay) void catchUp(c, cursor, forceResync);
  }

  async function readItems(req: IncomingMessage, q: URLSearchParams): Promise<string[]> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if (body.trim() !== '') {
      const parsed: unknown = JSON.parse(body);
      if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string'))
        throw new TypeError('body must be a JSON array of strings');
      return parsed;
    }
    const count = Number(q.get('count') ?? 1);
    return Array.from({ length: count }, () => q.get('data') ?? JSON.stringify({ at: Date.now(), from: name }));
  }

  async function handleControl(
    action: string,
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
  ): Promise<void> {
    const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      res
        .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers })
        .end(JSON.stringify(value));
    };
    if (action === 'state')
      return json(200, { name, openStreams: connections.size, head: log.head, redis: log.ready, draining });
    if (action !== 'publish') return json(404, { error: `unknown control ${action}` });
    let items: string[];
    try {
      items = await readItems(req, q);
    } catch (error) {
      return json(400, { error: (error as Error).message });
    }
    if (draining) return json(503, { error: 'draining' }, { 'Retry-After': '0', Connection: 'close' });
    try {
      const { first, count } = await log.append(items, {
        event: q.get('event') ?? undefined,
        key: q.get('key') ?? undefined,
      });
      json(200, { first, count, lastId: first + count - 1 });
    } catch (error) {
      if (error instanceof LogUnavailableError)
        return json(503, { error: error.message }, { 'Retry-After': retryAfter });
      throw error;
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fail = (error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    };
    if (url.pathname === '/stream' || url.pathname.endsWith('/stream')) return void handleStream(req, res).catch(fail);
    if (url.pathname.startsWith('/control/'))
      return void handleControl(url.pathname.slice(9), req, res, url.searchParams).catch(fail);
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const name = options.name ?? String(port);
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  // One timer for every connection's heartbeat.
  const heartbeat =
    heartbeatInterval > 0
      ? setInterval(() => {
          for (const c of connections) void c.writer.send(': ping\n\n');
        }, heartbeatInterval)
      : undefined;
  const ticker = options.publishInterval
    ? setInterval(
        () => void log.append([JSON.stringify({ at: Date.now(), from: name })]).catch(() => {}),
        options.publishInterval,
      )
    : undefined;

  return {
    url,
    port,
    log,
    get openStreams() {
      return connections.size;
    },
    async drain() {
      draining = true;
      clearInterval(ticker);
      clearInterval(heartbeat);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A clean end of the body: the client reconnects after `retry:`, and
      // the proxy sends it to an instance that still listens.
      for (const c of connections) void c.writer.send('').then(() => c.writer.response.end());
      server.closeIdleConnections();
      const deadline = Date.now() + 1000;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      server.closeAllConnections();
      await closed;
      await log.close();
    },
  };
}
