/**
 * What only the development build says about a refused option (see
 * platform/build.ts): the value it got, and the known name nearest to a
 * misspelt one. Production messages name the option and what it must be.
 */

/** A value as a message shows it: strings quoted, objects and functions by kind. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return value && typeof value === 'object' ? 'an object' : String(value);
}

/**
 * The known name nearest to a misspelt one, if any is near enough to suggest:
 * the one that shares the most letters at the start plus at the end (any
 * single typo leaves all but one letter shared), if that is half the name and
 * at least 3 letters. Ties go to the row higher in the table.
 */
export function closest(name: string, known: string[]): string | undefined {
  const a = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Math.max(3, a.length / 2) - 0.5;
  for (const candidate of known) {
    const b = candidate.toLowerCase();
    let start = 0;
    let end = 1;
    while (a[start] && a[start] === b[start]) start++;
    while (a[a.length - end] && a[a.length - end] === b[b.length - end]) end++;
    const score = start + end - 1;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
