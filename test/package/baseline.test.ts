/**
 * The bundles use nothing newer than the support matrix's lowest versions
 * (README: Chrome 90, Firefox 90, Safari 15, Node 18). A size cut can reach
 * for a shorter modern API without noticing; each entry here is one that
 * shipped later than those versions, with where it did.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', '..', 'dist');
const tooNew: [RegExp, string][] = [
  [/\.throwIfAborted\(/, 'AbortSignal.throwIfAborted (Chrome 100, Safari 15.4)'],
  [/\.at\(-?\w/, 'Array/String.prototype.at (Chrome 92, Safari 15.4)'],
  [/\bstatic\s*\{/, 'class static blocks (Chrome 94, Safari 16.4)'],
  [/\bstructuredClone\(/, 'structuredClone (Chrome 98, Safari 15.4)'],
  [/Object\.hasOwn\(/, 'Object.hasOwn (Chrome 93, Safari 15.4)'],
  [/\.findLast(Index)?\(/, 'Array.prototype.findLast (Chrome 97, Safari 15.4)'],
  [/AbortSignal\.(timeout|any)\(/, 'AbortSignal.timeout / any (Chrome 103 / 116, Safari 16 / 17.4)'],
  [/\.(toSorted|toReversed|toSpliced|with)\(/, 'change-array-by-copy (Chrome 110, Safari 16)'],
  [/Promise\.withResolvers\(/, 'Promise.withResolvers (Chrome 119, Safari 17.4)'],
];

describe('the bundles stay within the support matrix', () => {
  const files = readdirSync(dist).filter((file) => /\.c?js$/.test(file));
  it('finds the builds', () =>
    expect(files).toEqual(
      expect.arrayContaining(['index.js', 'index.cjs', 'node.js', 'resilient-eventsource.umd.min.js']),
    ));
  for (const file of files) {
    it(file, () => {
      const code = readFileSync(join(dist, file), 'utf8');
      expect(code.length).toBeGreaterThan(100);
      expect(tooNew.filter(([pattern]) => pattern.test(code)).map(([, what]) => what)).toEqual([]);
    });
  }
});
