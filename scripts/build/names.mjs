// The names the production build keeps as they are; every other property name
// is internal, and the build mangles it (scripts/build/mangle.mjs). Kept:
//
// - Every name in the platform's declarations (TypeScript's lib.*.d.ts for
//   the DOM, workers and the language; @types/node): objects we hand to
//   fetch, IndexedDB, Web Locks, node:fs and the like are read by name.
// - Every name in the package's public declarations (what dist/index.d.ts and
//   dist/node.d.ts reach): what users call, pass and read.
// - Every name in the declarations of data that leaves this build: the
//   cross-tab messages (another tab may run another build), the registry of
//   open keys on globalThis (the ESM and CommonJS builds share it), the
//   stored cursor and the file store's file (read again by the next version).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Declarations of data that leaves the build, beside the public ones. */
const crossingDeclarations = [
  'share/messages.d.ts',
  'persistence/open-keys.d.ts',
  'persistence/stores/file-store.d.ts',
];

/** The identifiers of a declaration file, its comments left out (a word in a doc comment names nothing). */
const identifiers = (text) => text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').match(/[A-Za-z_$][\w$]*/g) ?? [];

/** The .d.ts files that `entry` reaches through relative imports, itself included. */
function declarationsFrom(entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts')));
    }
  }
  return [...seen];
}

function platformDeclarations() {
  const lib = join(root, 'node_modules', 'typescript', 'lib');
  const node = join(root, 'node_modules', '@types', 'node');
  return [
    ...readdirSync(lib)
      .filter((f) => /^lib\..*\.d\.ts$/.test(f))
      .map((f) => join(lib, f)),
    ...readdirSync(node, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => join(node, f)),
  ];
}

/** Every name to keep, given the directory the declarations were emitted to. */
export function keptNames(dist = join(root, 'dist')) {
  const files = [
    ...platformDeclarations(),
    ...declarationsFrom(join(dist, 'index.d.ts')),
    ...declarationsFrom(join(dist, 'node.d.ts')),
    ...crossingDeclarations.map((f) => join(dist, f)),
  ];
  const names = new Set();
  for (const file of files) for (const name of identifiers(readFileSync(file, 'utf8'))) names.add(name);
  return names;
}
