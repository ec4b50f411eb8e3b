/**
 * What `npm pack` would publish: everything the entry points, the README and
 * the licence need, and nothing of the repository's tests, tools or sources.
 * Needs `npm run build` first (`npm test` does that).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
let files: string[] = [];

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.d.cts')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
});

/** Every path package.json (and the node10 stub) points a resolver at, relative to the package root. */
function referencedPaths(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const stub = JSON.parse(readFileSync(join(root, 'node', 'package.json'), 'utf8')) as Record<string, string>;
  const paths: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') paths.push(posix.normalize(value));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const field of ['main', 'module', 'types', 'unpkg', 'jsdelivr', 'exports']) walk(pkg[field]);
  for (const field of ['main', 'module', 'types']) paths.push(posix.join('node', stub[field]!));
  return paths;
}

describe('npm pack', () => {
  it('ships both builds, both sets of declarations, both UMD bundles, LICENSE and README', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/node.js',
      'dist/index.cjs',
      'dist/node.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/node.d.ts',
      'dist/node.d.cts',
      'dist/resilient-eventsource.umd.min.js',
      // The development build (the `development` export condition, and its UMD).
      'dist/development/index.js',
      'dist/development/index.cjs',
      'dist/development/node.js',
      'dist/development/node.cjs',
      'dist/resilient-eventsource.umd.js',
      // `resilient-eventsource/node` for resolvers that ignore "exports" (TypeScript's node10).
      'node/package.json',
      // The README links to it.
      'bench/RESULTS.md',
    ]) {
      expect(files, file).toContain(file);
    }
  });

  it('ships every module a shipped build imports (chunks included, whatever rollup names them)', () => {
    const builds = files.filter((f) => /^dist\/.*\.c?js$/.test(f));
    let imports = 0;
    for (const build of builds) {
      const code = readFileSync(join(root, build), 'utf8');
      for (const [, spec] of code.matchAll(
        /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g,
      )) {
        imports++;
        expect(files, `${build} imports ${spec!}`).toContain(posix.join(posix.dirname(build), spec!));
      }
    }
    // node.js and node.cjs build on index: at least one relative import each.
    expect(imports).toBeGreaterThanOrEqual(2);
  });

  it('ships every file package.json points at', () => {
    for (const path of referencedPaths()) expect(files, path).toContain(path);
  });

  it('ships nothing else: no tests, examples, e2e pages, benchmark code or output, sources, tools', () => {
    const allowed =
      /^(package\.json|README\.md|LICENSE|bench\/RESULTS\.md|node\/package\.json|dist\/[\w/.-]+\.(js|cjs|d\.ts|d\.cts|js\.map|cjs\.map))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(
      files.filter((f) => /(^|\/)(test|e2e|examples|demo|server|scripts|src|\.vitest-attachments|\.ci)\//.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => /\.test\.|\.spec\.|tsconfig|bench\/(?!RESULTS\.md)/.test(f))).toEqual([]);
  });

  it('pairs every .d.ts with a .d.cts whose relative imports stay among the .d.cts files', () => {
    const dts = files.filter((f) => f.endsWith('.d.ts'));
    expect(dts.length).toBeGreaterThan(2);
    for (const file of dts) {
      const cts = file.replace(/\.d\.ts$/, '.d.cts');
      expect(files, cts).toContain(cts);
      const text = readFileSync(join(root, cts), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        expect(spec, `${cts} imports ${spec}`).toMatch(/\.cjs$/);
        const target = posix.join(posix.dirname(cts), spec!.replace(/\.cjs$/, '.d.cts'));
        expect(files, `${cts} imports ${spec}`).toContain(target);
      }
    }
  });

  it('source maps carry their sources, since src/ is not shipped', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(root, map), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      expect(sourcesContent?.length, map).toBe(sources.length);
      expect(
        sourcesContent?.every((s) => typeof s === 'string'),
        map,
      ).toBe(true);
    }
  });

  it('has the metadata a registry shows: licence, repository, homepage, bugs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, any>;
    expect(pkg['license']).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 resilient-eventsource contributors\n/,
    );
    expect(pkg['repository']).toEqual({
      type: 'git',
      url: 'git+https://github.com/resilient-eventsource/resilient-eventsource.git',
    });
    expect(pkg['homepage']).toMatch(/^https:\/\/github\.com\/resilient-eventsource\/resilient-eventsource/);
    expect(pkg['bugs']['url']).toBe('https://github.com/resilient-eventsource/resilient-eventsource/issues');
  });
});
