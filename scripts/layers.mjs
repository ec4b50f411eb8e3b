// The layers of src/ and the imports between them (type-only ones included),
// for test/repo/architecture.test.ts. `node scripts/layers.mjs` prints every
// import that runs up a layer or closes a cycle.
//
// A layer is a folder of src/; the entry points (index.ts, node.ts, umd.ts)
// are the top. A module may import its own folder and any folder below; the
// import graph of modules has no cycle, `import type` included.
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { parse, root, sourceFiles } from './source-files.mjs';

/** Bottom to top. */
export const layers = [
  'platform',
  'contract',
  'options',
  'persistence',
  'attempt',
  'policy',
  'share',
  'source',
  '(entry points)',
];

const layerOf = (file) => {
  const parts = relative(join(root, 'src'), file).split('/');
  return parts.length === 1 ? '(entry points)' : parts[0];
};

/** Every relative module a file imports or re-exports, type-only included. */
function importsOf(path) {
  const file = parse(path);
  const found = [];
  for (const statement of file.statements) {
    const spec = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) {
      found.push(resolve(dirname(path), spec.text.replace(/\.js$/, '.ts')));
    }
  }
  return found;
}

export function layerReport() {
  const files = sourceFiles();
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const rel = (f) => relative(root, f);
  const upward = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (layers.indexOf(layerOf(to)) > layers.indexOf(layerOf(from)))
        upward.push(`${rel(from)} → ${rel(to)} (${layerOf(from)} imports ${layerOf(to)}, a layer above)`);
    }
  }
  // Cycles: a depth-first search that reports each back edge's loop.
  const cycles = [];
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 'open');
    stack.push(f);
    for (const to of graph.get(f) ?? []) {
      if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].map(rel).join(' → '));
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  const unknown = files.filter((f) => !layers.includes(layerOf(f))).map(rel);
  return {
    files: files.map(rel),
    upward,
    cycles,
    unknown,
    edges: [...graph.values()].reduce((n, t) => n + t.length, 0),
  };
}

if (process.argv[1] === import.meta.filename) {
  const { upward, cycles, unknown, edges } = layerReport();
  process.stdout.write(
    `${edges} imports; up a layer: ${upward.length}; cycles: ${cycles.length}; outside any layer: ${unknown.length}\n`,
  );
  for (const line of [...upward, ...cycles.map((c) => `cycle: ${c}`), ...unknown.map((u) => `no layer: ${u}`)])
    process.stdout.write(`  ${line}\n`);
}
