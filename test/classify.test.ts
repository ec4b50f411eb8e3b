import { describe, expect, it } from 'vitest';
import { classifyResponse, isEventStream } from '../src/attempt/response.js';

const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers) });
const now = Date.parse('2026-11-21T12:00:00Z');

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

describe('classifyResponse', () => {
  it('accepts 200 with text/event-stream', () => {
    expect(classifyResponse(response(200, { 'content-type': 'text/event-stream' }), false, now)).toEqual({ action: 'accept' });
  });

  it('fails a 200 with another content type, naming it', () => {
    const v = classifyResponse(response(200, { 'content-type': 'text/html' }), false, now);
    expect(v).toMatchObject({ action: 'fail', reason: 'content-type', status: 200 });
    expect(v.action === 'fail' && v.message).toContain('"text/html"');
  });

  it('stops on 204', () => {
    expect(classifyResponse(response(204), false, now)).toMatchObject({ action: 'fail', reason: 'http-status', status: 204 });
  });

  it.each([500, 502, 503, 504, 599, 408, 429])('retries %i', (status) => {
    expect(classifyResponse(response(status), false, now)).toMatchObject({ action: 'retry', reason: 'http-status', status, wait: undefined });
  });

  it('honours Retry-After on 503 and 429 only', () => {
    expect(classifyResponse(response(503, { 'retry-after': '3' }), false, now)).toMatchObject({ action: 'retry', wait: 3000 });
    expect(classifyResponse(response(429, { 'retry-after': 'Sat, 21 Nov 2026 12:00:10 GMT' }), false, now)).toMatchObject({ wait: 10_000 });
    expect(classifyResponse(response(500, { 'retry-after': '3' }), false, now)).toMatchObject({ action: 'retry', wait: undefined });
  });

  it('asks for fresh headers on 401 only when headers are a function', () => {
    expect(classifyResponse(response(401), true, now)).toMatchObject({ action: 'reauthenticate', status: 401 });
    expect(classifyResponse(response(401), false, now)).toMatchObject({ action: 'fail', reason: 'http-status', status: 401 });
  });

  it.each([201, 301, 400, 403, 404, 410])('fails %i', (status) => {
    const v = classifyResponse(response(status, { 'content-type': 'text/event-stream' }), true, now);
    expect(v).toMatchObject({ action: 'fail', reason: 'http-status', status });
    expect(v.action === 'fail' && v.message).toBe(`Non-200 status code (${status})`);
  });
});
