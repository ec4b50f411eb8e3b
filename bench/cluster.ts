/**
 * Fan-out cost at the instances of the cluster (server/cluster): the same
 * clients behind nginx, served by one instance, then by three. Events are
 * appended straight to Redis as fast as the instances take them; the clients
 * are plain sockets that only count frames, so the bench measures the
 * servers, not the clients. Per setup: deliveries (events × clients) per
 * second, and the CPU the instances and nginx spent per 100,000 deliveries
 * (from /proc). Prints one JSON line; `{ "skipped": why }` without
 * redis-server or nginx.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  instance,
  missingBinaries,
  startNginx,
  startRedis,
  type InstanceProcess,
} from '../server/cluster/processes.js';
import { RedisLog } from '../server/cluster/redis-log.js';

const quick = process.argv.includes('--quick');
const CLIENTS = quick ? 50 : 200;
const EVENTS = quick ? 2_000 : 10_000;
const BATCH = 100;
const DATA = JSON.stringify({ price: 101.25, symbol: 'ABCD', note: 'x'.repeat(40) });

const missing = missingBinaries();
if (missing) {
  process.stdout.write(`${JSON.stringify({ skipped: missing })}\n`);
  process.exit(0);
}

/** utime + stime of a process and its children that it waited for, in ms. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // Fields after the name: state is [0], utime [11], stime [12], cutime [13], cstime [14].
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i] ?? 0), 0);
    // Clock ticks are 1/100 s on Linux (CLK_TCK).
    return (ticks * 1000) / 100;
  } catch {
    return 0;
  }
}

const cpuOf = (pids: (number | undefined)[]) => pids.reduce<number>((total, pid) => total + cpuMs(pid), 0);

/** The pids of a process's children (nginx's worker). */
function children(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A client that counts `id:` lines and nothing else. */
function counter(url: string) {
  const c = { frames: 0, open: false, close: () => {} };
  const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
    c.open = true;
    let tail = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const text = tail + chunk;
      let at = text.indexOf('\nid: ');
      while (at !== -1) {
        c.frames++;
        at = text.indexOf('\nid: ', at + 1);
      }
      tail = text.slice(-5);
    });
  });
  req.on('error', () => {});
  req.end();
  c.close = () => req.destroy();
  return c;
}

const waitFor = async (check: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const dir = mkdtempSync(join(tmpdir(), 'sse-bench-cluster-'));
const redis = await startRedis(join(dir, 'redis'));
const rows: {
  instances: number;
  clients: number;
  events: number;
  ms: number;
  deliveriesPerSecond: number;
  instanceCpuMsPer100k: number;
  nginxCpuMsPer100k: number;
}[] = [];
try {
  for (const n of [1, 3]) {
    const stream = `bench-${n}-${Date.now()}`;
    const instances: InstanceProcess[] = [];
    for (let i = 0; i < n; i++)
      instances.push(await instance({ redis: redis.url, stream, retry: 1000, heartbeat: 15_000 }));
    await Promise.all(instances.map((i) => i.start()));
    const nginx = await startNginx(
      join(dir, `nginx-${n}`),
      instances.map((i) => i.port),
      60_000,
    );
    const log = new RedisLog({ url: redis.url, stream });
    await log.open();
    const clients = Array.from({ length: CLIENTS }, () => counter(`${nginx.url}/stream`));
    try {
      await waitFor(
        () => clients.every((c) => c.open) && instances.reduce((k, i) => k + i.requests.length, 0) >= CLIENTS,
        30_000,
        'clients connected',
      );
      const pids = instances.map((i) => i.pid);
      const nginxPids = [nginx.pid, ...children(nginx.pid)];
      const cpu0 = cpuOf(pids);
      const ng0 = cpuOf(nginxPids);
      const t0 = Date.now();
      const items = Array.from({ length: BATCH }, () => DATA);
      // Appends run ahead of the fan-out, but never more than 10 batches.
      for (let sent = 0; sent < EVENTS; sent += BATCH) {
        await log.append(items);
        await waitFor(() => Math.min(...clients.map((c) => c.frames)) >= sent - 10 * BATCH, 60_000, 'fan-out');
      }
      await waitFor(() => clients.every((c) => c.frames >= EVENTS), 120_000, 'every client has every event');
      const ms = Date.now() - t0;
      const deliveries = CLIENTS * EVENTS;
      rows.push({
        instances: n,
        clients: CLIENTS,
        events: EVENTS,
        ms,
        deliveriesPerSecond: (deliveries / ms) * 1000,
        instanceCpuMsPer100k: ((cpuOf(pids) - cpu0) / deliveries) * 100_000,
        nginxCpuMsPer100k: ((cpuOf(nginxPids) - ng0) / deliveries) * 100_000,
      });
    } finally {
      for (const c of clients) c.close();
      await log.close();
      await nginx.stop();
      await Promise.all(instances.map((i) => i.stop('SIGTERM')));
    }
  }
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
