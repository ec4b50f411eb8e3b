/**
 * The package in every server-side runtime our users run: Node 18, 20, 22, 24
 * and 26, Deno 2 and Bun, each a real process (test/runtimes/client.mjs) against
 * the reference server in this Node 20 process. Each imports the package as
 * its users do, from a consumer project whose node_modules links to this
 * checkout's built dist/: ESM and CJS in Node and Bun, `npm:` in Deno.
 *
 * The binaries come from npm (test/runtimes/package.json; `npm run
 * install:runtimes`); Node 20 is the one running this test.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSseServer, type SseServer } from '../../server/sse-server.js';

const root = join(import.meta.dirname, '..', '..');
const bins = join(root, 'test', 'runtimes', 'node_modules');

interface Runtime {
  name: string;
  /** The version the binary must report, so a wrong binary cannot pass unnoticed. */
  version: RegExp;
  binary: string;
  /** How to run one entry file. */
  args: (entry: string) => string[];
  /** The entry files: how this runtime's users import the package. */
  entries: string[];
}

const nodeRuntime = (major: number, binary: string): Runtime => ({
  name: `node ${major}`,
  version: new RegExp(`^node ${major}\\.`),
  binary,
  args: (entry) => [entry],
  entries: ['esm.mjs', 'cjs.cjs'],
});

const runtimes: Runtime[] = [
  nodeRuntime(18, join(bins, 'node18', 'bin', 'node')),
  nodeRuntime(20, process.execPath),
  nodeRuntime(22, join(bins, 'node22', 'bin', 'node')),
  nodeRuntime(24, join(bins, 'node24', 'bin', 'node')),
  nodeRuntime(26, join(bins, 'node26', 'bin', 'node')),
  {
    name: 'deno',
    version: /^deno 2\./,
    binary: join(bins, '@deno', 'linux-x64-glibc', 'deno'),
    // manual: npm: specifiers resolve from the consumer's node_modules (no
    // download). -A: the net, env and fs access the client needs (users
    // grant these with finer flags; which ones is not what is tested here).
    args: (entry) => ['run', '-A', '--node-modules-dir=manual', entry],
    entries: ['deno.mjs'],
  },
  {
    name: 'bun',
    version: /^bun 1\./,
    binary: join(bins, '@oven', 'bun-linux-x64', 'bin', 'bun'),
    // --no-install: never fetch a missing package at run time.
    args: (entry) => ['--no-install', entry],
    entries: ['esm.mjs', 'cjs.cjs'],
  },
];

type Line =
  | { t: 'ready'; how: string; runtime: string }
  | { t: 'open' }
  | { t: 'message'; id: string; data: string }
  | { t: 'error'; reason: string; readyState: number }
  | { t: 'reconnecting'; attempt: number; delay: number; reason: string }
  | { t: 'closed' };

/** One client process and what it has printed. */
interface Client {
  lines: Line[];
  ids(): string[];
  errors(): string[];
  /** Resolves once `test(lines)` holds (checked on every line); rejects after `ms` with what was seen. */
  until(test: (lines: Line[]) => boolean, what: string, ms?: number): Promise<void>;
  /** Closes the source, waits for its cursor to be saved and for a clean exit. */
  close(): Promise<void>;
}

let consumer: string;
const children = new Set<ChildProcessWithoutNullStreams>();

beforeAll(async () => {
  const missing = runtimes.filter((r) => !existsSync(r.binary)).map((r) => r.name);
  if (missing.length > 0)
    throw new Error(`runtimes not installed (${missing.join(', ')}): run \`npm run install:runtimes\``);
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  // A consumer project: its own package.json, the package in node_modules.
  consumer = await mkdtemp(join(tmpdir(), 'runtimes-'));
  await mkdir(join(consumer, 'node_modules'));
  await symlink(root, join(consumer, 'node_modules', 'resilient-eventsource'), 'dir');
  await writeFile(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'resilient-eventsource': '*' } }),
  );
  for (const file of ['client.mjs', 'esm.mjs', 'cjs.cjs', 'deno.mjs'])
    await copyFile(join(root, 'test', 'runtimes', file), join(consumer, file));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(consumer, { recursive: true, force: true });
});

