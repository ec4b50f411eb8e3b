import { describe, expect, it } from 'vitest';
import { isEventStream, verdictOn } from '../../src/attempt/response.js';

const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers) });

describe('isEventStream', () => {
  it.each([
    ['text/event-stream', true],
    ['TEXT/Event-Stream', true],
    ['text/event-stream; charset=utf-8', true],
    [' text/event-stream ;foo=bar', true],
    ['text/event-stream, text/event-stream', true],
    ['text/event-stream, text/event-stream; charset=utf-8', true],
    ['text/html, text/event-stream', true],
    ['text/event-stream, */*', true],
    ['text/event-stream; a="x,text/html"', true],
    ['text/event-stream, text/html', false],
    ['text/event-stream, ', true],
    ['text /event-stream', false],
    ['\u00a0text/event-stream', false],
    ['', false],
    ['text/plain', false],
    ['text/event-streams', false],
    ['application/json', false],
  ])('%s → %s', (value, expected) => {
    expect(isEventStream(value)).toBe(expected);
  });
  it('rejects a missing header', () => expect(isEventStream(null)).toBe(false));
});

describe('verdictOn: read the response, or refuse it and say why', () => {
  it('accepts 200 with text/event-stream', () => {
    expect(verdictOn(response(200, { 'content-type': 'text/event-stream' }))).toEqual({ accept: true });
  });

  it('refuses a 200 with another content type, naming it', () => {
    const v = verdictOn(response(200, { 'content-type': 'text/html' }));
    expect(v).toMatchObject({ accept: false, reason: 'content-type', status: 200 });
    expect(!v.accept && v.message).toContain('"text/html"');
  });

  it.each([201, 204, 301, 400, 401, 403, 404, 410, 500, 503])(
    "refuses %i with its status (what follows is the policy's)",
    (status) => {
      const v = verdictOn(response(status, { 'content-type': 'text/event-stream' }));
      expect(v).toMatchObject({ accept: false, reason: 'http-status', status });
      expect(!v.accept && v.message).toBe(`Non-200 status code (${status})`);
    },
  );
});
