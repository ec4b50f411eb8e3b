/**
 * The README and every page under docs/: every code sample (but shell
 * commands) is a region of a runnable example in examples/, exactly (`npm run
 * readme:sync` rewrites them from the examples), so no sample can drift from
 * code that runs; every relative link reaches a file, and a heading there;
 * each page under docs/ opens with a table of contents; every example region
 * is shown somewhere; and the README keeps its two promised commands.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pages, region, root } from '../../scripts/doc-samples.mjs';

interface Block {
  lang: string;
  code: string;
  source: string | undefined;
  line: number;
}

/** The fenced blocks of a page, with the `<!-- example: path#region -->` marker before each, if any. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
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

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function headings(text: string): Set<string> {
  const found = new Set<string>();
  let inFence = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const m = !inFence && /^#{1,6} (.+)$/.exec(line);
    if (m) found.add(slug(m[1] ?? ''));
  }
  return found;
}

const all = pages();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('the README and the docs pages', () => {
  it('there are pages to check', () => {
    expect(all.map((p) => relative(root, p)).sort()).toEqual(
      expect.arrayContaining([
        'docs/llm-streams.md',
        'docs/migrate/from-native.md',
        'docs/migrate/from-eventsource.md',
        'docs/migrate/from-fetch-event-source.md',
        'docs/migrate/from-eventsource-client.md',
        'docs/migrate/from-event-source-polyfill.md',
        'docs/migrate/from-launchdarkly.md',
      ]),
    );
  });

  for (const page of [join(root, 'README.md'), ...all]) {
    const name = relative(root, page);
    const text = readFileSync(page, 'utf8');

    describe(name, () => {
      it('every sample except shell commands names the example it comes from', () => {
        const unmarked = blocks(text)
          .filter((b) => !b.source && b.lang !== 'sh')
          .map((b) => `line ${b.line}`);
        expect(unmarked).toEqual([]);
      });

      for (const block of blocks(text).filter((b) => b.source)) {
        it(`line ${block.line} is ${block.source} exactly`, () => {
          expect(block.code).toBe(region(block.source ?? ''));
        });
      }

      if (name !== 'README.md')
        it('opens with a table of contents whose links reach its headings', () => {
          const beforeFirstSection = text.slice(0, text.indexOf('\n## '));
          const toc = [...beforeFirstSection.matchAll(/^\s*- \[[^\]]+\]\(#([^)]+)\)$/gm)].map((m) => m[1] ?? '');
          expect(toc.length).toBeGreaterThanOrEqual(3);
          const anchors = headings(text);
          expect(toc.filter((a) => !anchors.has(a))).toEqual([]);
        });

      it('every relative link reaches a file, and a heading there', () => {
        const broken: string[] = [];
        for (const m of text.matchAll(/\]\((?!https?:|#)([^)#\s]+)(?:#([^)\s]+))?\)/g)) {
          const target = join(dirname(page), m[1] ?? '');
          if (!existsSync(target)) broken.push(m[0]);
          else if (m[2] && target.endsWith('.md') && !headings(readFileSync(target, 'utf8')).has(m[2]))
            broken.push(m[0]);
        }
        for (const m of text.matchAll(/\]\(#([^)\s]+)\)/g)) if (!headings(text).has(m[1] ?? '')) broken.push(m[0]);
        expect(broken).toEqual([]);
      });
    });
  }

  it('the README has samples, and keeps the two commands it promises on a fresh clone', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(blocks(readme).filter((b) => b.source).length).toBeGreaterThanOrEqual(4);
    expect(readme).toContain('`npm install && npm run demo`');
    expect(readme).toContain('`npm test`');
    for (const script of ['demo', 'demo:node', 'server', 'test', 'fuzz'])
      expect(pkg.scripts[script], script).toBeTruthy();
  });

  it('every example region is shown, in the README or in a page; no region name is used twice', () => {
    const shown = new Set(
      [readFileSync(join(root, 'README.md'), 'utf8'), ...all.map((p) => readFileSync(p, 'utf8'))].flatMap((t) =>
        blocks(t).map((b) => b.source),
      ),
    );
    const regions: string[] = [];
    for (const file of readdirSync(join(root, 'examples'))) {
      const text = readFileSync(join(root, 'examples', file), 'utf8');
      for (const m of text.matchAll(/#region readme:([\w-]+)/g)) regions.push(`examples/${file}#${m[1]}`);
    }
    expect(regions.filter((r) => !shown.has(r))).toEqual([]);
    const names = regions.map((r) => r.split('#')[1]);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
