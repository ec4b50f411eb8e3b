// ESM + CJS for bundlers and Node (dependencies stay external), and one
// minified UMD for <script> pages with everything inside.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const external = (id) => id.startsWith('node:');
// ES2022 keeps class private fields native (downlevelled, they cost ~2x the size).
const target = 'es2022';

export default [
  {
    input: { index: 'src/index.ts', node: 'src/node.ts' },
    external,
    plugins: [esbuild({ target })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'shared-[hash].js', sourcemap: true },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'shared-[hash].cjs',
        sourcemap: true,
        exports: 'named',
      },
    ],
  },
  {
    input: 'src/umd.ts',
    // terser with two compress passes makes the UMD ~3% smaller than
    // esbuild's minifier (gzip), the bundle a <script> page pays for.
    plugins: [
      nodeResolve({ browser: true }),
      esbuild({ target }),
      terser({ ecma: 2022, module: false, compress: { passes: 2 }, format: { comments: false } }),
    ],
    output: {
      file: 'dist/resilient-eventsource.umd.min.js',
      format: 'umd',
      name: 'ResilientEventSource',
      exports: 'default',
      sourcemap: true,
    },
  },
];
