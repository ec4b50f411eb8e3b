// Ceiling experiment: what the UMD would weigh without some features, short messages, mangled members.
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { minify } from 'terser';
import fs from 'node:fs';
import zlib from 'node:zlib';
import * as acorn from 'acorn';
const stubs = {
  share: ['src/share/shared-stream.ts', 'export function joinSharedStream(){return undefined}'],
  iterate: ['src/iterate.ts', 'export class StreamError extends Error{}; export function iterateMessages(){return {}}'],
  lifecycle: ['src/lifecycle.ts', 'export function watchLifecycle(){return ()=>{}}; export function isHidden(){return false}; export function isWorker(){return false}'],
  wake: ['src/wake.ts', 'export function watchWake(){return ()=>{}}'],
  persistence: ['src/cursor.ts', 'export function createCursorKeeper(){return {load:async()=>{},changed(){},flush:async()=>{},release(){}}}'],
  stores: ['src/stores/default-store.ts', 'export function defaultStore(){return undefined}'],
  idb: ['src/stores/indexeddb-store.ts', 'export function createIndexedDbStore(){}'],
  dedupe: ['src/dedupe.ts', 'export const noDedupe={admit(){return true},list(){return []}}; export function createDedupeWindow(){return noDedupe}'],
};
const gz = (s) => zlib.gzipSync(s, { level: 9 }).length;
function shortStrings(s) {
  let out = '', last = 0;
  for (const t of acorn.tokenizer(s, { ecmaVersion: 'latest' })) {
    if (t.type.label === 'string' && t.end - t.start > 14) { out += s.slice(last, t.start) + '"E"'; last = t.end; }
    if (t.type.label === 'template' && t.end - t.start > 8) { out += s.slice(last, t.start) + 'E'; last = t.end; }
  }
  return out + s.slice(last);
}
async function build(off) {
  const stubPlugin = { name: 'stub', load(id) { for (const k of off) { const [f, code] = stubs[k]; if (id.endsWith(f)) return code; } return null; } };
  const b = await rollup({ input: 'src/umd.ts', plugins: [stubPlugin, nodeResolve({ browser: true }), esbuild({ target: 'es2022' }), terser({ ecma: 2022, module: false, compress: { passes: 2 }, format: { comments: false } })] });
  const { output } = await b.generate({ format: 'umd', name: 'ResilientEventSource', exports: 'default' });
  return output[0].code;
}
const pub = ['index.d.ts', 'event-source.d.ts', 'types.d.ts', 'errors.d.ts', 'source-target.d.ts', 'message-event.d.ts'].map((f) => fs.readFileSync('dist/' + f, 'utf8')).join('\n');
const reserved = [...new Set(pub.match(/[A-Za-z_$][\w$]*/g))];
const configs = [[], ['share'], ['iterate'], ['lifecycle', 'wake'], ['persistence', 'stores', 'idb'], ['dedupe'], ['share', 'iterate', 'lifecycle', 'wake', 'persistence', 'stores', 'idb', 'dedupe']];
for (const off of configs) {
  const code = await build(off);
  const mangled = (await minify(code, { ecma: 2022, compress: false, mangle: { properties: { reserved, keep_quoted: true } } })).code;
  console.log((off.join('+') || 'everything').padEnd(60), gz(code), 'short msgs', gz(shortStrings(code)), 'mangled', gz(mangled), 'both', gz(shortStrings(mangled)));
}
