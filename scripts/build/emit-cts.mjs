// Declarations for the CommonJS build. tsc emits one set of `.d.ts` files,
// which TypeScript reads as ESM in this `"type": "module"` package; a
// `require` of the package typed by them is "masquerading as ESM" and fails
// under `node16`/`nodenext` (TS1479). Each `dist/**/*.d.ts` is copied to a
// `.d.cts` next to it, with relative specifiers `./x.js` rewritten to `./x.cjs`
// so the copies import each other (TypeScript maps `./x.cjs` to `./x.d.cts`).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
// `from './x.js'`, `import('./x.js')` and `export * from '../x.js'`: relative only.
const specifier = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.js\2/g;

let count = 0;
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(join(dist, file), 'utf8');
  writeFileSync(join(dist, file.replace(/\.d\.ts$/, '.d.cts')), text.replace(specifier, '$1$2$3.cjs$2'));
  count++;
}
if (count === 0) throw new Error(`no .d.ts files in ${dist}: run tsc first`);
