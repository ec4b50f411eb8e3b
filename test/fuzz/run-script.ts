/**
 * Plays one fuzz case: a server script on real sockets (script-server.ts)
 * against sources of the library driven by a virtual clock, with a random
 * caller acting from inside listeners, and records everything the checks
 * (check.ts) need. Time moves only when nothing else can happen: when the
 * source waits for a reconnect timer, or holds a silent stream whose every
 * byte it has read. So a run is the same on a loaded machine as on an idle one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  createMemoryStore,
  type LastEventIdStore,
  ResilientEventSource,
  type ResilientEventSourceInit,
} from '../../src/index.js';
import { createFileStore } from '../../src/node.js';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';
import { startScriptServer, type ScriptServer } from './script-server.js';
import { plan, type Plan } from './scripts.js';
import { mulberry32 } from '../helpers/random.js';

/** The event kinds a caller may act from. */
export const actionKinds = ['message', 'open', 'error', 'reconnecting', 'stats'] as const;
export type ActionKind = (typeof actionKinds)[number];

/** What the caller does. */
export interface Caller {
  /** From a listener of the `nth` event of `on` (counted over the first source), call this. */
  act?: { on: ActionKind; nth: number; call: 'close' | 'reconnect' } | undefined;
  /** Read the first source with `for await`, leaving the loop after `breakAfter` events. */
  loop?: { breakAfter: number } | undefined;
  /** How many times a new source is started on the same store once the last one closed (a process restart). */
  restarts: number;
  /** Wall clock steps, made when time next moves: [after how many moves, by how many ms]. */
  steps: [number, number][];
}

/** The options a case gives the sources (besides the clock, the random source and the store). */
export interface ClientOptions {
  dedupe: number | false;
  lastEventIdQuery: boolean;
  headersFunction: boolean;
  maxRetries: number;
  fileStore: boolean;
  post: boolean;
}

export interface Case {
  plans: Plan[];
  client: ClientOptions;
  caller: Caller;
}

/** One event as a listener (or the loop) of source `source` saw it, during attempt `during` (the index of the latest first-hop request). */
export type Seen = { source: number; during: number } & (
  | { kind: 'message'; type: string; data: string; lastEventId: string; stream: number }
  | { kind: 'open'; url: string }
  | { kind: 'error'; reason: string; status: number | undefined; readyState: number; message: string }
  | { kind: 'reconnecting'; attempt: number; delay: number; reason: string; at: number }
);

/** What the caller did, and right after which of the events seen. */
export interface Acted {
  source: number;
  call: 'close' | 'reconnect';
  /** Index in `seen` of the event whose listener acted (the last one recorded before the action). */
  after: number;
  on: ActionKind;
}

/** Where the caller cut a stream: after `delivered` messages of it (0: at its open), by close() or reconnect(). */
export interface Cut {
  stream: number;
  delivered: number;
}

/** What a run recorded. */
export interface Run {
  server: ScriptServer;
  seen: Seen[];
  cuts: Cut[];
  acted: Acted | undefined;
  /** The random numbers the sources drew, in order (one per backoff wait). */
  randoms: number[];
  /** For a loop: how many events the source had delivered when the loop was left. */
  deliveredAtBreak: number | undefined;
  /** Per source: the first-hop request index it started at. */
  sourceStarts: number[];
  /** Events seen after the source's close() returned: must stay empty. */
  afterClose: string[];
  /** What was left once everything closed. */
  leftover: { timers: number; openStreams: number };
  /** Wall-clock ms the virtual clock was stepped by, at each request index. */
  wallSteps: number;
  clock: FakeClock;
}

export const HEARTBEAT = 20_000;
export const BACKOFF = { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 0.5 };

