import { describe, expect, it } from 'vitest';
import { createDedupeWindow } from '../../src/persistence/dedupe.js';

describe('createDedupeWindow', () => {
  it('remembers ids it was given', () => {
    const w = createDedupeWindow(3);
    w.add('a');
    w.add('b');
    expect(w.has('a')).toBe(true);
    expect(w.has('b')).toBe(true);
    expect(w.has('c')).toBe(false);
  });

  it('forgets the oldest when full', () => {
    const w = createDedupeWindow(3);
    for (const id of ['1', '2', '3', '4']) w.add(id);
    expect(w.has('1')).toBe(false);
    expect(w.list()).toEqual(['2', '3', '4']);
    w.add('5');
    w.add('6');
    expect(w.list()).toEqual(['4', '5', '6']);
  });

  it('lists oldest first before it wraps', () => {
    const w = createDedupeWindow(5);
    w.add('x');
    w.add('y');
    expect(w.list()).toEqual(['x', 'y']);
  });

  it('loads a saved window, keeping only the newest `size`', () => {
    const w = createDedupeWindow(2);
    w.add('old');
    w.load(['1', '2', '3']);
    expect(w.list()).toEqual(['2', '3']);
    expect(w.has('old')).toBe(false);
    expect(w.has('1')).toBe(false);
    w.add('4');
    expect(w.list()).toEqual(['3', '4']);
  });

  it('ignores repeated ids in a loaded window', () => {
    const w = createDedupeWindow(3);
    w.load(['a', 'a', 'b']);
    expect(w.list()).toEqual(['a', 'b']);
  });

  it('stays bounded over a million ids', () => {
    const w = createDedupeWindow(1000);
    for (let i = 0; i < 1_000_000; i++) w.add(String(i));
    expect(w.list()).toHaveLength(1000);
    expect(w.has('998999')).toBe(false);
    expect(w.has('999000')).toBe(true);
  });
});

describe('both forms of the window give the same answers', () => {
  // A plain reference: the last `size` delivered ids, by linear search.
  function reference(size: number) {
    const last: string[] = [];
    return {
      has: (id: string) => last.includes(id),
      add: (id: string) => {
        last.push(id);
        if (last.length > size) last.shift();
      },
      list: () => last.slice(),
    };
  }

  /** Runs `sequence` through has() + add() on one window and admit() on another, against the reference. */
  function check(sequence: string[], size: number) {
    const w = createDedupeWindow(size);
    const a = createDedupeWindow(size);
    const r = reference(size);
    for (const id of sequence) {
      const repeat = r.has(id);
      expect(w.has(id), `has(${id})`).toBe(repeat);
      expect(a.admit(id), `admit(${id})`).toBe(!repeat);
      if (!repeat) {
        w.add(id);
        r.add(id);
      }
    }
    expect(w.list()).toEqual(r.list());
    expect(a.list()).toEqual(r.list());
  }

  it('increasing integers with replays of recent and forgotten ids', () => {
    check(['1', '2', '3', '4', '5', '3', '1', '6', '7', '2', '8', '9', '10', '11', '12', '5', '13'], 4);
  });

  it('integers across a change in digit count (9 → 10 → 100)', () => {
    check(['7', '8', '9', '10', '11', '99', '100', '101', '9', '10', '100', '1000'], 5);
  });

  it('an id that breaks the order switches to the hashed form and stays exact', () => {
    check(['1', '2', '3', '2', '10', '5', '11', '5', '4', 'abc', '12', 'abc', '3'], 4);
    check(['a', 'b', 'c', 'a', 'd', 'e', 'f', 'b'], 3);
    check(['007', '7', '8', '008', '7', '9'], 3);
    check(['1', '0', '2', '01', '1', '3'], 3);
  });

  it('a random mix matches the reference over thousands of steps', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const size of [1, 3, 50]) {
      const sequence: string[] = [];
      let n = 0;
      for (let i = 0; i < 3000; i++) {
        const r = random();
        if (r < 0.7) sequence.push(String(++n));
        else if (r < 0.9) sequence.push(String(Math.max(0, n - Math.floor(random() * 2 * size))));
        else sequence.push(r < 0.95 ? `x${Math.floor(random() * 20)}` : String(n + 1 + Math.floor(random() * 3)));
      }
      check(sequence, size);
    }
  });

  it('a loaded window keeps its form: ordered ids stay fast, others are hashed', () => {
    const w = createDedupeWindow(3);
    w.load(['5', '6', '7']);
    expect([w.has('6'), w.has('8'), w.has('4')]).toEqual([true, false, false]);
    w.load(['b', 'a']);
    expect([w.has('a'), w.has('b'), w.has('c')]).toEqual([true, true, false]);
  });
});
