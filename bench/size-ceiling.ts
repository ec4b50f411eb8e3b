/**
 * What the production UMD would weigh if we gave things up: its own build
 * (rollup.config.mjs: esbuild, then mangled and minified by terser) with
 * feature modules replaced by no-op stubs, then with every message cut to
 * one letter. None of these builds works as the product does (a stub does
 * nothing); they measure how far a size target is from each trade, so that
 * the target is argued with figures.
 */
import { gzipSync } from 'node:zlib';
import { type Plugin, rollup, type RollupOptions } from 'rollup';

/** A feature and the no-op modules that take its place. */
interface Feature {
  name: string;
  stubs: Record<string, string>;
}

/** The features that set us apart from the alternatives, each as stubs of its modules. */
export const features: Feature[] = [
  {
    name: 'cross-tab sharing',
    stubs: { 'src/share/shared-stream.ts': 'export function joinSharedStream() { return undefined; }' },
  },
  { name: '`for await`', stubs: { 'src/source/iterate.ts': 'export function iterateMessages() { return {}; }' } },
  {
    name: 'page life cycle and wake',
    stubs: {
      'src/platform/lifecycle.ts':
        'export function watchLifecycle() { return () => {}; }\nexport function isHidden() { return false; }\nexport function isWorker() { return false; }',
      'src/platform/wake.ts': 'export function watchWake() { return () => {}; }',
    },
  },
  {
    name: 'persistence (cursor, IndexedDB and default stores)',
    stubs: {
      'src/persistence/cursor.ts':
        'export function createCursorKeeper() { return { load: async () => {}, changed() {}, flush: async () => {}, close() {}, finish() {} }; }',
      'src/persistence/stores/default-store.ts': 'export function defaultStore() { return undefined; }',
      'src/persistence/stores/indexeddb-store.ts': 'export function createIndexedDbStore() {}',
    },
  },
  {
    name: 'duplicate suppression',
    stubs: {
      'src/persistence/dedupe.ts':
        'export const noDedupe = { admit: () => true, list: () => [] };\nexport function createDedupeWindow() { return noDedupe; }',
    },
  },
];

/** Replaces the stubbed modules. */
function stub(stubs: Record<string, string>): Plugin {
  return {
    name: 'stub-features',
    load(id) {
      const file = Object.keys(stubs).find((f) => id.endsWith(f));
      return file === undefined ? null : stubs[file]!;
    },
  };
}

interface Node {
  type: string;
  start: number;
  end: number;
  value?: unknown;
}

/** Every message string (string literals over 12 characters, template parts over 6) cut to one letter. */
function shortMessages(): Plugin {
  return {
    name: 'short-messages',
    renderChunk(code) {
      const cuts: [number, number, string][] = [];
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) {
          for (const item of node) walk(item);
          return;
        }
        if (!node || typeof node !== 'object') return;
        const n = node as Node;
        if (n.type === 'Literal' && typeof n.value === 'string' && n.end - n.start > 14)
          cuts.push([n.start, n.end, '"E"']);
        else if (n.type === 'TemplateElement' && n.end - n.start > 6) cuts.push([n.start, n.end, 'E']);
        for (const value of Object.values(n)) if (value && typeof value === 'object') walk(value);
      };
      walk(this.parse(code));
      cuts.sort((a, b) => b[0] - a[0]);
      let out = code;
      for (const [start, end, by] of cuts) out = out.slice(0, start) + by + out.slice(end);
      return out;
    },
  };
}

/** The shipped UMD's own build configuration. */
const configs = ((await import(new URL('../rollup.config.mjs', import.meta.url).href)) as { default: RollupOptions[] })
  .default;
const umd = configs.find(
  (c) => c.input === 'src/umd.ts' && !Array.isArray(c.output) && c.output?.file?.endsWith('.min.js'),
)!;

async function gzipOf(extra: Plugin[], stubs: Record<string, string>): Promise<number> {
  const build = await rollup({ ...umd, plugins: [stub(stubs), ...extra, ...(umd.plugins as Plugin[])] });
  const output = Array.isArray(umd.output) ? umd.output[0]! : umd.output!;
  const {
    output: [chunk],
  } = await build.generate({ ...output, sourcemap: false });
  await build.close();
  return gzipSync(chunk.code, { level: 9 }).length;
}

/** One row per build: gzip bytes of the production UMD as built, and with every message cut to one letter. */
export async function sizeCeiling() {
  const all = Object.assign({}, ...features.map((f) => f.stubs)) as Record<string, string>;
  const rows = [
    { without: 'nothing (every feature)', stubs: {} },
    ...features.map((f) => ({ without: f.name, stubs: f.stubs })),
    { without: 'all five above', stubs: all },
  ];
  const out = [];
  for (const { without, stubs } of rows) {
    out.push({ without, gzip: await gzipOf([], stubs), shortMessages: await gzipOf([shortMessages()], stubs) });
  }
  return out;
}

if (process.argv[1] === import.meta.filename) {
  for (const row of await sizeCeiling()) process.stdout.write(`${JSON.stringify(row)}\n`);
}
