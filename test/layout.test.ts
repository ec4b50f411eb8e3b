/**
 * The layout limits of issue 12: no source file over about 300 lines, no
 * function over about 60, so that a change finds its room by file name and
 * a reader can hold a function in view. scripts/layout.mjs measures them.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without declarations
import { layout } from '../scripts/layout.mjs';

const maxFileLines = 300;
const maxFunctionLines = 60;

interface Measure { file: string; name?: string; lines: number }

describe('layout', () => {
  const { files, functions } = layout() as { files: Measure[]; functions: Measure[] };

  it('measures every source file (the measure itself works)', () => {
    expect(files.map((f) => f.file)).toContain('src/source/event-source.ts');
    expect(functions.find((f) => f.name === 'constructor' && f.file === 'src/source/event-source.ts')?.lines).toBeGreaterThan(10);
  });

  it(`keeps every source file within ${maxFileLines} lines`, () => {
    expect(files.filter((f) => f.lines > maxFileLines)).toEqual([]);
  });

  it(`keeps every function within ${maxFunctionLines} lines`, () => {
    expect(functions.filter((f) => f.lines > maxFunctionLines)).toEqual([]);
  });
});
