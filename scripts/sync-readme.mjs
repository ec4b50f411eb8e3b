// Rewrites each code block of the README and of the pages under docs/ that
// has an `<!-- example: path#region -->` marker with the current text of that
// region. test/repo/docs.test.ts checks the result, so run this after editing an
// example: `npm run readme:sync`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function region(source) {
  const [path, name] = source.split('#');
  const text = readFileSync(path, 'utf8');
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

const pages = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pages(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );

for (const page of ['README.md', ...pages('docs')]) {
  const text = readFileSync(page, 'utf8');
  // The body may be empty (a new sample): the lazy `(?:…\n)??` keeps the match inside the block.
  const updated = text.replace(
    /<!-- example: (\S+) -->\n```(\w*)\n(?:[\s\S]*?\n)??```/g,
    (_, source, lang) => `<!-- example: ${source} -->\n\`\`\`${lang}\n${region(source)}\n\`\`\``,
  );
  if (updated !== text) {
    writeFileSync(page, updated);
    process.stdout.write(`${page} updated\n`);
  }
}
