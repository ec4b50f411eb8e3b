/**
 * The built package as users get it: the exports map (ESM, CJS, ./node), the
 * declarations, and the UMD bundle evaluated as a plain script. Needs
 * `npm run build` first (`npm test` does that).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, any>;
const require = createRequire(import.meta.url);
const execFileAsync = promisify(execFile);

beforeAll(() => {
  if (!existsSync(join(dist, 'index.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});

describe('package.json', () => {
  it('has the exports map with types first for import and for require, and unpkg on the UMD', () => {
    expect(pkg['type']).toBe('module');
    expect(pkg['sideEffects']).toBe(false);
    for (const [entry, name] of [
      ['.', 'index'],
      ['./node', 'node'],
    ] as const) {
      // ESM and CommonJS each get their own declarations (.d.ts / .d.cts), or
      // TypeScript reads the CommonJS build as ESM ("masquerading as ESM").
      // The development build first: a resolver takes the first condition it
      // knows, and only bundlers in development (and node --conditions) know it.
      expect(pkg['exports'][entry]).toEqual({
        development: {
          import: { types: `./dist/${name}.d.ts`, default: `./dist/development/${name}.js` },
          require: { types: `./dist/${name}.d.cts`, default: `./dist/development/${name}.cjs` },
        },
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
        default: `./dist/${name}.js`,
      });
      expect(Object.keys(pkg['exports'][entry])[0]).toBe('development');
      const builds = [pkg['exports'][entry], pkg['exports'][entry]['development']];
      for (const build of builds)
        for (const c of ['import', 'require']) expect(Object.keys(build[c])).toEqual(['types', 'default']);
      for (const file of builds.flatMap((build) => [
        ...Object.values(build['import']),
        ...Object.values(build['require']),
      ]) as string[]) {
        expect(existsSync(join(root, file)), file).toBe(true);
      }
    }
    expect(pkg['exports']['./package.json']).toBe('./package.json');
    expect(existsSync(join(root, pkg['unpkg']))).toBe(true);
  });

  it('resilient-eventsource/umd resolves to the UMD bundle unpkg names (to self-host it: copy it from there)', () => {
    expect(pkg['exports']['./umd']).toBe(pkg['unpkg']);
    expect(require.resolve('resilient-eventsource/umd')).toBe(join(root, pkg['unpkg']));
  });

  it('resilient-eventsource/umd/development resolves to the development UMD bundle', () => {
    expect(pkg['exports']['./umd/development']).toBe('./dist/resilient-eventsource.umd.js');
    expect(require.resolve('resilient-eventsource/umd/development')).toBe(
      join(root, 'dist', 'resilient-eventsource.umd.js'),
    );
  });

  it('has no runtime dependencies (dist/index.js loads in a browser without an import map)', () => {
    expect(pkg['dependencies']).toBeUndefined();
  });
});

describe('entry points', () => {
  it('ESM: import by package name', async () => {
    const mod = await import('resilient-eventsource');
    expect(typeof mod.ResilientEventSource).toBe('function');
    expect(mod.ResilientEventSource.CLOSED).toBe(2);
    expect(typeof mod.createMemoryStore).toBe('function');
  });

  it('ESM: the ./node subpath adds the file store', async () => {
    const mod = await import('resilient-eventsource/node');
    expect(typeof mod.createFileStore).toBe('function');
    expect(typeof mod.ResilientEventSource).toBe('function');
  });

  it('Node loads the production build, and the development build with --conditions=development', async () => {
    // A misspelt option tells them apart: only the development build suggests the right name.
    const script = `import('resilient-eventsource').then(({ ResilientEventSource }) => {
      try { new ResilientEventSource('http://127.0.0.1:9/', { hartbeatTimeout: 1 }); } catch (e) { console.log(e.message); }
    })`;
    const run = async (flags: string[]) =>
      (
        await execFileAsync(process.execPath, [...flags, '--input-type=module', '-e', script], { cwd: root })
      ).stdout.trim();
    expect(await run([])).toBe('Unknown option `hartbeatTimeout`');
    expect(await run(['--conditions=development'])).toBe(
      'Unknown option `hartbeatTimeout`. Did you mean `heartbeatTimeout`?',
    );
  });

  it('CommonJS: require by package name', () => {
    const mod = require('resilient-eventsource') as typeof import('../../src/index.js');
    const node = require('resilient-eventsource/node') as typeof import('../../src/node.js');
    expect(typeof mod.ResilientEventSource).toBe('function');
    expect(typeof node.createFileStore).toBe('function');
    expect(() => new mod.ResilientEventSource('not a url')).toThrow(DOMException);
  });

  it('declarations exist for both entries, as ESM and as CommonJS', () => {
    expect(readFileSync(join(dist, 'index.d.ts'), 'utf8')).toContain('ResilientEventSource');
    expect(readFileSync(join(dist, 'node.d.ts'), 'utf8')).toContain('createFileStore');
    expect(readFileSync(join(dist, 'index.d.cts'), 'utf8')).toContain("from './source/event-source.cjs'");
    expect(readFileSync(join(dist, 'node.d.cts'), 'utf8')).toContain("from './persistence/stores/file-store.cjs'");
  });
});

describe.each([
  ['production', pkg['unpkg'] as string],
  ['development', pkg['exports']['./umd/development'] as string],
])('the %s UMD bundle', (_build, path) => {
  const file = join(root, path);
  const code = readFileSync(file, 'utf8');

  it('defines window.ResilientEventSource as the class in a plain script context', () => {
    const window: Record<string, unknown> = {};
    const sandbox = {
      window,
      self: window,
      EventTarget,
      Event,
      MessageEvent,
      URL,
      Headers,
      AbortController,
      TextDecoder,
      setTimeout,
      clearTimeout,
      queueMicrotask,
    };
    (window as { window?: unknown }).window = window;
    runInNewContext(code, sandbox);
    const Ctor = (sandbox as Record<string, unknown>)['ResilientEventSource'] ?? window['ResilientEventSource'];
    expect(typeof Ctor).toBe('function');
    const C = Ctor as typeof import('../../src/index.js').ResilientEventSource & { createMemoryStore: unknown };
    expect(C.OPEN).toBe(1);
    expect(typeof C.createMemoryStore).toBe('function');
  });

  it('uses no eval or new Function (strict CSP pages)', () => {
    expect(code).not.toMatch(/\beval\s*\(|new Function\s*\(/);
  });
});

describe('library code hygiene', () => {
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  /** The source without comments, so prose like "the dedupe window." does not count. */
  const code = (f: string) => readFileSync(join(root, 'src', f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');

  it('never calls console.*', () => {
    for (const f of sources) expect(code(f), f).not.toMatch(/\bconsole\./);
  });

  it('touches window/document only through feature checks in platform/lifecycle.ts', () => {
    for (const f of sources) {
      const text = code(f);
      expect(text, f).not.toMatch(/\bwindow\./);
      if (f !== 'platform/lifecycle.ts') expect(text, f).not.toMatch(/\bdocument\b/);
    }
  });
});
