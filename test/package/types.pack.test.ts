/**
 * The declarations as users get them: the package is packed (`npm pack`), the
 * tarball installed into a fresh consumer project, and tsc (the repo's) run on
 * test/fixtures/types-consumer.ts in each TypeScript setup users have, with
 * `strict` and `skipLibCheck: false`; then @arethetypeswrong/cli checks the
 * tarball. Needs `npm run build` first (`npm test` does that). Offline: the
 * consumer's one dependency (@types/node) links to this repo's
 * node_modules, and attw reads the local tarball.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const modules = join(root, 'node_modules');
const tsc = join(modules, 'typescript', 'bin', 'tsc');
const attw = join(modules, '@arethetypeswrong', 'cli', 'dist', 'index.js');

interface Setup {
  name: string;
  /**
   * The consumer files: `.ts` (format from the setup), `.mts` (ESM) and `.cts`
   * (CommonJS); one program checks both formats, each with its own conditions.
   */
  exts: ('.ts' | '.mts' | '.cts')[];
  compilerOptions: Record<string, unknown>;
}

const dom = ['es2022', 'dom', 'dom.iterable'];
const nodeOnly = { lib: ['es2022'], types: ['node'] };
const setups: Setup[] = [
  {
    name: 'browser: lib dom, bundler',
    exts: ['.ts'],
    compilerOptions: { lib: dom, types: [], module: 'esnext', moduleResolution: 'bundler' },
  },
  {
    name: 'browser with @types/node: lib dom + node, bundler',
    exts: ['.ts'],
    compilerOptions: { lib: dom, types: ['node'], module: 'esnext', moduleResolution: 'bundler' },
  },
  {
    name: 'Node-only (no lib dom), bundler',
    exts: ['.ts'],
    compilerOptions: { ...nodeOnly, module: 'esnext', moduleResolution: 'bundler' },
  },
  {
    name: 'Node-only, nodenext, from ESM and from CommonJS',
    exts: ['.mts', '.cts'],
    compilerOptions: { ...nodeOnly, module: 'nodenext', moduleResolution: 'nodenext' },
  },
  {
    name: 'Node-only, node16, from ESM and from CommonJS',
    exts: ['.mts', '.cts'],
    compilerOptions: { ...nodeOnly, module: 'node16', moduleResolution: 'node16' },
  },
  {
    name: 'Node-only, node10 (module commonjs)',
    exts: ['.ts'],
    compilerOptions: { ...nodeOnly, module: 'commonjs', moduleResolution: 'node10' },
  },
];

/**
 * What every setup shares. `skipDefaultLibCheck` skips only TypeScript's own
 * lib.*.d.ts (lib.dom alone is seconds of checking); our declarations and
 * @types/node are checked in full (`skipLibCheck: false`).
 */
const base = { strict: true, skipLibCheck: false, skipDefaultLibCheck: true, noEmit: true, target: 'es2022' };

/** The README's "Closing on a condition" sample, which must compile with and without Node's types. */
function closeOnConditionSample(): string {
  const text = readFileSync(join(root, 'examples', 'close-on-condition.test.ts'), 'utf8');
  const region = /\/\/ #region readme:close-on-condition\n([\s\S]*?)\/\/ #endregion/.exec(text)?.[1];
  if (!region) throw new Error('examples/close-on-condition.test.ts has no close-on-condition region');
  return `declare function showProgress(percent: number): void;\n${region}export {};\n`;
}

let dir = '';
let tarball = '';
/** tsc's result per setup, queued in beforeAll. */
const results = new Map<string, Promise<{ code: number; output: string }>>();

async function typecheck(config: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], {
      cwd: join(dir, 'consumer'),
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'index.d.cts')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'res-types-'));
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root });
  tarball = join(dir, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);

  const consumer = join(dir, 'consumer');
  mkdirSync(consumer);
  // Node's types come from this checkout, so the install needs no network (the package has no dependencies).
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      dependencies: { '@types/node': `file:${join(modules, '@types', 'node')}` },
    }),
  );
  await run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball],
    { cwd: consumer },
  );

  const source = readFileSync(join(root, 'test', 'fixtures', 'types-consumer.ts'), 'utf8');
  const sample = closeOnConditionSample();
  for (const ext of new Set(setups.flatMap((s) => s.exts))) {
    writeFileSync(join(consumer, `consumer${ext}`), source);
    writeFileSync(join(consumer, `sample${ext}`), sample);
  }
  const queue = setups.map((setup, i) => {
    const config = `tsconfig.${i}.json`;
    const files = setup.exts.flatMap((ext) => [`consumer${ext}`, `sample${ext}`]);
    writeFileSync(
      join(consumer, config),
      JSON.stringify({ compilerOptions: { ...base, ...setup.compilerOptions }, files }),
    );
    return { setup, config };
  });
  // Two at a time: each run is a process of its own, and the CI machine has two cores.
  const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  queue.forEach(({ setup, config }, i) => {
    const result = lanes[i % 2]!.then(() => typecheck(config));
    lanes[i % 2] = result;
    results.set(setup.name, result);
  });
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('declarations compile in every setup (strict, skipLibCheck: false)', () => {
  for (const setup of setups) {
    it(setup.name, async () => {
      const { code, output } = await results.get(setup.name)!;
      expect(output).toBe('');
      expect(code).toBe(0);
      // Generous: a loaded 2-core machine takes up to ~30 s for one run with @types/node.
    }, 180_000);
  }

  it('the consumer really is checked: a wrong option is reported', async () => {
    // The same file without its @ts-expect-error comments must fail on `headers: 42`
    // in a Node-only project, where skipLibCheck used to turn the option into `any`.
    const consumer = join(dir, 'consumer');
    const source = readFileSync(join(consumer, 'consumer.mts'), 'utf8').replace(/\/\/ @ts-expect-error.*\n/g, '');
    writeFileSync(join(consumer, 'unchecked.mts'), source);
    writeFileSync(
      join(consumer, 'tsconfig.unchecked.json'),
      JSON.stringify({
        compilerOptions: { ...base, skipLibCheck: true, ...nodeOnly, module: 'nodenext' },
        files: ['unchecked.mts'],
      }),
    );
    const { code, output } = await typecheck('tsconfig.unchecked.json');
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /unchecked\.mts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'HeadersOption/,
    );
  }, 60_000);
});

// `./umd` and `./umd/development` are the <script> bundles, exported for their paths (to self-host it, or a bundler's `?url`), not
// to be imported for types: attw checks the entry points that are.
it('@arethetypeswrong/cli finds no problem in the tarball', async () => {
  const { stdout } = await run(process.execPath, [
    attw,
    tarball,
    '--format',
    'json',
    '--exclude-entrypoints',
    './umd',
    './umd/development',
  ]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(stdout) as {
    analysis: { types: unknown; entrypoints: Record<string, unknown> };
    problems?: Record<string, unknown[]>;
  };
  expect(report.analysis.types).toBeTruthy();
  expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './node', './package.json']);
  expect(report.problems).toEqual({});
}, 60_000);
