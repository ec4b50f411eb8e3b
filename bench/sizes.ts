/**
 * Bundle sizes, minified and gzipped, measured the same way for everyone:
 * esbuild bundles an import of each client for the browser, minified, then
 * gzip -9. Ours is measured four times: the shipped production UMD file, an
 * ESM import of the class as a bundler would tree-shake it (the production
 * build, what a bundler picks by default), and both again for the
 * development build (its UMD minified by esbuild here, as it ships
 * unminified; the ESM import through the `development` condition).
 * Prints JSON lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');

import { sizeBudget } from './size-budget.js';

export { sizeBudget };

async function bundle(entry: string, conditions: string[] = []): Promise<Buffer> {
  const result = await build({
    conditions,
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0]?.contents ?? []);
}

const importOurs = "export { ResilientEventSource } from 'resilient-eventsource';";

/** A built file, minified by esbuild (for the development UMD, which ships unminified). */
async function minified(file: string): Promise<Buffer> {
  const result = await build({
    entryPoints: [join(root, file)],
    minify: true,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0]?.contents ?? []);
}

const measure = (name: string, code: Buffer) => ({
  name,
  minified: code.length,
  gzip: gzipSync(code, { level: 9 }).length,
});

export async function sizes() {
  return [
    measure('resilient-eventsource (UMD, production)', readFileSync(join(root, sizeBudget.umd.file))),
    measure('resilient-eventsource (ESM import of the class, production)', await bundle(importOurs)),
    measure('resilient-eventsource (UMD, development, minified)', await minified(sizeBudget.umd.developmentFile)),
    measure('resilient-eventsource (ESM import of the class, development)', await bundle(importOurs, ['development'])),
    measure('eventsource', await bundle("export { EventSource } from 'eventsource';")),
    measure('eventsource-client', await bundle("export { createEventSource } from 'eventsource-client';")),
    measure(
      '@microsoft/fetch-event-source',
      await bundle("export { fetchEventSource } from '@microsoft/fetch-event-source';"),
    ),
    measure('event-source-polyfill', await bundle("export { EventSourcePolyfill } from 'event-source-polyfill';")),
  ];
}

/**
 * Where the production UMD's bytes go: esbuild's metafile gives each module's
 * share of the minified bundle (src/umd.ts bundled as the UMD is, but with
 * member names unmangled). Gzip does not
 * split by module; the gzip column applies the bundle's own ratio, an
 * estimate.
 */
export async function breakdown() {
  const result = await build({
    entryPoints: [join(root, 'src/umd.ts')],
    // The production build's code (its member names unmangled: esbuild does not know the kept list).
    define: { RESILIENT_EVENTSOURCE_DEV: 'false' },
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = Buffer.from(result.outputFiles[0]?.contents ?? []);
  const ratio = gzipSync(code, { level: 9 }).length / code.length;
  const output = Object.values(result.metafile.outputs)[0];
  return Object.entries(output?.inputs ?? {})
    .map(([file, { bytesInOutput }]) => ({
      module: file.replace(/^.*node_modules\//, ''),
      minified: bytesInOutput,
      gzipEstimate: Math.round(bytesInOutput * ratio),
    }))
    .sort((a, b) => b.minified - a.minified);
}

if (process.argv[1] === import.meta.filename) {
  for (const row of await sizes()) process.stdout.write(`${JSON.stringify(row)}\n`);
}
