/**
 * The shape of src/: the layout limits of issue 12 (no source file over about
 * 300 lines, no function over about 60, so that a change finds its room by
 * file name and a reader can hold a function in view; scripts/layout.mjs),
 * and the layers of issue 22 (scripts/layers.mjs): every folder of src/ is a
 * layer, bottom to top platform, contract, options, persistence, attempt,
 * policy, share, source, then the entry points; a module imports only its
 * own folder and folders below, and no import cycle exists, `import type`
 * included.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without declarations
import { layerReport, layers } from '../../scripts/layers.mjs';
// @ts-expect-error -- a plain .mjs script without declarations
import { layout } from '../../scripts/layout.mjs';

const maxFileLines = 300;
const maxFunctionLines = 60;

interface Measure {
  file: string;
  name?: string;
  lines: number;
}

describe('layout', () => {
  const { files, functions } = layout() as { files: Measure[]; functions: Measure[] };

  it('measures every source file (the measure itself works)', () => {
    expect(files.map((f) => f.file)).toContain('src/source/event-source.ts');
    expect(
      functions.find((f) => f.name === 'constructor' && f.file === 'src/source/event-source.ts')?.lines,
    ).toBeGreaterThan(10);
  });

  it(`keeps every source file within ${maxFileLines} lines`, () => {
    expect(files.filter((f) => f.lines > maxFileLines)).toEqual([]);
  });

  it(`keeps every function within ${maxFunctionLines} lines`, () => {
    expect(functions.filter((f) => f.lines > maxFunctionLines)).toEqual([]);
  });
});

describe('layers', () => {
  const report = layerReport() as {
    files: string[];
    upward: string[];
    cycles: string[];
    unknown: string[];
    edges: number;
  };

  it('reads every source file and its imports (the reading itself works)', () => {
    expect(report.files).toContain('src/source/driver.ts');
    expect(report.edges).toBeGreaterThan(100);
    expect(layers).toEqual([
      'platform',
      'contract',
      'options',
      'persistence',
      'attempt',
      'policy',
      'share',
      'source',
      '(entry points)',
    ]);
  });

  it('every source file is in a layer', () => {
    expect(report.unknown).toEqual([]);
  });

  it('no import runs up a layer', () => {
    expect(report.upward).toEqual([]);
  });

  it('no import cycle, type-only imports included', () => {
    expect(report.cycles).toEqual([]);
  });
});
