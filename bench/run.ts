/**
 * `npm run bench`: every measure of resilient-eventsource side by side with the
 * alternatives, in one run, as ratios. Prints one markdown table per measure,
 * writes the raw numbers to bench/out/results.json and the tables to
 * bench/RESULTS.md with the machine they ran on, followed by bench/analysis.md
 * (the profiles and what they led to, written by hand).
 * Flags: --quick (smaller streams, 1 repetition: a smoke run), --reps N,
 * --only throughput,per-event,memory,timing,browser,sizes,cluster; --before
 * DIR adds the build in DIR (another checkout's dist/, say main before a
 * change) to the throughput tables as `resilient-eventsource (before)` and to
 * the per-event table as "(before)" steps, so that a change is measured
 * against what it replaces in the same run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './median.js';
import { streams } from './streams.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const reps = Number(args[args.indexOf('--reps') + 1] ?? 0) || (quick ? 1 : 5);
const only = args.includes('--only') ? new Set((args[args.indexOf('--only') + 1] ?? '').split(',')) : undefined;
const wants = (measure: string) => !only || only.has(measure);
const before = args.includes('--before') ? resolve(args[args.indexOf('--before') + 1] ?? '') : undefined;
// The clients read it from the environment (bench/client.ts).
if (before) process.env['BENCH_BEFORE'] = before;
const here = import.meta.dirname;

/** Runs a node script (TypeScript through tsx) and returns its stdout lines. */
export function node(script: string, scriptArgs: string[], nodeArgs: string[] = []): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(here, script), ...scriptArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += String(c)));
    child.on('exit', (code) =>
      code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`${script} exited with ${code}: ${out}`)),
    );
  });
}

const fmt = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : n.toFixed(0);
const ratio = (a: number, b: number) => (b ? `${(a / b).toFixed(2)}×` : '–');

export const clients = [
  'fetch (raw bytes)',
  'eventsource-parser + TextDecoder',
  'eventsource',
  'eventsource-client',
  '@microsoft/fetch-event-source',
  'resilient-eventsource',
  ...(before ? ['resilient-eventsource (before)'] : []),
];

interface Row {
  client: string;
  runs: number[];
  failures: string[];
}
const results: Record<string, unknown> = { quick, reps };
const tables: string[] = [];

async function throughput() {
  const serverProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'stream-server.ts'), ...(quick ? ['--quick'] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) =>
    serverProcess.stdout.once('data', (c: Buffer) => resolve(String(c).trim())),
  );
  const base = `http://127.0.0.1:${port}`;
  const all: Record<string, Row[]> = {};
  try {
    for (const spec of streams(quick)) {
      const rows: Row[] = clients.map((client) => ({ client, runs: [], failures: [] }));
      // Round-robin: each repetition runs every client once, in a fresh process.
      for (let rep = 0; rep < reps; rep++) {
        for (const row of rows) {
          const [line] = await node('client.ts', [row.client, base, spec.name, ...(quick ? ['--quick'] : [])]);
          const r = JSON.parse(line ?? '{}') as { ok: boolean; events: number; ms: number; error?: string };
          if (r.ok) row.runs.push((r.events / r.ms) * 1000);
          else row.failures.push(r.error ?? 'failed');
        }
        process.stderr.write(`throughput ${spec.name}: repetition ${rep + 1}/${reps}\n`);
      }
      all[spec.name] = rows;
      const floor = median(rows[0]?.runs ?? []);
      const parser = median(rows[1]?.runs ?? []);
      const lines = [
        `### Node throughput: ${spec.title} (${spec.count.toLocaleString('en')} events, median of ${reps} fresh processes)`,
        '',
        '| client | events/s (median) | min – max | × raw fetch | × bare parser |',
        '|---|---:|---:|---:|---:|',
        ...rows.map((r) =>
          r.failures.length
            ? `| ${r.client} | FAIL: ${r.failures[0]} | | | |`
            : `| ${r.client} | ${fmt(median(r.runs))} | ${fmt(Math.min(...r.runs))} – ${fmt(Math.max(...r.runs))} | ${ratio(median(r.runs), floor)} | ${ratio(median(r.runs), parser)} |`,
        ),
      ];
      tables.push(lines.join('\n'));
      process.stdout.write(`${lines.join('\n')}\n\n`);
    }
  } finally {
    serverProcess.kill();
  }
  results['throughput'] = all;
}

