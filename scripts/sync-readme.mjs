// Rewrites each code block of the README and of the pages under docs/ that
// has an `<!-- example: path#region -->` marker with the current text of that
// region. test/repo/docs.test.ts checks the result, so run this after editing an
// example: `npm run readme:sync`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pages, region, root } from './doc-samples.mjs';

for (const page of [join(root, 'README.md'), ...pages()]) {
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
