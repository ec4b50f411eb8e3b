// The source files of src/ and their syntax trees, for the scripts that
// measure the codebase (layout.mjs: lengths; layers.mjs: imports). A file is
// parsed once however many of them read it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** The repository's root. */
export const root = join(import.meta.dirname, '..');

/** Every .ts file under `dir` (by default src/), in directory order. */
export function sourceFiles(dir = join(root, 'src')) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const parsed = new Map();

/** The syntax tree of the file at `path` (with parent links, so nodes know their context). */
export function parse(path) {
  let file = parsed.get(path);
  if (!file) {
    file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    parsed.set(path, file);
  }
  return file;
}