/** Starts the benchmark stream server; returns its base URL and a stop function. */
async function streamServer() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'stream-server.ts'), ...(quick ? ['--quick'] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) =>
    child.stdout.once('data', (c: Buffer) => resolve(String(c).trim())),
  );
  return { base: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

function table(title: string, head: string[], rows: (string | number)[][]) {
  const lines = [
    `### ${title}`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  tables.push(lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function memory() {
  const { base, stop } = await streamServer();
  try {
    const [line] = await node('memory.ts', [base, ...(quick ? ['--quick'] : [])], ['--expose-gc']);
    const m = JSON.parse(line ?? '{}') as {
      stream: { samples: { events: number; heapMB: number; rssMB: number }[] };
      reconnect: { samples: { events: number; heapMB: number; rssMB: number }[]; reconnects: number };
      closedSourceCollected: boolean;
    };
    results['memory'] = m;
    const rows = [
      ...m.stream.samples.map((s) => [
        `after ${s.events.toLocaleString('en')} events`,
        s.heapMB.toFixed(2),
        s.rssMB.toFixed(0),
      ]),
      ...m.reconnect.samples.map((s) => [
        `after ${s.events.toLocaleString('en')} reconnect cycles`,
        s.heapMB.toFixed(2),
        s.rssMB.toFixed(0),
      ]),
    ];
    const growth = (xs: { heapMB: number }[]) => ((xs.at(-1)?.heapMB ?? 0) - (xs[0]?.heapMB ?? 0)).toFixed(2);
    rows.push([
      'heap growth, first to last sample (events / reconnects)',
      `${growth(m.stream.samples)} / ${growth(m.reconnect.samples)}`,
      '',
    ]);
    rows.push(['a closed source is garbage-collected', m.closedSourceCollected ? 'yes' : 'NO', '']);
    table('Memory (ours, defaults; heap after a full GC)', ['when', 'heap MB', 'RSS MB'], rows);
  } finally {
    stop();
  }
  // One event near maxEventSize, and one line over it: the peak, not the steady state.
  const big: { client: string; shape: string; size: number; outcome: string; peakHeapMB: number }[] = [];
  for (const shape of ['fits', 'oversized']) {
    for (const client of ['bare', 'ours'])
      big.push(JSON.parse((await node('big-event.ts', [client, shape]))[0] ?? '{}'));
  }
  results['bigEvent'] = big;
  const peakOf = (client: string, shape: string) =>
    big.find((b) => b.client === client && b.shape === shape)?.peakHeapMB ?? 0;
  table(
    'Peak heap while one 16 MiB event arrives in 64 KiB chunks (fresh process each)',
    ['event', 'bare eventsource-parser MB', 'ours MB', 'ours outcome', 'ours × bare', 'ours × event size'],
    ['fits', 'oversized'].map((shape) => {
      const ours = big.find((b) => b.client === 'ours' && b.shape === shape);
      return [
        shape === 'fits' ? '16 MiB − 1 KiB (fits)' : '16 MiB + 256 KiB (over maxEventSize)',
        peakOf('bare', shape).toFixed(1),
        peakOf('ours', shape).toFixed(1),
        ours?.outcome ?? '?',
        ratio(peakOf('ours', shape), peakOf('bare', shape)),
        ratio(peakOf('ours', shape), (ours?.size ?? 1) / 2 ** 20),
      ];
    }),
  );
}

async function timing() {
  const [line] = await node('timing.ts', quick ? ['--quick'] : []);
  const t = JSON.parse(line ?? '{}') as {
    expectedDelay: number;
    gaps: number[];
    heartbeatTimeout: number;
    abandons: number[];
  };
  results['timing'] = t;
  const steady = t.gaps.slice(1); // the first includes connection warm-up
  table(
    'Reconnect timing (real sockets; times taken on the server)',
    ['measure', 'expected ms', 'median ms', 'min – max ms'],
    [
      [
        `socket dropped → next request (${steady.length} cycles)`,
        t.expectedDelay,
        median(steady).toFixed(1),
        `${Math.min(...steady).toFixed(1)} – ${Math.max(...steady).toFixed(1)}`,
      ],
      [
        `silent stream → abandoned (${t.abandons.length} cycles)`,
        `≤ ${t.heartbeatTimeout} + 50`,
        median(t.abandons).toFixed(1),
        `${Math.min(...t.abandons).toFixed(1)} – ${Math.max(...t.abandons).toFixed(1)}`,
      ],
    ],
  );
}

async function browser() {
  const { base, stop } = await streamServer();
  try {
    const events = quick ? 50_000 : 200_000;
    const lines = await node('browser.ts', [base, String(events), String(reps)]);
    const all = lines.map(
      (l) =>
        JSON.parse(l) as {
          phase: string;
          mode: string;
          ms?: number;
          busyMs?: number;
          rate?: number;
          events: number;
          error?: string;
        },
    );
    results['browser'] = all;
    const runs = all.filter((r) => r.phase === 'throughput');
    const modes = [...new Set(runs.map((r) => r.mode))];
    const rate = (mode: string) =>
      runs.filter((r) => r.mode === mode && r.ms).map((r) => (events / (r.ms ?? 1)) * 1000);
    const native = median(rate(modes[0] ?? ''));
    table(
      `Chromium throughput: 100-byte events (${events.toLocaleString('en')} events, median of ${reps} fresh contexts)`,
      ['client', 'events/s (median)', 'min – max', '× native EventSource'],
      modes.map((mode) => {
        const xs = rate(mode);
        const failed = runs.find((r) => r.mode === mode && r.error);
        return failed
          ? [mode, `FAIL: ${failed.error}`, '', '']
          : [mode, fmt(median(xs)), `${fmt(Math.min(...xs))} – ${fmt(Math.max(...xs))}`, ratio(median(xs), native)];
      }),
    );
    // The cost at a fixed rate: how much of the main thread the stream takes.
    const paced = all.filter((r) => r.phase === 'paced');
    const first = paced[0];
    if (first) {
      const busy = (mode: string) =>
        paced.filter((r) => r.mode === mode && r.busyMs !== undefined && !r.error).map((r) => r.busyMs ?? 0);
      const seconds = first.events / (first.rate ?? 1);
      const bare = median(busy('resilient-eventsource (store: false)'));
      table(
        `Chromium at ${(first.rate ?? 0).toLocaleString('en')} events/s: main-thread busy time over ${seconds} s, after the first second (median of ${reps} fresh contexts)`,
        ['client', 'busy ms (median)', 'min – max', '% of the time', '× store: false'],
        modes.map((mode) => {
          const xs = busy(mode);
          const failed = paced.find((r) => r.mode === mode && r.error);
          return failed || xs.length === 0
            ? [mode, `FAIL: ${failed?.error ?? 'no result'}`, '', '', '']
            : [
                mode,
                median(xs).toFixed(0),
                `${Math.min(...xs).toFixed(0)} – ${Math.max(...xs).toFixed(0)}`,
                `${((median(xs) / (seconds * 1000)) * 100).toFixed(1)} %`,
                ratio(median(xs), bare),
              ];
        }),
      );
    }
  } finally {
    stop();
  }
}

async function bundleSizes() {
  const { breakdown, sizes, sizeBudget } = await import('./sizes.js');
  const rows = await sizes();
  results['sizes'] = rows;
  const ours = rows[0]?.gzip ?? 0;
  const ourImport = rows[1]?.gzip ?? 0;
  table(
    'Bundle size (esbuild, minified, for the browser; gzip -9)',
    ['bundle', 'minified bytes', 'gzip bytes', 'gzip × ours (UMD, production)'],
    rows.map((r) => [r.name, r.minified, r.gzip, ratio(r.gzip, ours)]),
  );
  const target = sizeBudget.targetGzipBytes;
  const verdict = (bytes: number) => (bytes <= target ? 'met' : 'NOT met');
  const note = `Size target for the production UMD and ESM import: ≤ ${target} gzip bytes each (UMD ${verdict(ours)}, import ${verdict(ourImport)}); npm test's regression guards: ${sizeBudget.umd.guardGzipBytes} and ${sizeBudget.esmImport.guardGzipBytes}.`;
  tables.push(note);
  process.stdout.write(`${note}\n\n`);
  const modules = await breakdown();
  results['sizeBreakdown'] = modules;
  const total = modules.reduce((n, m) => n + m.minified, 0);
  table(
    "Where the production UMD's bytes go (minified, members unmangled, per module; gzip estimated at the bundle's ratio)",
    ['module', 'minified bytes', 'share', '≈ gzip bytes'],
    modules.map((m) => [m.module, m.minified, `${((m.minified / total) * 100).toFixed(1)} %`, m.gzipEstimate]),
  );
  const { sizeCeiling } = await import('./size-ceiling.js');
  const ceiling = await sizeCeiling();
  results['sizeCeiling'] = ceiling;
  table(
    `What the production UMD would weigh after trades we have not made (gzip bytes, no source map comment; target ${target}; bench/size-ceiling.ts)`,
    ['without', 'as built', 'messages cut to one letter'],
    ceiling.map((r) => [r.without, r.gzip, r.shortMessages]),
  );
}

async function cluster() {
  const [line] = await node('cluster.ts', quick ? ['--quick'] : []);
  const c = JSON.parse(line ?? '{}') as {
    skipped?: string;
    rows?: {
      instances: number;
      clients: number;
      events: number;
      deliveriesPerSecond: number;
      instanceCpuMsPer100k: number;
      nginxCpuMsPer100k: number;
    }[];
  };
  results['cluster'] = c;
  if (c.skipped !== undefined) {
    process.stdout.write(`Cluster fan-out skipped: ${c.skipped}\n\n`);
    return;
  }
  const rows = c.rows ?? [];
  const one = rows[0];
  table(
    `Cluster fan-out at the instances (${one?.clients ?? 0} clients behind nginx, ${(one?.events ?? 0).toLocaleString('en')} events; server/cluster)`,
    [
      'instances',
      'deliveries/s (events × clients)',
      '× one instance',
      'instance CPU ms per 100 k deliveries',
      '× one instance',
      'nginx CPU ms per 100 k',
    ],
    rows.map((r) => [
      r.instances,
      fmt(r.deliveriesPerSecond),
      ratio(r.deliveriesPerSecond, one?.deliveriesPerSecond ?? 0),
      r.instanceCpuMsPer100k.toFixed(0),
      ratio(r.instanceCpuMsPer100k, one?.instanceCpuMsPer100k ?? 0),
      r.nginxCpuMsPer100k.toFixed(0),
    ]),
  );
}

/**
 * The per-event cost above the parser, step by step (bench/per-event.ts): the
 * 100-byte stream in memory, no sockets, each pipeline in fresh processes.
 */
async function perEvent() {
  const lines = await node('per-event.ts', [
    '--reps',
    String(reps),
    ...(quick ? ['--quick'] : []),
    ...(before ? ['--before', before] : []),
  ]);
  const rows = lines.map((line) => JSON.parse(line) as { pipeline: string; nsPerEvent: number; minNsPerEvent: number });
  const reference = rows.find((r) => r.pipeline.startsWith('eventsource-parser'));
  results['perEvent'] = rows;
  table(
    `Per 100-byte event, step by step (in memory, no sockets; median of ${reps} fresh processes' medians, and the lowest round; bench/per-event.ts)`,
    ['pipeline', 'ns per event (median)', 'lowest', '× the bare pipeline (lowest)'],
    rows.map((r) => [
      r.pipeline,
      r.nsPerEvent.toFixed(0),
      r.minNsPerEvent.toFixed(0),
      ratio(r.minNsPerEvent, reference?.minNsPerEvent ?? 0),
    ]),
  );
}

const measures: [string, () => Promise<void>][] = [
  ['throughput', throughput],
  ['per-event', perEvent],
  ['memory', memory],
  ['timing', timing],
  ['browser', browser],
  ['sizes', bundleSizes],
  ['cluster', cluster],
];
for (const [name, run] of measures) if (wants(name)) await run();

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${release()}, Node ${process.version}`;
results['machine'] = machine;
results['date'] = new Date().toISOString();
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(join(here, 'out', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
if (!quick && !only) {
  // The hand-written part (profiles, what was done, what is left) follows the tables.
  const analysis = readFileSync(join(here, 'analysis.md'), 'utf8');
  writeFileSync(
    join(here, 'RESULTS.md'),
    `# Benchmark results\n\nMachine: ${machine}. Run: ${results['date']}.\nAbsolute numbers drift by ±30% on shared machines; compare ratios within one run.\n\n${tables.join('\n\n')}\n\n${analysis}`,
  );
  // Formatted as the repository's Markdown is (tables aligned), or `npm test`'s lint refuses it.
  execFileSync(process.execPath, [
    join(here, '..', 'node_modules', '@biomejs', 'biome', 'bin', 'biome'),
    'format',
    '--write',
    join(here, 'RESULTS.md'),
  ]);
}
