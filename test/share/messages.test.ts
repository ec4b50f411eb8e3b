/**
 * The wire form of the cross-tab messages (src/share/messages.ts): only
 * plain data crosses a BroadcastChannel, so an error travels without its
 * cause and with its headers as pairs, and comes back as it was.
 */
import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../../src/share/messages.js';

describe('share messages', () => {
  it('an error travels without its cause, headers as pairs, and structured-clones', () => {
    const cause = { toJSON: () => 'not cloneable', fn: () => {} };
    const wire = toWire({
      reason: 'http-status',
      message: 'Non-200 status code (503)',
      status: 503,
      cause,
      headers: new Headers({ 'retry-after': '5' }),
      body: '{"error":"busy"}',
    });
    expect(wire).toEqual({
      reason: 'http-status',
      message: 'Non-200 status code (503)',
      status: 503,
      headers: [['retry-after', '5']],
      body: '{"error":"busy"}',
    });
    // What postMessage does to it; a function anywhere would throw DataCloneError.
    expect(() => structuredClone(wire)).not.toThrow();
    const back = fromWire(structuredClone(wire));
    expect(back.headers?.get('retry-after')).toBe('5');
    expect(back).toMatchObject({
      reason: 'http-status',
      message: 'Non-200 status code (503)',
      status: 503,
      body: '{"error":"busy"}',
    });
    expect(back.cause).toBeUndefined();
  });

  it('an error without a response travels with no headers or body', () => {
    const back = fromWire(structuredClone(toWire({ reason: 'network', message: 'Network error: fetch failed' })));
    expect(back).toMatchObject({
      reason: 'network',
      message: 'Network error: fetch failed',
      status: undefined,
      headers: undefined,
      body: undefined,
    });
  });
});