function start(
  runtime: Runtime,
  entry: string,
  options: { url: string; heartbeatTimeout?: number; storeDir?: string },
): Client {
  const child = spawn(runtime.binary, [...runtime.args(entry), JSON.stringify(options)], {
    cwd: consumer,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(consumer, '.deno'), NO_COLOR: '1' },
  });
  children.add(child);
  const lines: Line[] = [];
  let stderr = '';
  let buffer = '';
  const checks = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += String(chunk);
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Line);
    for (const check of checks) check();
  });
  const until: Client['until'] = (test, what, ms = 20_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        checks.delete(check);
        reject(
          new Error(
            `${runtime.name} ${entry}: no ${what} within ${ms} ms; printed ${JSON.stringify(lines)}; stderr ${stderr}`,
          ),
        );
      }, ms);
      const check = () => {
        if (!test(lines)) return;
        clearTimeout(timer);
        checks.delete(check);
        resolve();
      };
      checks.add(check);
      check();
    });
  return {
    lines,
    ids: () => lines.flatMap((l) => (l.t === 'message' ? [l.id] : [])),
    errors: () => lines.flatMap((l) => (l.t === 'error' ? [l.reason] : [])),
    until,
    async close() {
      child.stdin.write('close\n');
      await until((ls) => ls.some((l) => l.t === 'closed'), 'closed');
      expect(await exited).toBe(0);
    },
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const count = (n: number) => (lines: Line[]) => lines.filter((l) => l.t === 'message').length >= n;

describe.each(runtimes)('$name', (runtime) => {
  let server: SseServer;
  beforeAll(async () => {
    server = await createSseServer({ retry: 50, heartbeatInterval: 0 });
  });
  afterAll(() => server.close());

  /** A fresh server per test, so its requests and events are that test's alone. */
  const fresh = async (heartbeatInterval = 0) => {
    await server.close();
    server = await createSseServer({ retry: 50, heartbeatInterval });
    return server;
  };

  it.each(runtime.entries)(
    'imports the package (%s) and streams across socket drops, once mid-event: every event once, in order',
    async (entry) => {
      const s = await fresh();
      s.publishMany(3);
      const client = start(runtime, entry, { url: s.streamUrl });
      await client.until(count(3), '3 events');
      const ready = client.lines.find((l) => l.t === 'ready');
      expect(ready).toMatchObject({
        t: 'ready',
        how: entry === 'deno.mjs' ? 'npm:' : entry === 'cjs.cjs' ? 'cjs' : 'esm',
      });
      expect((ready as { runtime: string }).runtime).toMatch(runtime.version);
      expect(s.faults.dropAll()).toBe(1);
      s.publishMany(3);
      await client.until(count(6), '6 events');
      s.faults.dropMidEvent();
      s.publishMany(3);
      await client.until(count(9), '9 events');
      expect(client.ids()).toEqual(range(1, 9));
      expect(client.errors()).toEqual(['network', 'network']);
      expect(s.requests.map((r) => r.lastEventId)).toEqual([null, '3', '6']);
      await client.close();
    },
  );

  it('a silent stream is abandoned after heartbeatTimeout and resumed', async () => {
    // Pings every 100 ms against a 2 s timeout (20×): the silenced stream
    // times out, the resumed one never does, however loaded the machine.
    const s = await fresh(100);
    s.publishMany(2);
    const client = start(runtime, runtime.entries[0] as string, { url: s.streamUrl, heartbeatTimeout: 2000 });
    await client.until(count(2), '2 events');
    s.faults.silence();
    s.publishMany(2);
    await client.until(count(4), '4 events');
    expect(client.ids()).toEqual(range(1, 4));
    expect(client.errors()).toEqual(['heartbeat-timeout']);
    expect(s.requests[1]?.lastEventId).toBe('2');
    await client.close();
  });

  it('503 with Retry-After: the reconnect waits what the server asked', async () => {
    const s = await fresh();
    s.publishMany(2);
    const client = start(runtime, runtime.entries[0] as string, { url: s.streamUrl });
    await client.until(count(2), '2 events');
    s.faults.failNext(503, { retryAfter: '1' });
    s.faults.dropAll();
    s.publishMany(2);
    await client.until(count(4), '4 events');
    expect(client.ids()).toEqual(range(1, 4));
    expect(client.errors()).toEqual(['network', 'http-status']);
    // jitter: 0 in the client, so the scheduled waits are exact.
    const reconnects = client.lines.flatMap((l) => (l.t === 'reconnecting' ? [[l.reason, l.delay]] : []));
    expect(reconnects).toEqual([
      ['network', 50],
      ['http-status', 1000],
    ]);
    expect(s.requests.map((r) => r.status)).toEqual([200, 503, 200]);
    await client.close();
  });

  it('Last-Event-ID resumption: the server restarts and the client asks for what it missed', async () => {
    const s = await fresh();
    s.publishMany(4);
    const client = start(runtime, runtime.entries[0] as string, { url: s.streamUrl });
    await client.until(count(4), '4 events');
    const restarted = s.faults.restart(300);
    // Published while the server is down: they reach the client only through
    // its Last-Event-ID.
    s.publishMany(3);
    await restarted;
    await client.until(count(7), '7 events');
    expect(client.ids()).toEqual(range(1, 7));
    expect(s.requests.at(-1)?.lastEventId).toBe('4');
    expect(s.requests.at(-1)?.status).toBe(200);
    await client.close();
  });

  it('the file store (node:fs) survives a process restart: the second process resumes after the last event', async () => {
    const s = await fresh();
    const storeDir = await mkdtemp(join(tmpdir(), 'cursor-'));
    try {
      s.publishMany(5);
      const first = start(runtime, runtime.entries[0] as string, { url: s.streamUrl, storeDir });
      await first.until(count(5), '5 events');
      await first.close();
      s.publishMany(3);
      const second = start(runtime, runtime.entries[0] as string, { url: s.streamUrl, storeDir });
      await second.until(count(3), '3 events');
      expect([...first.ids(), ...second.ids()]).toEqual(range(1, 8));
      expect(s.requests.map((r) => r.lastEventId)).toEqual([null, '5']);
      await second.close();
    } finally {
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