/** A random case. */
export const fuzzCase = (options: { loopScripts?: boolean } = {}): fc.Arbitrary<Case> =>
  fc
    .record({
      plans: fc.array(plan(), { minLength: 1, maxLength: 6 }),
      client: fc.record({
        dedupe: fc.constantFrom(1000 as number | false, 3, false),
        lastEventIdQuery: fc.boolean(),
        headersFunction: fc.boolean(),
        maxRetries: fc.constantFrom(Infinity, Infinity, 4),
        fileStore: fc.boolean(),
        post: fc.constantFrom(false, false, false, false, true),
      }),
      caller: fc.record({
        act: fc.option(
          fc.record({
            on: fc.constantFrom(...actionKinds),
            nth: fc.integer({ min: 1, max: 4 }),
            call: fc.constantFrom('close' as const, 'reconnect' as const),
          }),
          { nil: undefined },
        ),
        loop:
          options.loopScripts === false
            ? fc.constant(undefined)
            : fc.option(fc.record({ breakAfter: fc.integer({ min: 1, max: 12 }) }), { freq: 4, nil: undefined }),
        restarts: fc.integer({ min: 0, max: 2 }),
        steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.constantFrom(-3_600_000, 3_600_000, -5_000)), {
          maxLength: 2,
        }),
      }),
    })
    .map((c) =>
      // A loop's position is exact only without id-only blocks and resets (a bare `id` line is one):
      // where the parser stands when the loop is left depends on how the bytes were cut (see
      // check.ts). A loop and a listener's action are not combined.
      c.caller.loop
        ? {
            ...c,
            caller: { ...c.caller, act: undefined },
            plans: c.plans.map((p) => ({
              ...p,
              items: p.items.filter(
                (i) =>
                  i.kind !== 'id-only' && i.kind !== 'reset' && !(i.kind === 'odd-lines' && i.lines.includes('id')),
              ),
            })),
          }
        : c,
    );

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Plays `c`; `seed` seeds the jitter. Throws when the run hangs (nothing can happen and the source is not closed). */
export async function runCase(c: Case, seed: number): Promise<Run> {
  const clock = createFakeClock(Date.UTC(2026, 11, 7), { monotonic: true });
  const server = await startScriptServer(c.plans, () => clock.monotonic?.() ?? 0);
  const dir = c.client.fileStore ? await mkdtemp(join(tmpdir(), 'res-es-fuzz-')) : undefined;
  const memory = createMemoryStore();
  /**
   * Store calls in flight. The source gives a store 5 s (virtual) to answer:
   * time must not move while real disk I/O is pending, or a write would seem
   * to hang.
   */
  let storeCalls = 0;
  const counted = <T>(call: Promise<T>): Promise<T> => {
    storeCalls++;
    return call.finally(() => storeCalls--);
  };
  const storeFor = (): LastEventIdStore => {
    const store = dir ? createFileStore(dir) : memory;
    return {
      get: (key) => counted(store.get(key)),
      set: (key, cursor) => counted(store.set(key, cursor)),
      delete: (key) => counted(store.delete(key)),
    };
  };
  const rng = mulberry32(seed);
  const run: Run = {
    server,
    seen: [],
    cuts: [],
    acted: undefined,
    randoms: [],
    deliveredAtBreak: undefined,
    sourceStarts: [],
    afterClose: [],
    leftover: { timers: 0, openStreams: 0 },
    wallSteps: 0,
    clock,
  };
  let es: ResilientEventSource | undefined;
  let baseBytes = 0;
  /**
   * The source waits on its reconnect timer: a `reconnecting` with a delay
   * came, and no attempt started since (`connectionAttempts` grows
   * synchronously when the timer fires).
   */
  let waitingOnTimer = false;
  let attemptsAtWait = 0;
  /** The attempt that opened last, and its stream; `undefined` once it is over (a `reconnecting` came). */
  let opened: { attempts: number; stream: number } | undefined;
  let loopDone: Promise<void> = Promise.resolve();
  let moves = 0;

  server.beforeDrop = async (stream) => {
    // The client must have every byte before the socket goes, or what it saw would depend on timing.
    const target = baseBytes + stream.bytes.length;
    for (let i = 0; i < 5000 && !stream.closed && (es?.stats.bytesReceived ?? 0) < target; i++) await tick();
  };

  const start = (index: number) => {
    let token = 0;
    const options: ResilientEventSourceInit = {
      clock,
      random: () => {
        const r = rng();
        run.randoms.push(r);
        return r;
      },
      store: storeFor(),
      heartbeatTimeout: HEARTBEAT,
      backoff: { ...BACKOFF, maxRetries: c.client.maxRetries },
      dedupe: c.client.dedupe,
      headers: c.client.headersFunction
        ? () => ({ Authorization: `Bearer t${++token}` })
        : { Authorization: 'Bearer static' },
      ...(c.client.lastEventIdQuery ? { lastEventIdQuery: 'lastEventId' } : {}),
      ...(c.client.post ? { method: 'POST', body: '{}' } : {}),
    };
    const source = new ResilientEventSource(server.streamUrl, options);
    es = source;
    baseBytes = 0;
    waitingOnTimer = false;
    opened = undefined;
    run.sourceStarts.push(server.received.filter((r) => r.hop === 'first').length);
    let closedByCaller = false;
    const looped = index === 0 && c.caller.loop !== undefined;
    const counts: Record<string, number> = {};
    const streamIndex = () => server.streams.length - 1;
    const during = () => server.received.filter((r) => r.hop === 'first').length - 1;
    const record = (entry: DistributiveOmit<Seen, 'source' | 'during'>) => {
      if (closedByCaller) run.afterClose.push(`${entry.kind} after close()`);
      run.seen.push({ ...entry, source: index, during: during() } as Seen);
    };
    /** Counts an event of `kind`; at the caller's, acts. `midStream`: a stream is open and its body not yet read on. */
    const observe = (kind: ActionKind, midStream: boolean) => {
      if (index !== 0 || c.caller.act?.on !== kind) return;
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (counts[kind] !== c.caller.act.nth) return;
      if (midStream && source.readyState === source.OPEN) {
        const stream = streamIndex();
        run.cuts.push({
          stream,
          delivered: run.seen.filter((e) => e.kind === 'message' && e.source === index && e.stream === stream).length,
        });
      }
      // Once CLOSED (a stats event after the end), neither call does anything: not an action to model.
      if (source.readyState !== source.CLOSED)
        run.acted = { source: index, call: c.caller.act.call, after: run.seen.length - 1, on: kind };
      if (c.caller.act.call === 'close') {
        closedByCaller = true;
        source.close();
      } else source.reconnect();
    };
    const message = (e: MessageEvent) =>
      record({
        kind: 'message',
        type: e.type,
        data: e.data as string,
        lastEventId: e.lastEventId,
        stream: streamIndex(),
      });
    /** A message to a listener (in loop mode, the loop records them instead). */
    const onMessage = (e: Event) => {
      if (looped || !(e instanceof MessageEvent)) return;
      message(e);
      observe('message', true);
    };
    for (const type of ['message', 'update']) source.addEventListener(type, onMessage);
    source.addEventListener('open', (e) => {
      if (e instanceof MessageEvent) return onMessage(e);
      baseBytes = source.stats.bytesReceived;
      opened = { attempts: source.stats.connectionAttempts, stream: streamIndex() };
      record({ kind: 'open', url: e.url });
      observe('open', true);
    });
    source.addEventListener('error', (e) => {
      if (e instanceof MessageEvent) return onMessage(e);
      record({ kind: 'error', reason: e.reason, status: e.status, readyState: source.readyState, message: e.message });
      // Reports outside an attempt's course (a failing store, an id that cannot be sent) are not acted on:
      // test/integration/listener-actions.test.ts covers them.
      if (e.reason !== 'store' && !e.message.startsWith('The last event id ')) observe('error', false);
    });
    source.addEventListener('reconnecting', (e) => {
      if (e instanceof MessageEvent) return onMessage(e);
      // After a failure the source waits on a timer, even of 0 ms; reconnect() and a wake connect at once.
      waitingOnTimer = e.reason !== 'requested' && e.reason !== 'wake';
      attemptsAtWait = source.stats.connectionAttempts;
      opened = undefined;
      record({
        kind: 'reconnecting',
        attempt: e.attempt,
        delay: e.delay,
        reason: e.reason,
        at: clock.monotonic?.() ?? 0,
      });
      observe('reconnecting', false);
    });
    source.addEventListener('stats', (e) => {
      if (e instanceof MessageEvent) return onMessage(e);
      observe('stats', source.readyState === source.OPEN);
    });
    if (index === 0 && c.caller.loop) {
      const { breakAfter } = c.caller.loop;
      loopDone = (async () => {
        let taken = 0;
        for await (const e of source) {
          message(e);
          if (++taken === breakAfter) {
            run.deliveredAtBreak = source.stats.eventsDelivered;
            break;
          }
        }
      })().catch(() => {});
    }
    return source;
  };

  /** Whether nothing can happen until time moves: the source waits on a timer, or holds a silent stream it has read whole. */
  const quiet = (): 'closed' | 'quiet' | undefined => {
    if (!es) return undefined;
    if (es.readyState === es.CLOSED) return 'closed';
    if (storeCalls > 0) return undefined;
    const { connectionAttempts, bytesReceived } = es.stats;
    if (waitingOnTimer && connectionAttempts === attemptsAtWait) return 'quiet';
    const stream = opened && opened.attempts === connectionAttempts ? server.streams[opened.stream] : undefined;
    const silent = stream && !stream.closed && stream.written && c.plans[stream.plan]?.ending === 'silence';
    if (silent && es.readyState === es.OPEN && bytesReceived === baseBytes + stream.bytes.length) return 'quiet';
    return undefined;
  };

  try {
    for (let source = 0; source <= c.caller.restarts; source++) {
      const current = start(source);
      for (;;) {
        let state = quiet();
        for (let i = 0; state === undefined; i++) {
          if (i > 10_000)
            throw new Error(
              `the run hangs: ${JSON.stringify({ readyState: current.readyState, waitingOnTimer, requests: server.received.length, streams: server.streams.map((s) => ({ plan: s.plan, written: s.written, closed: s.closed, bytes: s.bytes.length })), stats: current.stats, baseBytes, attemptsAtWait, opened, seen: run.seen.slice(-5), received: server.received.slice(-3) })}`,
            );
          await tick();
          state = quiet();
        }
        if (state === 'closed') break;
        for (const [at, ms] of c.caller.steps) {
          if (at === moves) {
            clock.stepWall(ms);
            run.wallSteps += ms;
          }
        }
        moves++;
        if (!clock.advanceToNext()) throw new Error('the run hangs: the source waits, and no timer is pending');
        // What the timer set off runs before the next look.
        await tick();
      }
      await current.closed;
      await loopDone;
      // Past the script's end, the server answers 204: no source to start.
      if (server.received.filter((r) => r.hop === 'first').length >= c.plans.length) break;
    }
    // Every stream the server wrote is closed by either side, and no timer is left.
    for (let i = 0; i < 5000 && server.streams.some((s) => !s.closed); i++) await tick();
    run.leftover = { timers: clock.pending, openStreams: server.streams.filter((s) => !s.closed).length };
    return run;
  } finally {
    es?.close();
    await server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
