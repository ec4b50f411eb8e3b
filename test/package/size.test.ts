/** The UMD bundle stays within its size budget (bench/size-budget.ts says why and how much). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { sizeBudget } from '../../bench/size-budget.js';

it(`the UMD bundle is at most ${sizeBudget.guardGzipBytes} bytes gzipped`, () => {
  const code = readFileSync(join(import.meta.dirname, '..', '..', sizeBudget.file));
  const gzip = gzipSync(code, { level: 9 }).length;
  expect(gzip).toBeGreaterThan(1000);
  expect(gzip).toBeLessThanOrEqual(sizeBudget.guardGzipBytes);
});
