// A rollup plugin for the production build: mangles the names of internal
// properties and methods (a reader of the development build sees them all;
// the production build need not carry them), and with `minify`, minifies.
// Which names are internal: scripts/build/names.mjs. One name cache serves
// every chunk of the build, so that a member keeps one mangled name across
// chunks (index.js and node.js share one), and terser runs synchronously,
// chunk after chunk, so the cache is never read half-written.
import { minify_sync } from 'terser';
import { keptNames } from './names.mjs';

/** @param {{ minify: boolean }} options */
export function mangleInternals({ minify }) {
  const nameCache = {};
  /** @type {string[] | undefined} */
  let reserved;
  return {
    name: 'mangle-internals',
    renderChunk(code, _chunk, output) {
      // Read once the declarations exist: the build emits them first.
      reserved ??= [...keptNames()];
      const result = minify_sync(code, {
        ecma: 2022,
        module: output.format === 'es',
        compress: minify ? { passes: 2 } : false,
        mangle: { properties: { reserved, keep_quoted: true } },
        format: { comments: false, beautify: !minify },
        nameCache,
        sourceMap: output.sourcemap ? { asObject: true } : false,
      });
      return { code: result.code ?? '', map: result.map ?? null };
    },
  };
}
