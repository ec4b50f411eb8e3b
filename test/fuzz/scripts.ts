/**
 * Random server scripts for the fuzzers (fast-check arbitraries): what the
 * server answers to each attempt, in order, and how it writes the bytes. The
 * Node fuzzer (test/fuzz/invariants.test.ts) plays them on real sockets with
 * random callers; the differential fuzzer (e2e/differential-fuzz.spec.ts)
 * plays the subset the native EventSource can be compared on.
 */
import fc from 'fast-check';

/** One piece of a stream body. Events of the server's log carry its ids; the rest is noise a server may send. */
export type Item =
  /** `count` new events, appended to the server's log (ids 1, 2, 3… across the whole run). */
  | { kind: 'new'; events: { type: string; data: string; idField: 'id: ' | 'id:' }[] }
  /** The last `count` events of the log again, with their ids (what a server does after a failover). */
  | { kind: 'replay'; count: number }
  /** An event without an `id:` field. */
  | { kind: 'noid'; type: string; data: string }
  /** An event whose id is not one of the log's (non-ASCII, or a control character that cannot be a header value). */
  | { kind: 'odd-id'; id: string; data: string }
  /** A comment line. */
  | { kind: 'comment'; text: string }
  /** A `retry:` field, valid or not. */
  | { kind: 'retry'; value: string }
  /** A block with only the log's last id. */
  | { kind: 'id-only' }
  /** An empty `id:` (a reset of the last event id), alone or with data. */
  | { kind: 'reset'; withData: boolean }
  /** Lines a parser must ignore or take apart carefully. */
  | { kind: 'odd-lines'; lines: string[] };

/** How a stream ends. */
export type Ending =
  /** The server ends the body. */
  | 'end'
  /** The server destroys the socket, after a partial event when `partial`. */
  | 'drop'
  /** The server sends nothing more and keeps the socket (a half-open connection): the heartbeat ends it. */
  | 'silence';

/** What the server answers to one attempt. */
export interface Plan {
  /** The stream's URL answers with this redirect first; the target (same or other origin) answers the rest. */
  redirect?: { status: 301 | 302 | 307 | 308; crossOrigin: boolean } | undefined;
  status: number;
  /** `Content-Type` header lines; `[]` sends none. */
  contentType: readonly string[];
  /** For 429 and 503. */
  retryAfter?: string | undefined;
  /** For a 200: the body. */
  items: Item[];
  ending: Ending;
  /** A partial event before a drop. */
  partial: boolean;
  /** BOMs at the start of the body: the first is the stream's, a second is data. */
  boms: 0 | 1 | 2;
  eol: '\n' | '\r' | '\r\n' | 'mixed';
  /** Where the body is cut into writes, as fractions of its length. */
  cuts: number[];
}

/** Event types, ours among them (the native EventSource dispatches any name the server gives). */
export const eventTypes = ['', 'message', 'update', 'error', 'open', 'stats', 'reconnecting'] as const;

const text = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', ':', 'é', '€', '😀', '\u2028', '\0', '\uFEFF', '{', '"'),
  maxLength: 8,
});
const data = fc.array(text, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));
const type = fc.constantFrom(...eventTypes);

