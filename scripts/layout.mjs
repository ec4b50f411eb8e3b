// Lines per source file and per function in src/, longest first: the layout
// limits of issue 12 (no file over ~300 lines, no function over ~60), which
// test/repo/architecture.test.ts enforces. `node scripts/layout.mjs` prints the top ten.
import { relative } from 'node:path';
import ts from 'typescript';
import { parse, root, sourceFiles } from './source-files.mjs';

/** Every function-like node with its line count and a readable name. */
function functionsOf(path) {
  const file = parse(path);
  const text = file.text;
  const found = [];
  const nameOf = (node) => {
    if (ts.isConstructorDeclaration(node)) return 'constructor';
    if (node.name) return node.name.getText(file);
    const parent = node.parent;
    if (
      parent &&
      (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent))
    )
      return parent.name.getText(file);
    return '(anonymous)';
  };
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.end).line;
      found.push({ file: relative(root, path), name: nameOf(node), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), functions: found };
}

export function layout() {
  const files = [];
  const functions = [];
  for (const path of sourceFiles()) {
    const { lines, functions: fns } = functionsOf(path);
    files.push({ file: relative(root, path), lines });
    functions.push(...fns);
  }
  files.sort((a, b) => b.lines - a.lines);
  functions.sort((a, b) => b.lines - a.lines);
  return { files, functions };
}

if (process.argv[1] === import.meta.filename) {
  const { files, functions } = layout();
  console.log(
    'files:',
    files
      .slice(0, 10)
      .map((f) => `${f.file} ${f.lines}`)
      .join(', '),
  );
  console.log(
    'functions:',
    functions
      .slice(0, 10)
      .map((f) => `${f.file}:${f.name} ${f.lines}`)
      .join(', '),
  );
}
