/**
 * The production bundles stay within their size guards (bench/size-budget.ts
 * says why and how much): the UMD file as shipped, and an ESM import of the
 * class bundled for the browser as a bundler would (the production build,
 * which bundlers pick unless they ask for the `development` condition).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { sizeBudget } from '../../bench/size-budget.js';

const root = join(import.meta.dirname, '..', '..');
const gzip = (code: Uint8Array) => gzipSync(code, { level: 9 }).length;

async function importOf(conditions: string[]): Promise<string> {
  const result = await build({
    stdin: { contents: "export { ResilientEventSource } from 'resilient-eventsource';", resolveDir: root },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

it(`the production UMD bundle is at most ${sizeBudget.umd.guardGzipBytes} bytes gzipped`, () => {
  const bytes = gzip(readFileSync(join(root, sizeBudget.umd.file)));
  expect(bytes).toBeGreaterThan(1000);
  expect(bytes).toBeLessThanOrEqual(sizeBudget.umd.guardGzipBytes);
});

it(`the production ESM import of the class is at most ${sizeBudget.esmImport.guardGzipBytes} bytes gzipped`, async () => {
  const code = await importOf([]);
  expect(gzip(Buffer.from(code))).toBeGreaterThan(1000);
  expect(gzip(Buffer.from(code))).toBeLessThanOrEqual(sizeBudget.esmImport.guardGzipBytes);
  // The production build: no did-you-mean, which only the development build carries.
  expect(code).not.toContain('Did you mean');
  expect(await importOf(['development'])).toContain('Did you mean');
});