const item: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('new' as const),
      events: fc.array(fc.record({ type, data, idField: fc.constantFrom('id: ' as const, 'id:' as const) }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('noid' as const), type, data }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('odd-id' as const),
      id: fc.constantFrom('é7', 'a b', 'x\u0001y', '\t9'),
      data,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('comment' as const), text }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('retry' as const),
      value: fc.constantFrom('0', '50', '2500', '12x', ' 100', ''),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('id-only' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const), withData: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('odd-lines' as const),
      lines: fc.array(
        fc.constantFrom(
          'Data: ignored',
          'event',
          'data',
          'retry',
          'id',
          ':',
          'data:  two spaces',
          'foo: bar',
          'event:update',
          'data:x',
        ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
);

/** A Content-Type that makes a 200 an event stream, and some that do not. */
const streamType = fc.constantFrom(
  ['text/event-stream'],
  ['text/event-stream; charset=utf-8'],
  ['TEXT/Event-Stream'],
  ['text/event-stream', 'text/event-stream'],
);
const wrongType = fc.constantFrom(['text/html'], [], ['text/event-stream', 'text/plain'], ['application/json']);

const body = {
  items: fc.array(item, { minLength: 0, maxLength: 6 }),
  boms: fc.constantFrom(0 as const, 0 as const, 0 as const, 1 as const, 2 as const),
  eol: fc.constantFrom('\n' as const, '\r' as const, '\r\n' as const, 'mixed' as const),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
  partial: fc.boolean(),
};

/** A 200 event stream. `endings` limits how it may end. */
export const streamPlan = (endings: readonly Ending[] = ['end', 'drop', 'silence']): fc.Arbitrary<Plan> =>
  fc.record({ status: fc.constant(200), contentType: streamType, ending: fc.constantFrom(...endings), ...body });

/** Any answer: mostly streams, and every status the contract names. */
export const plan = (
  options: { endings?: readonly Ending[]; statuses?: readonly number[]; redirects?: boolean } = {},
): fc.Arbitrary<Plan> => {
  const statuses = options.statuses ?? [204, 401, 404, 408, 414, 429, 431, 500, 503];
  const other: fc.Arbitrary<Plan> = fc.record({
    status: fc.constantFrom(...statuses),
    contentType: fc.constant(['text/plain']),
    retryAfter: fc.constantFrom(undefined, '0', '2', 'garbage', 'Wed, 21 Oct 2015 07:28:00 GMT'),
    ending: fc.constant('end' as const),
    ...body,
    items: fc.constant([]),
  });
  const wrong: fc.Arbitrary<Plan> = fc.record({
    status: fc.constant(200),
    contentType: wrongType,
    ending: fc.constant('end' as const),
    ...body,
  });
  const answer = fc.oneof(
    { weight: 7, arbitrary: streamPlan(options.endings) },
    { weight: statuses.length > 0 ? 3 : 0, arbitrary: other },
    { weight: 1, arbitrary: wrong },
  );
  if (options.redirects === false) return answer;
  const redirect = fc.option(
    fc.record({
      status: fc.constantFrom(301 as const, 302 as const, 307 as const, 308 as const),
      crossOrigin: fc.boolean(),
    }),
    { freq: 6, nil: undefined },
  );
  return fc.tuple(answer, redirect).map(([p, r]) => ({ ...p, redirect: r }));
};

/** A server's log of events, as the script plays: ids 1, 2, 3… */
export interface LogEvent {
  id: string;
  type: string;
  data: string;
}

/** Line endings of one line. */
const endOf = (eol: Plan['eol'], i: number) => (eol === 'mixed' ? (['\n', '\r', '\r\n'] as const)[i % 3] : eol);

/**
 * The body of a stream plan as text, given the events the server replays
 * first (`backlog`: the log after the client's cursor) and the log, which
 * `new` items extend.
 */
export function renderBody(p: Plan, backlog: readonly LogEvent[], log: LogEvent[]): string {
  let out = '\uFEFF'.repeat(p.boms);
  let line = 0;
  const put = (l: string) => {
    out += l + endOf(p.eol, line++);
  };
  const event = (e: { type: string; data: string }, id: string | undefined, idField = 'id: ') => {
    if (id !== undefined) put(`${idField}${id}`);
    if (e.type !== '') put(`event: ${e.type}`);
    for (const d of e.data.split('\n')) put(`data: ${d}`);
    put('');
  };
  for (const e of backlog) event(e, e.id);
  for (const it of p.items) {
    switch (it.kind) {
      case 'new':
        for (const e of it.events) {
          const logged = { id: String(log.length + 1), type: e.type, data: e.data };
          log.push(logged);
          event(logged, logged.id, e.idField);
        }
        break;
      case 'replay':
        for (const e of log.slice(-it.count)) event(e, e.id);
        break;
      case 'noid':
        event(it, undefined);
        break;
      case 'odd-id':
        event({ type: '', data: it.data }, it.id);
        break;
      case 'comment':
        put(`:${it.text.replaceAll('\n', ' ')}`);
        break;
      case 'retry':
        put(`retry: ${it.value}`);
        break;
      case 'id-only': {
        const last = log.at(-1);
        if (last) {
          put(`id: ${last.id}`);
          put('');
        }
        break;
      }
      case 'reset':
        put('id');
        if (it.withData) put('data: reset');
        put('');
        break;
      case 'odd-lines':
        for (const l of it.lines) put(l);
        put('');
        break;
    }
  }
  if (p.ending === 'drop' && p.partial) put('data: cut before its end');
  return out;
}

/** `bytes` cut at the plan's fractions (anywhere, inside a UTF-8 sequence too). */
export function chunksOf(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))]
    .filter((n) => n > 0 && n < bytes.length)
    .sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const n of [...at, bytes.length]) {
    if (n > from) chunks.push(bytes.subarray(from, n));
    from = n;
  }
  return chunks;
}
