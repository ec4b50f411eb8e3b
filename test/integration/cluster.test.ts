/**
 * The cluster proof, with real parts: redis-server (append-only file on),
 * three instances of the reference server in cluster mode (child processes),
 * nginx round-robin in front, and 200 clients of this library reading through
 * nginx while 20,000 events are published at about 2,000/s. Meanwhile a
 * rolling deploy restarts every instance (SIGTERM), one instance is killed
 * (SIGKILL), and Redis restarts. Every client must get every event exactly
 * once, in order. The reconnect storm of each step (stream requests per
 * second at the instances) and the time until every client is back are
 * written to test-results/cluster.json.
 *
 * Needs Debian's redis-server and nginx (`.ci/run` installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterServer, type ClusterServer } from '../../server/cluster/cluster-server.js';
import {
  instance,
  missingBinaries,
  startNginx,
  startRedis,
  type InstanceProcess,
  type NginxProcess,
  type RedisProcess,
} from '../../server/cluster/processes.js';
import { createMemoryStore, ResilientEventSource, StreamErrorEvent } from '../../src/index.js';
import { next, ours } from '../helpers/events.js';

const CLIENTS = 200;
const EVENTS = 20_000;
// A sequential publisher: one batch in flight at a time, so each batch's ids
// are known in advance (batch b gets b·BATCH+1 …) and a retry that appended
// twice would show. 50 events every 25 ms ≈ 2,000 events/s; a late batch
// goes at once, so the rate catches up after a stall.
const BATCH = 50;
const BATCH_EVERY = 25;
const HEARTBEAT = 1000;
/** Several heartbeats: a loaded machine may delay one. */
const HEARTBEAT_TIMEOUT = 6 * HEARTBEAT;
const RETRY = 250;
/** nginx's read timeout, above the heartbeat. */
const READ_TIMEOUT = 10 * HEARTBEAT;

