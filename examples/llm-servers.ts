/**
 * Local servers that speak the wire formats of docs/llm-streams.md, for its
 * examples. Built on node:http; tests start them on 127.0.0.1, port 0, and
 * stop them after.
 *
 * - {@link startOpenAiServer}: OpenAI's Chat Completions with `stream: true`,
 *   as its API reference describes it: a POST, then unnamed events whose data
 *   is a `chat.completion.chunk` object (the role first, then the content
 *   piece by piece, then a chunk with `finish_reason`, and, with
 *   `stream_options: { include_usage: true }`, one with `usage` and no
 *   choices), then `data: [DONE]`, then the end of the body. A refused request
 *   is a JSON `{ "error": { message, type, param, code } }`.
 * - {@link startAnthropicServer}: Anthropic's Messages API with
 *   `stream: true`, as its "Streaming Messages" guide describes it: named
 *   events, each with the same `type` in its JSON data: `message_start`,
 *   `content_block_start`, `ping`, `content_block_delta` (`text_delta`),
 *   `content_block_stop`, `message_delta` (`stop_reason`, cumulative
 *   `usage`), `message_stop`; and `event: error` with
 *   `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
 *   when it fails after the stream began. A refused request is a JSON
 *   `{ "type": "error", "error": { type, message } }` (529 when overloaded).
 * - {@link startJobServer}: a job API of our own, for a stream that can be
 *   resumed: `POST /v1/jobs` starts a job, `GET /v1/jobs/:id/events` streams
 *   its answer as events with ids, resumes after `Last-Event-ID` (or
 *   `?starting_after=`), and answers 204 once the client has it all.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request one of the servers received. */
export interface LlmRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The status answered. */
  status: number;
}

/** What every server here has. */
export interface LocalServer {
  /** Like `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every request, oldest first. */
  readonly requests: LlmRequest[];
  /**
   * The next answer stream writes `frames` events and half of the next one,
   * then destroys its socket: a network drop in the middle of the answer.
   */
  dropAfter(frames: number): void;
  /** The next answer stream writes `frames` events, then nothing more, until `stop()`. */
  stallAfter(frames: number): void;
  /** Destroys every connection and stops listening. */
  stop(): Promise<void>;
}

/** How a handler answers. */
interface Reply {
  /** A JSON answer. */
  json(status: number, value: unknown, headers?: Record<string, string>): void;
  /** A 200 `text/event-stream` answer: `prelude` (a `retry:` line, say), then the event frames, then the end of the body. */
  stream(frames: string[], prelude?: string): void;
  /** An answer without a body. */
  empty(status: number): void;
}

type Handler = (req: IncomingMessage, body: string, reply: Reply) => void;

