// Two builds of the library, chosen by the `development` export condition
// (package.json) and, for <script> pages, by file name:
//
// - production (dist/index.js, .cjs; dist/resilient-eventsource.umd.min.js):
//   short messages, internal member names mangled (scripts/build/mangle.mjs),
//   the UMD minified;
// - development (dist/development/; dist/resilient-eventsource.umd.js): the
//   full messages, did-you-mean and hints of src/options/hints.ts, names as
//   in the source, nothing minified.
//
// `RESILIENT_EVENTSOURCE_DEV` is what src/platform/build.ts reads. ESM + CJS
// keep dependencies external; the UMD has everything inside.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import { mangleInternals } from './scripts/build/mangle.mjs';

const external = (id) => id.startsWith('node:');
// ES2022 keeps class private fields native (downlevelled, they cost ~2x the size).
const target = 'es2022';
const compile = (development) => esbuild({ target, define: { RESILIENT_EVENTSOURCE_DEV: String(development) } });
const entries = { index: 'src/index.ts', node: 'src/node.ts' };

/** The ESM and CJS outputs of one build, in `dir`. */
const modules = (dir) => [
  { dir, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'shared-[hash].js', sourcemap: true },
  {
    dir,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: 'shared-[hash].cjs',
    sourcemap: true,
    exports: 'named',
  },
];

/** The UMD bundle: `window.ResilientEventSource`. */
const umd = (file) => ({ file, format: 'umd', name: 'ResilientEventSource', exports: 'default', sourcemap: true });

export default [
  { input: entries, external, plugins: [compile(false), mangleInternals({ minify: false })], output: modules('dist') },
  { input: entries, external, plugins: [compile(true)], output: modules('dist/development') },
  {
    input: 'src/umd.ts',
    plugins: [nodeResolve({ browser: true }), compile(false), mangleInternals({ minify: true })],
    output: umd('dist/resilient-eventsource.umd.min.js'),
  },
  {
    input: 'src/umd.ts',
    plugins: [nodeResolve({ browser: true }), compile(true)],
    output: umd('dist/resilient-eventsource.umd.js'),
  },
];
