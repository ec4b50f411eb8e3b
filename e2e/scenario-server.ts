/**
 * A small scenario server for the differential suite: each named route answers
 * attempt n of a run with a scripted reply (status, content type, chunks, then
 * end, hold or destroy), and every request is recorded with all its headers.
 *
 * It answers no CORS preflight (an `OPTIONS` request gets a 405 without any
 * `Access-Control-*` header), as servers set up for the native `EventSource`
 * do not; a GET gets `Access-Control-Allow-Origin` only when the reply asks for
 * it. Two instances on different ports of 127.0.0.1 are two origins.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize } from 'node:path';

/** What a route answers to one request. */
export interface Reply {
  /** @defaultValue 200 */
  status?: number;
  /** `null` sends no Content-Type; an array sends one header line per value. @defaultValue 'text/event-stream' */
  contentType?: string | readonly string[] | null;
  /** Body pieces, each written on its own (a few ms apart), strings as UTF-8. */
  chunks?: (string | Uint8Array)[];
  /** After the chunks: end the body, keep it open, or destroy the socket. @defaultValue 'end' */
  then?: 'end' | 'hold' | 'destroy';
  /**
   * Ms to wait after the last chunk before destroying the socket, so that the
   * client has read every byte: a fetch body that errors drops what was
   * received but not yet read (the stream's queue is reset), where the
   * native EventSource has parsed it. @defaultValue 0
   */
  destroyAfter?: number;
  /** Redirect (status 307 unless given) to this route of this server, or of the peer server. */
  redirect?: { route: string; peer?: boolean };
  /** CORS headers on this reply: none, `*`, the request's Origin, or the Origin with credentials. */
  cors?: 'none' | 'star' | 'origin' | 'credentials';
  /** Ms to wait before the status line (a connection that stays CONNECTING). */
  delay?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** What a route sees of the request. */
export interface RouteContext {
  /** 0 for the first GET of this run on this route, 1 for the next… */
  attempt: number;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

/** A named route: attempt n → reply. */
export type Route = (ctx: RouteContext) => Reply;

/** One request as the server received it. */
export interface RecordedRequest {
  /** The `run` query parameter (which run of which scenario sent it). */
  run: string;
  route: string;
  method: string;
  /** Path and query as sent. */
  url: string;
  /** Every request header, lower-case names, in the order received. */
  headers: [string, string][];
  /** ms (Date.now) when the request arrived and when its reply was over. */
  at: number;
  endedAt: number | undefined;
}

/** A running scenario server. */
export interface ScenarioServer {
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** The requests of one run, in arrival order. */
  requestsOf(run: string): RecordedRequest[];
  /** The other origin, for redirects and cross-origin replies. */
  peer: ScenarioServer | undefined;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

/** Routes are mounted at any path ending in `/s/<name>`, so relative URLs resolve to them from anywhere. */
const routePattern = /\/s\/([a-z0-9-]+)$/;

/** Starts a scenario server on 127.0.0.1, port 0. */
export async function createScenarioServer(options: {
  routes: Record<string, Route>;
  staticRoots?: Record<string, string>;
}): Promise<ScenarioServer> {
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  async function serveStatic(pathname: string, res: ServerResponse): Promise<boolean> {
    for (const [prefix, dir] of Object.entries(options.staticRoots ?? {})) {
      if (!pathname.startsWith(prefix)) continue;
      const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
      if (!file.startsWith(normalize(dir))) return false;
      try {
        const content = await readFile(file);
        res.writeHead(200, {
          'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
          'Cache-Control': 'no-store',
        });
        res.end(content);
        return true;
      } catch {
        return false;
      }
    }
    return false;
  }

  function answer(req: IncomingMessage, res: ServerResponse, url: URL, name: string, record: RecordedRequest): void {
    const route = options.routes[name];
    const key = `${record.run} ${name}`;
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    const reply: Reply = route
      ? route({ attempt, query: url.searchParams, headers: req.headers })
      : { status: 404, contentType: 'text/plain', chunks: ['no such route'] };
    const headers: Record<string, string | string[]> = { ...reply.headers };
    const origin = req.headers.origin;
    if (reply.cors === 'star') headers['Access-Control-Allow-Origin'] = '*';
    if (reply.cors === 'origin' || reply.cors === 'credentials') headers['Access-Control-Allow-Origin'] = origin ?? '*';
    if (reply.cors === 'credentials') headers['Access-Control-Allow-Credentials'] = 'true';
    const finish = () => {
      record.endedAt = Date.now();
    };
    const go = () => {
      if (reply.redirect) {
        const target = reply.redirect.peer ? server.peer : server;
        if (!target) throw new Error('redirect to the peer: no peer server');
        const location = new URL(
          url.pathname.replace(routePattern, `/s/${reply.redirect.route}`) + url.search,
          target.origin,
        );
        res.writeHead(reply.status ?? 307, { ...headers, Location: location.href }).end(finish);
        return;
      }
      const contentType = reply.contentType === undefined ? 'text/event-stream' : reply.contentType;
      if (contentType !== null)
        headers['Content-Type'] = typeof contentType === 'string' ? contentType : [...contentType];
      res.writeHead(reply.status ?? 200, headers);
      res.flushHeaders();
      const chunks = [...(reply.chunks ?? [])];
      const next = () => {
        if (res.destroyed) return;
        const chunk = chunks.shift();
        if (chunk !== undefined) {
          res.write(chunk);
          later(5, next);
          return;
        }
        if (reply.then === 'hold') return;
        if (reply.then === 'destroy') {
          later(reply.destroyAfter ?? 0, () => {
            finish();
            res.destroy();
          });
          return;
        }
        res.end(finish);
      };
      next();
    };
    if (reply.delay) later(reply.delay, go);
    else go();
  }

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = routePattern.exec(url.pathname);
    if (match) {
      const record: RecordedRequest = {
        run: url.searchParams.get('run') ?? '',
        route: match[1] ?? '',
        method: req.method ?? '',
        url: req.url ?? '',
        headers: [],
        at: Date.now(),
        endedAt: undefined,
      };
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        record.headers.push([(req.rawHeaders[i] ?? '').toLowerCase(), req.rawHeaders[i + 1] ?? '']);
      requests.push(record);
      // [fetch] A CORS preflight is an OPTIONS request; this server, like the
      // servers written for the native EventSource, does not answer it.
      if (req.method === 'OPTIONS') {
        res
          .writeHead(405, { 'Content-Type': 'text/plain' })
          .end('no preflight here', () => (record.endedAt = Date.now()));
        return;
      }
      try {
        answer(req, res, url, match[1] ?? '', record);
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
      return;
    }
    void serveStatic(url.pathname, res).then((served) => {
      if (!served) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const server: ScenarioServer = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    requestsOf: (run) => requests.filter((r) => r.run === run),
    peer: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        http.close(() => resolve());
      }),
  };
  return server;
}
