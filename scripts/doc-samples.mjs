// What the README and the docs pages show of the examples: the pages, and the
// text of an example region as a page shows it. scripts/sync-readme.mjs writes
// the samples from it; test/repo/docs.test.ts checks them against it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root. */
export const root = join(import.meta.dirname, '..');

/** Every Markdown page under `dir` (by default docs/), subfolders included. */
export function pages(dir = join(root, 'docs')) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return pages(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/**
 * The text of the region `source` (`path#name`, the path from the root):
 * between `// #region readme:name` and `// #endregion` (`<!-- … -->` in
 * HTML), without its first newline and trailing space, dedented.
 */
export function region(source) {
  const [path = '', name = ''] = source.split('#');
  const text = readFileSync(join(root, path), 'utf8');
  const html = path.endsWith('.html');
  const start = html ? `<!-- #region readme:${name} -->` : `// #region readme:${name}`;
  const end = html ? '<!-- #endregion -->' : '// #endregion';
  const from = text.indexOf(start);
  if (from === -1) throw new Error(`${path} has no region "${name}"`);
  const lines = text
    .slice(from + start.length, text.indexOf(end, from))
    .replace(/^\n/, '')
    .replace(/\s+$/, '')
    .split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
