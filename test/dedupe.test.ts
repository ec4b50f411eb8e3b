import { describe, expect, it } from 'vitest';
import { createDedupeWindow } from '../src/dedupe.js';

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