const missing = missingBinaries();
const dataOf = (id: number) => `b${Math.floor((id - 1) / BATCH)}.${(id - 1) % BATCH}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let redis: RedisProcess | undefined;
let nginx: NginxProcess | undefined;
const instances: InstanceProcess[] = [];
let inProcess: ClusterServer | undefined;
let publisherProcess: ChildProcess | undefined;
const sources: ResilientEventSource[] = [];

beforeAll(async () => {
  if (missing) throw new Error(`the cluster test needs ${missing}`);
  // tmpfs when there is one: Redis fsyncs every write (appendfsync always),
  // which costs ~10 ms on this VM's disk; the test restarts the Redis
  // process, not the machine, so what is in tmpfs survives it.
  dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sse-cluster-'));
  redis = await startRedis(join(dir, 'redis'));
});

afterAll(async () => {
  for (const s of sources) s.close();
  publisherProcess?.kill('SIGKILL');
  await inProcess?.drain().catch(() => {});
  await Promise.all(instances.map((i) => i.stop('SIGKILL')));
  await nginx?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

interface ClientLog {
  es: ResilientEventSource;
  /** Ids received, in order. */
  ids: Int32Array;
  count: number;
  wrongData: number;
  resyncs: number;
  lastOpen: number;
  lastError: number;
  opens: number[];
  errors: number[];
  /** The reason of each error, in the same order. */
  reasons: string[];
}

describe('the replay window', () => {
  it('a cursor older than the trimmed window gets `resync`, then the oldest kept events; never a silent gap', async () => {
    if (!redis) throw new Error('no redis');
    // MAXLEN ~ trims whole nodes of 100 entries: keep ~100 of 1,000.
    inProcess = await createClusterServer({
      redis: redis.url,
      stream: 'window-test',
      maxLength: 100,
      retry: 0,
      heartbeatInterval: 0,
    });
    const items = Array.from({ length: 100 }, (_, i) => `e${i}`);
    for (let i = 0; i < 10; i++) await inProcess.log.append(items);
    const oldest = (await inProcess.log.after(0, 1))[0]?.seq ?? 0;
    expect(oldest).toBeGreaterThan(2);

    // A client that last saw id 1, long trimmed away.
    const store = createMemoryStore();
    const url = `${inProcess.url}/stream`;
    await store.set(url, { lastEventId: '1', recentIds: ['1'] });
    const es = new ResilientEventSource(url, { store });
    sources.push(es);
    // Both arrive in one chunk: listen for both before either fires.
    const [resync, first] = await Promise.all([
      next<MessageEvent<string>>(es, 'resync'),
      next<MessageEvent<string>>(es, 'message'),
    ]);
    expect(JSON.parse(resync.data)).toEqual({ lastEventId: '1', oldest });
    expect(first.lastEventId).toBe(String(oldest));
    es.close();

    // A publish retried with its key appends nothing the second time.
    const once = await inProcess.log.append(['x'], { key: 'same' });
    const again = await inProcess.log.append(['x'], { key: 'same' });
    expect(again).toEqual(once);
    expect(await inProcess.log.lastId()).toBe(once.first);
    await inProcess.drain();
    inProcess = undefined;
  });
});

describe('a cluster behind nginx', () => {
  it(`${CLIENTS} clients × ${EVENTS.toLocaleString('en')} events exactly once, in order, through a rolling deploy, a SIGKILL and a Redis restart`, async () => {
    if (!redis) throw new Error('no redis');
    const r = redis;
    const stream = `cluster-${Date.now()}`;
    for (let i = 0; i < 3; i++)
      instances.push(await instance({ redis: r.url, stream, retry: RETRY, heartbeat: HEARTBEAT }));
    await Promise.all(instances.map((i) => i.start()));
    nginx = await startNginx(
      join(dir, 'nginx'),
      instances.map((i) => i.port),
      READ_TIMEOUT,
    );
    const started = Date.now();

    // --- the clients
    const clients: ClientLog[] = [];
    for (let n = 0; n < CLIENTS; n++) {
      const es = new ResilientEventSource(`${nginx.url}/stream?client=${n}`, {
        store: false,
        heartbeatTimeout: HEARTBEAT_TIMEOUT,
        backoff: { initialDelay: RETRY, maxDelay: 2000 },
      });
      sources.push(es);
      const c: ClientLog = {
        es,
        ids: new Int32Array(EVENTS + 100),
        count: 0,
        wrongData: 0,
        resyncs: 0,
        lastOpen: 0,
        lastError: 0,
        opens: [],
        errors: [],
        reasons: [],
      };
      es.addEventListener('message', (event) => {
        const e = event as MessageEvent<string>;
        const id = Number(e.lastEventId);
        if (c.count < c.ids.length) c.ids[c.count] = id;
        c.count++;
        if (e.data !== dataOf(id)) c.wrongData++;
      });
      es.addEventListener('resync', () => c.resyncs++);
      es.addEventListener('open', () => c.opens.push((c.lastOpen = Date.now())));
      es.addEventListener(
        'error',
        ours(StreamErrorEvent, (e) => {
          c.errors.push((c.lastError = Date.now()));
          c.reasons.push(e.reason);
        }),
      );
      clients.push(c);
    }
    const allOpen = () => clients.every((c) => c.es.readyState === c.es.OPEN && c.lastOpen > c.lastError);
    await waitUntil('every client open', 30_000, allOpen);
    const connectedIn = Date.now() - started;

    // --- the publisher (test/fixtures/cluster-publisher.ts), in its own process.
    let acknowledged = 0;
    let summary: { firstIds: number[]; retries: number; ms: number } | undefined;
    const publishStart = Date.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '..', 'fixtures', 'cluster-publisher.ts'),
        nginx.url,
        String(EVENTS),
        String(BATCH),
        String(BATCH_EVERY),
        stream,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    publisherProcess = child;
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + String(chunk)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ack ')) acknowledged = Math.max(acknowledged, Number(line.slice(4)));
        else if (line.startsWith('{')) summary = JSON.parse(line) as typeof summary;
      }
    });
    const publisher = new Promise<void>((resolve, reject) =>
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the publisher exited with ${code}`)))),
    );

    // --- the disruptions, one after the other while the events flow. A step
    // waits for what a deploy waits for (the restarted instance listens), not
    // for the clients: their recovery is measured from their own events.
    interface Step {
      name: string;
      /** Ms after the publisher started. */
      at: number;
      /** The step's own work (stop, start until it listens) took this long. */
      stepMs: number;
      /** Events acknowledged when the step began. */
      publishedBefore: number;
      /** Clients whose stream was cut during the step. */
      clientsCut: number;
      /** Until every client that was cut had a stream open again. */
      allBackMs: number;
      /** Until every client had every event acknowledged when the step's work ended. */
      caughtUpMs: number;
      /** Stream requests at the instances: the most within any 1 s, and in all, during the step. */
      peakPerSecond: number;
      /** The same within any 100 ms: how much the jitter spreads the storm. */
      peakPer100ms: number;
      requests: number;
      refused503: number;
      /** The 503s by cause. */
      refusedBecause: Record<string, number>;
      /** How the clients noticed the cut: error reasons and their counts. */
      reasons: Record<string, number>;
    }
    const steps: Step[] = [];
    const watchers: Promise<void>[] = [];
    const lastId = (c: ClientLog) => (c.count === 0 ? 0 : (c.ids[Math.min(c.count, c.ids.length) - 1] ?? 0));
    const step = async (name: string, act: () => Promise<void>) => {
      const at = Date.now();
      const s: Step = {
        name,
        at: at - publishStart,
        stepMs: 0,
        publishedBefore: acknowledged,
        clientsCut: 0,
        allBackMs: 0,
        caughtUpMs: 0,
        peakPerSecond: 0,
        peakPer100ms: 0,
        requests: 0,
        refused503: 0,
        refusedBecause: {},
        reasons: {},
      };
      steps.push(s);
      await act();
      s.stepMs = Date.now() - at;
      const target = acknowledged;
      watchers.push(
        waitUntil(`${name}: every client has id ${target}`, 60_000, () =>
          clients.every((c) => lastId(c) >= target),
        ).then(() => {
          s.caughtUpMs = Date.now() - at;
        }),
      );
    };
    await waitUntil('the first publish', 30_000, () => acknowledged > 0);
    await sleep(500);
    await step('rolling deploy: SIGTERM instance 1, start it again', async () => {
      await instances[0]?.stop('SIGTERM');
      await instances[0]?.start();
    });
    await step('rolling deploy: SIGTERM instance 2, start it again', async () => {
      await instances[1]?.stop('SIGTERM');
      await instances[1]?.start();
    });
    await step('restart Redis (SIGTERM, AOF on)', () => r.restart());
    await step('rolling deploy: SIGTERM instance 3, start it again', async () => {
      await instances[2]?.stop('SIGTERM');
      await instances[2]?.start();
    });
    await step('SIGKILL instance 1, start it again', async () => {
      await instances[0]?.stop('SIGKILL');
      await instances[0]?.start();
    });
    const stepsDoneAt = Date.now();
    const publishingDuringSteps = acknowledged < EVENTS;

    await publisher;
    const publishMs = summary?.ms ?? Number.NaN;
    await waitUntil('every client has every event', 60_000, () => clients.every((c) => c.count >= EVENTS));
    const allDeliveredAt = Date.now();
    await Promise.all(watchers);
    await waitUntil('every client open', 30_000, allOpen);
    await sleep(3 * RETRY); // room for a stray duplicate to show up
    for (const s of sources) s.close();

    // --- the storms: stream requests at the instances, per sliding second
    const requests = instances.flatMap((i) => i.requests).sort((a, b) => a.t - b.t);
    for (const [k, s] of steps.entries()) {
      const from = publishStart + s.at;
      const to = k + 1 < steps.length ? publishStart + (steps[k + 1]?.at ?? 0) : stepsDoneAt + 1000;
      const inStep = requests.filter((q) => q.t >= from && q.t < to);
      s.requests = inStep.length;
      s.refused503 = inStep.filter((q) => q.status === 503).length;
      for (const q of inStep)
        if (q.status === 503) s.refusedBecause[q.why ?? '?'] = (s.refusedBecause[q.why ?? '?'] ?? 0) + 1;
      // Cut: an error during the step; back: the first open after that error.
      let cut = 0;
      for (const c of clients) {
        const at = c.errors.findIndex((t) => t >= from && t < to);
        const error = c.errors[at];
        if (error === undefined) continue;
        cut++;
        const reason = c.reasons[at] ?? '?';
        s.reasons[reason] = (s.reasons[reason] ?? 0) + 1;
        const back = c.opens.find((t) => t > error) ?? Number.POSITIVE_INFINITY;
        s.allBackMs = Math.max(s.allBackMs, back - from);
      }
      s.clientsCut = cut;
      s.peakPerSecond = peakWithin(inStep, 1000);
      s.peakPer100ms = peakWithin(inStep, 100);
    }

    // --- exactly once, in order, with the right data
    const bad: string[] = [];
    for (const [n, c] of clients.entries()) {
      if (c.count !== EVENTS) bad.push(`client ${n}: ${c.count} events`);
      else {
        for (let i = 0; i < EVENTS; i++) {
          if (c.ids[i] !== i + 1) {
            bad.push(`client ${n}: event #${i + 1} has id ${c.ids[i]}`);
            break;
          }
        }
      }
      if (c.wrongData) bad.push(`client ${n}: ${c.wrongData} events with the wrong data`);
      if (c.resyncs) bad.push(`client ${n}: ${c.resyncs} resyncs`);
    }
    const duplicatesSuppressed = clients.reduce((sum, c) => sum + c.es.stats.duplicatesSuppressed, 0);
    const reconnects = clients.reduce((sum, c) => sum + c.es.stats.reconnects, 0);

    const results = {
      clients: CLIENTS,
      events: EVENTS,
      exactlyOnce: bad.length === 0,
      publishMs,
      publishRate: Math.round((EVENTS / publishMs) * 1000),
      publishRetries: summary?.retries,
      publishingDuringSteps,
      stepsEndedAtMs: stepsDoneAt - publishStart,
      lastEventAtEveryClientMs: allDeliveredAt - publishStart,
      connectedInMs: connectedIn,
      reconnects,
      duplicatesSuppressedByClients: duplicatesSuppressed,
      steps,
      wallMs: Date.now() - started,
      settings: {
        heartbeat: HEARTBEAT,
        heartbeatTimeout: HEARTBEAT_TIMEOUT,
        retry: RETRY,
        jitter: 'default (0.5)',
        nginxReadTimeout: READ_TIMEOUT,
      },
    };
    mkdirSync('test-results', { recursive: true });
    writeFileSync(join('test-results', 'cluster.json'), `${JSON.stringify(results, null, 2)}\n`);

    expect(bad.slice(0, 10)).toEqual([]);
    // The publisher's retries appended nothing twice: batch b got ids b·20+1 … b·20+20.
    expect(summary?.firstIds).toEqual(Array.from({ length: EVENTS / BATCH }, (_, b) => b * BATCH + 1));
    // Each instance stop cut streams, and every client came back after each.
    expect(steps.filter((s) => !s.name.includes('Redis')).map((s) => s.clientsCut > 0)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(steps.every((s) => Number.isFinite(s.allBackMs))).toBe(true);
    // The server side alone gives exactly once: nothing reached a client twice.
    expect(duplicatesSuppressed).toBe(0);
  }, 150_000);
});

/** The most entries of `sorted` (by `t`) within any window of `ms`. */
function peakWithin(sorted: { t: number }[], ms: number): number {
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi]?.t ?? 0) - (sorted[lo]?.t ?? 0) >= ms) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

async function waitUntil(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}
