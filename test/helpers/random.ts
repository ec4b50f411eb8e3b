/**
 * Seeded random sources for tests, so that every random case replays from its
 * seed. Two generators, because the tests that use each were written against
 * its sequence: changing a test's generator changes the cases it runs.
 */

/** A linear congruential generator: numbers in [0, 1). The parser's and decoder's random splits use it. */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** mulberry32: numbers in [0, 1), better spread than {@link lcg}. The soak test and the fuzzers' jitter use it. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
