/** Request building, pure: the header value of a cursor and the URL with lastEventIdQuery. */
import { describe, expect, it } from 'vitest';
import { headerValueOf, requestUrl } from '../../src/attempt/request.js';

describe('headerValueOf', () => {
  it('keeps ASCII, and sends other characters as their UTF-8 bytes', () => {
    expect(headerValueOf('42')).toBe('42');
    expect(headerValueOf('é')).toBe('\u00c3\u00a9');
    expect(headerValueOf('a\tb')).toBe('a\tb');
  });
  it('refuses ids that no Headers can carry: NUL, CR, LF and other control characters', () => {
    for (const id of ['a\u0000b', 'a\rb', 'a\nb', 'a\u0001b', 'a\u007fb'])
      expect(headerValueOf(id), JSON.stringify(id)).toBeUndefined();
  });
});

describe('requestUrl', () => {
  it('adds the cursor as the named parameter, replacing one of that name, keeping the rest', () => {
    expect(requestUrl('http://x.test/s?topic=a&since=0', 'since', '7')).toBe('http://x.test/s?topic=a&since=7');
    expect(requestUrl('http://x.test/s', 'lastEventId', '4 é')).toBe('http://x.test/s?lastEventId=4+%C3%A9');
  });
  it('leaves the URL alone without the option or without a cursor', () => {
    expect(requestUrl('http://x.test/s?a=1', undefined, '7')).toBe('http://x.test/s?a=1');
    expect(requestUrl('http://x.test/s?a=1', 'lastEventId', '')).toBe('http://x.test/s?a=1');
  });
});
