import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import zlib from 'node:zlib';
const variants = {
  base: { ecma: 2022, module: false, compress: { passes: 2 }, format: { comments: false } },
  p3: { ecma: 2022, module: false, compress: { passes: 3 }, format: { comments: false } },
  unsafe: { ecma: 2022, module: false, compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true, unsafe: true, unsafe_comps: true, hoist_props: true }, format: { comments: false } },
  wrap: { ecma: 2022, module: false, compress: { passes: 2 }, format: { comments: false, wrap_func_args: false } },
};
for (const [name, opts] of Object.entries(variants)) {
  const b = await rollup({ input: 'src/umd.ts', plugins: [nodeResolve({ browser: true }), esbuild({ target: 'es2022' }), terser(opts)] });
  const { output } = await b.generate({ format: 'umd', name: 'ResilientEventSource', exports: 'default' });
  const code = output[0].code;
  console.log(name, code.length, zlib.gzipSync(code, { level: 9 }).length);
}
