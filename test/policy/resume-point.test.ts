/** The resume point, pure: where the next request goes and which cursor it carries. */
import { describe, expect, it } from 'vitest';
import { ResumePoint } from '../../src/policy/resume-point.js';

describe('ResumePoint', () => {
  it('sends the last id as the cursor, and no cursor before the first id', () => {
    const point = new ResumePoint('http://x.test/s');
    expect(point.next('', undefined)).toEqual({ url: 'http://x.test/s', cursor: '' });
    expect(point.sentCursor).toBe(false);
    expect(point.next('7', undefined)).toEqual({ url: 'http://x.test/s', cursor: '7' });
    expect(point.sentCursor).toBe(true);
  });

  it('puts the cursor in the query when asked: the id itself, percent-encoded; the header gets its UTF-8 bytes', () => {
    const point = new ResumePoint('http://x.test/s?a=1');
    expect(point.next('4 é', 'since')).toEqual({ url: 'http://x.test/s?a=1&since=4+%C3%A9', cursor: '4 \u00c3\u00a9' });
    expect([point.sentCursor, point.sentCursorInUrl]).toEqual([true, true]);
    expect(point.next('', 'since')).toEqual({ url: 'http://x.test/s?a=1', cursor: '' });
    expect([point.sentCursor, point.sentCursorInUrl]).toEqual([false, false]);
  });

  it('leaves out an id that cannot be a header value, reporting it once only', () => {
    const point = new ResumePoint('http://x.test/s');
    expect(point.next('a\nb', 'since')).toEqual({
      url: 'http://x.test/s',
      cursor: '',
      unsendable: {
        reason: 'network',
        message:
          'The last event id "a\\nb" cannot be sent as a Last-Event-ID header (control characters); connecting without it',
      },
    });
    expect(point.next('a\nb', 'since')).toEqual({ url: 'http://x.test/s', cursor: '' });
    expect(point.sentCursor).toBe(false);
    expect(point.next('c\rd', undefined).unsendable?.message).toContain('"c\\rd"');
  });

  it('across origins with a query name, the query alone carries the cursor: no header, and sentCursor says so', () => {
    const point = new ResumePoint('http://api.test/s', true);
    expect(point.next('5', 'since')).toEqual({ url: 'http://api.test/s?since=5', cursor: '' });
    expect([point.sentCursor, point.sentCursorInUrl]).toEqual([false, true]);
    // Without lastEventIdQuery, the header is the only way: it goes (and needs a preflight).
    expect(point.next('5', undefined)).toEqual({ url: 'http://api.test/s', cursor: '5' });
    expect([point.sentCursor, point.sentCursorInUrl]).toEqual([true, false]);
  });

  it('stops sending an id the server refused, and sends the next one again', () => {
    const point = new ResumePoint('http://x.test/s');
    point.refuse('9');
    expect(point.next('9', undefined)).toEqual({ url: 'http://x.test/s', cursor: '' });
    expect(point.sentCursor).toBe(false);
    expect(point.next('10', undefined).cursor).toBe('10');
  });
});