/** One event's frame; JSON data is written compact, on one line. */
export function frame(data: unknown, fields: { event?: string; id?: string } = {}): string {
  let text = '';
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  if (fields.event !== undefined) text += `event: ${fields.event}\n`;
  return `${text}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

async function start(handler: Handler): Promise<LocalServer> {
  const requests: LlmRequest[] = [];
  const sockets = new Set<Socket>();
  let drop: number | undefined;
  let stall: number | undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += String(chunk)));
    req.on('end', () => {
      const record: LlmRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        status: 200,
      };
      requests.push(record);
      handler(req, body, {
        json(status, value, headers = {}) {
          record.status = status;
          res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
        },
        empty(status) {
          record.status = status;
          res.writeHead(status).end();
        },
        stream(frames, prelude = '') {
          const cut = drop;
          const hold = stall;
          drop = undefined;
          stall = undefined;
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
          if (cut !== undefined && cut < frames.length) {
            const next = frames[cut] ?? '';
            res.write(prelude + frames.slice(0, cut).join('') + next.slice(0, Math.ceil(next.length / 2)));
            // Let what was written reach the client, then cut.
            setTimeout(() => res.socket?.destroy(), 5);
            return;
          }
          if (hold !== undefined && hold < frames.length) {
            res.write(prelude + frames.slice(0, hold).join(''));
            return;
          }
          res.end(prelude + frames.join(''));
        },
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    dropAfter: (frames) => void (drop = frames),
    stallAfter: (frames) => void (stall = frames),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The answer the servers give unless told another, token by token. */
export const answerTokens: readonly string[] = ['Hello', '!', ' How', ' can', ' I', ' help', '?'];

/** An OpenAI-style server; see the file's comment. */
export interface OpenAiServer extends LocalServer {
  /** The next `times` requests get 429 with `Retry-After: 0` and a rate-limit error. */
  rateLimitNext(times?: number): void;
}

/**
 * An OpenAI-style Chat Completions server: `POST /v1/chat/completions` with
 * `Authorization: Bearer <apiKey>` and `{ model, stream: true, messages }`.
 */
export async function startOpenAiServer(
  apiKey: string,
  answer = answerTokens,
  models: readonly string[] = ['gpt-4o-mini'],
): Promise<OpenAiServer> {
  let rateLimited = 0;
  let completions = 0;
  const local = await start((req, raw, reply) => {
    const error = (
      status: number,
      message: string,
      type: string,
      code: string | null,
      headers: Record<string, string> = {},
    ) => reply.json(status, { error: { message, type, param: null, code } }, headers);
    const key = /^Bearer (.*)$/.exec(req.headers.authorization ?? '')?.[1];
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
      return error(404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error', 'unknown_url');
    if (key !== apiKey)
      return error(401, `Incorrect API key provided: ${key ?? '(none)'}.`, 'invalid_request_error', 'invalid_api_key');
    const body = JSON.parse(raw || '{}') as {
      model?: string;
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    if (!models.includes(body.model ?? '')) {
      return error(
        404,
        `The model \`${body.model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    if (rateLimited > 0) {
      rateLimited--;
      return error(429, 'Rate limit reached for requests. Please try again in 0s.', 'requests', 'rate_limit_exceeded', {
        'retry-after': '0',
      });
    }
    completions++;
    const base = {
      id: `chatcmpl-${completions}`,
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: body.model,
    };
    const usage = body.stream_options?.include_usage ? { usage: null } : {};
    const chunk = (delta: object, finish: string | null) =>
      frame({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usage });
    const frames = [
      chunk({ role: 'assistant', content: '' }, null),
      ...answer.map((token) => chunk({ content: token }, null)),
      chunk({}, 'stop'),
    ];
    if (body.stream_options?.include_usage) {
      frames.push(
        frame({
          ...base,
          choices: [],
          usage: { prompt_tokens: 9, completion_tokens: answer.length, total_tokens: 9 + answer.length },
        }),
      );
    }
    frames.push(frame('[DONE]'));
    reply.stream(frames);
  });
  return Object.assign(local, { rateLimitNext: (times = 1) => void (rateLimited += times) });
}

/** An Anthropic-style server; see the file's comment. */
export interface AnthropicServer extends LocalServer {
  /** The next stream sends `deltas` text deltas, then `event: error` (overloaded_error), then ends. */
  failMidStream(deltas: number): void;
  /** The next `times` requests get 529 with an overloaded_error body. */
  overloadNext(times?: number): void;
}

/**
 * An Anthropic-style Messages server: `POST /v1/messages` with `x-api-key`,
 * `anthropic-version` and `{ model, max_tokens, stream: true, messages }`.
 */
export async function startAnthropicServer(apiKey: string, answer = answerTokens): Promise<AnthropicServer> {
  let failAfter: number | undefined;
  let overloaded = 0;
  let messages = 0;
  const local = await start((req, raw, reply) => {
    const error = (status: number, type: string, message: string) =>
      reply.json(status, { type: 'error', error: { type, message } });
    if (req.method !== 'POST' || req.url !== '/v1/messages') return error(404, 'not_found_error', 'Not found');
    if (req.headers['x-api-key'] !== apiKey) return error(401, 'authentication_error', 'invalid x-api-key');
    if (req.headers['anthropic-version'] === undefined)
      return error(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (overloaded > 0) {
      overloaded--;
      return error(529, 'overloaded_error', 'Overloaded');
    }
    const body = JSON.parse(raw || '{}') as { model?: string };
    messages++;
    const event = (type: string, data: object) => frame({ type, ...data }, { event: type });
    const deltas = answer.map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    );
    const start = [
      event('message_start', {
        message: {
          id: `msg_0${messages}`,
          type: 'message',
          role: 'assistant',
          content: [],
          model: body.model,
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 12, output_tokens: 1 },
        },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('ping', {}),
    ];
    const fail = failAfter;
    failAfter = undefined;
    if (fail !== undefined) {
      reply.stream([
        ...start,
        ...deltas.slice(0, fail),
        event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ]);
      return;
    }
    reply.stream([
      ...start,
      ...deltas,
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: answer.length },
      }),
      event('message_stop', {}),
    ]);
  });
  return Object.assign(local, {
    failMidStream: (deltas: number) => void (failAfter = deltas),
    overloadNext: (times = 1) => void (overloaded += times),
  });
}

/** A job server; see the file's comment. */
export interface JobServer extends LocalServer {
  /**
   * `exact` (the default): a reconnect gets what follows its `Last-Event-ID`.
   * `checkpoint`: it gets everything from the last checkpoint (every 4th
   * event) before that id, as servers that resume from a snapshot do: some
   * events come twice.
   */
  resume: 'exact' | 'checkpoint';
}

/** Every token of a job's answer is one `delta` event; then `done`. Ids are 1, 2, 3…; the `retry:` hint is 50 ms. */
export async function startJobServer(apiKey: string, answer = answerTokens): Promise<JobServer> {
  const jobs = new Map<string, string[]>();
  const local: JobServer = Object.assign(
    await start((req, _body, reply) => {
      if (req.headers.authorization !== `Bearer ${apiKey}`) return reply.json(401, { error: 'unauthorized' });
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname === '/v1/jobs') {
        const id = `job_${jobs.size + 1}`;
        jobs.set(id, [...answer]);
        return reply.json(201, { id, status: 'running' });
      }
      const match = /^\/v1\/jobs\/([\w-]+)\/events$/.exec(url.pathname);
      const tokens = match && jobs.get(match[1] ?? '');
      if (req.method !== 'GET' || !tokens) return reply.json(404, { error: 'no such job' });
      const events = [
        ...tokens.map((text) => ['delta', { text }] as const),
        ['done', { finish_reason: 'stop' }] as const,
      ];
      const cursor = req.headers['last-event-id'] ?? url.searchParams.get('starting_after') ?? '0';
      let after = Number(cursor) || 0;
      if (after >= events.length) {
        // The client has it all: 204 tells it not to come back.
        return reply.empty(204);
      }
      if (local.resume === 'checkpoint') after -= after % 4;
      const frames = events.slice(after).map(([event, data], i) => frame(data, { event, id: String(after + i + 1) }));
      // A GET stream ends once the answer is sent; the client's reconnect then gets the 204.
      reply.stream(frames, 'retry: 50\n\n');
    }),
    { resume: 'exact' as const },
  );
  return local;
}
