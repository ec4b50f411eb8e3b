/**
 * Every code sample in the README is a region of a runnable example (the
 * examples are tests themselves): this fails when a sample has no source, when
 * it drifts from its source, or when an example is no longer shown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Block {
  lang: string;
  code: string;
  source: string | undefined;
  line: number;
}

/** The fenced blocks of the README with the `<!-- example: path#region -->` marker before each, if any. */
function blocks(): Block[] {
  const out: Block[] = [];
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    const marker = /^<!-- example: (\S+) -->$/.exec(lines[i - 1] ?? '');
    out.push({ lang: open[1] ?? '', code: lines.slice(i + 1, end).join('\n'), source: marker?.[1], line: i + 1 });
    i = end;
  }
  return out;
}

function region(source: string): string {
  const [path = '', name = ''] = source.split('#');
  const text = readFileSync(join(root, path), 'utf8');
  const start = path.endsWith('.html') ? `<!-- #region readme:${name} -->` : `// #region readme:${name}`;
  const end = path.endsWith('.html') ? '<!-- #endregion -->' : '// #endregion';
  const from = text.indexOf(start);
  if (from === -1) throw new Error(`${path} has no region "${name}"`);
  const body = text.slice(from + start.length, text.indexOf(end, from)).replace(/^\n/, '').replace(/\s+$/, '');
  const lines = body.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

describe('README code samples', () => {
  const all = blocks();

  it('has samples to check', () => {
    expect(all.filter((b) => b.source).length).toBeGreaterThanOrEqual(10);
  });

  it('every sample except shell commands names the example it comes from', () => {
    const unmarked = all.filter((b) => !b.source && b.lang !== 'sh').map((b) => `line ${b.line} (${b.lang || 'no language'})`);
    expect(unmarked).toEqual([]);
  });

  for (const block of all.filter((b) => b.source)) {
    it(`line ${block.line} is ${block.source} exactly`, () => {
      expect(block.code).toBe(region(block.source ?? ''));
    });
  }

  it('every example region is shown in the README', () => {
    const shown = new Set(all.map((b) => b.source));
    const regions: string[] = [];
    for (const file of readdirSync(join(root, 'examples'))) {
      const text = readFileSync(join(root, 'examples', file), 'utf8');
      for (const m of text.matchAll(/#region readme:([\w-]+)/g)) regions.push(`examples/${file}#${m[1]}`);
    }
    expect(regions.filter((r) => !shown.has(r))).toEqual([]);
  });

  it('the commands it promises exist', () => {
    expect(readme).toContain('`npm install && npm run demo`');
    expect(readme).toContain('`npm test`');
    for (const script of ['demo', 'demo:node', 'server', 'test']) expect(pkg.scripts[script], script).toBeTruthy();
  });
});
