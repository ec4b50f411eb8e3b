// Rewrites each README code block that has an `<!-- example: path#region -->`
// marker with the current text of that region. test/readme.test.ts checks the
// result, so run this after editing an example: `npm run readme:sync`.
import { readFileSync, writeFileSync } from 'node:fs';

function region(source) {
  const [path, name] = source.split('#');
  const text = readFileSync(path, 'utf8');
  const html = path.endsWith('.html');
  const start = html ? `<!-- #region readme:${name} -->` : `// #region readme:${name}`;
  const end = html ? '<!-- #endregion -->' : '// #endregion';
  const from = text.indexOf(start);
  if (from === -1) throw new Error(`${path} has no region "${name}"`);
  const lines = text.slice(from + start.length, text.indexOf(end, from)).replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

const readme = readFileSync('README.md', 'utf8');
// The body may be empty (a new sample): the lazy `(?:…\n)??` keeps the match inside the block.
const updated = readme.replace(/<!-- example: (\S+) -->\n```(\w*)\n(?:[\s\S]*?\n)??```/g, (_, source, lang) => `<!-- example: ${source} -->\n\`\`\`${lang}\n${region(source)}\n\`\`\``);
writeFileSync('README.md', updated);
process.stdout.write(updated === readme ? 'README.md already in sync\n' : 'README.md updated\n');
