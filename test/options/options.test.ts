import { describe, expect, it } from 'vitest';
import { createMemoryStore, ResilientEventSource } from '../../src/index.js';
import { defaultDedupeSize, defaultHeartbeatTimeout, defaultMaxEventSize } from '../../src/contract/defaults.js';
import { normalizeOptions } from '../../src/options/options.js';

const url = 'http://127.0.0.1:9/stream';

describe('normalizeOptions', () => {
  it('fills every default', () => {
    const o = normalizeOptions(url, undefined);
    expect(o).toMatchObject({
      url,
      withCredentials: false,
      method: 'GET',
      backoff: { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 0.5, maxRetries: Infinity },
      heartbeatTimeout: defaultHeartbeatTimeout,
      dedupe: defaultDedupeSize,
      storageKey: url,
      maxEventSize: defaultMaxEventSize,
      pauseWhenHidden: false,
      share: false,
    });
    expect(defaultHeartbeatTimeout).toBe(45_000);
    expect(defaultDedupeSize).toBe(1000);
    expect(defaultMaxEventSize).toBe(16 * 1024 * 1024);
  });

  it("never mutates the caller's object", () => {
    const init = Object.freeze({ backoff: Object.freeze({ initialDelay: 5 }), method: 'post', body: 'x' });
    const o = normalizeOptions(url, init);
    expect(o.backoff.initialDelay).toBe(5);
    expect(o.method).toBe('POST');
    expect(init).toEqual({ backoff: { initialDelay: 5 }, method: 'post', body: 'x' });
  });

  it('raises maxDelay to initialDelay when only initialDelay is larger', () => {
    expect(normalizeOptions(url, { backoff: { initialDelay: 60_000 } }).backoff.maxDelay).toBe(60_000);
  });

  it('turns dedupe off with false or 0', () => {
    expect(normalizeOptions(url, { dedupe: false }).dedupe).toBe(0);
    expect(normalizeOptions(url, { dedupe: 0 }).dedupe).toBe(0);
  });

  it('resolves URL objects', () => {
    expect(normalizeOptions(new URL('http://example.test/a?b#c'), {}).url).toBe('http://example.test/a?b#c');
  });
});

describe('invalid input', () => {
  it.each([
    ['not a url', DOMException, /Invalid URL "not a url"/],
    ['/relative', DOMException, /relative URLs need a page or worker location/],
    ['http://', DOMException, /Invalid URL/],
  ])('URL %j throws %s', (bad, type, message) => {
    expect(() => new ResilientEventSource(bad)).toThrow(type);
    expect(() => new ResilientEventSource(bad)).toThrow(message);
  });

  it('an invalid URL throws a DOMException named SyntaxError, as EventSource does', () => {
    let error: unknown;
    try {
      new ResilientEventSource('http://');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('SyntaxError');
  });

  it.each<[Record<string, unknown>, ErrorConstructor, RegExp]>([
    [{ withCredentials: 'yes' }, TypeError, /`withCredentials` must be a boolean, got "yes"/],
    [{ headers: 42 }, TypeError, /`headers` must be .* got 42/],
    [{ headers: null }, TypeError, /`headers`/],
    [{ method: 'GE T' }, TypeError, /`method` must be an HTTP method name .* got "GE T"/],
    [{ body: 'x' }, TypeError, /`body` cannot be sent with method GET\. Did you mean `method: 'POST'`\?/],
    [{ method: 'head', body: 'x' }, TypeError, /method HEAD/],
    [{ fetch: 'fetch' }, TypeError, /`fetch` must be a function, got "fetch"/],
    [{ signal: {} }, TypeError, /`signal` must be an AbortSignal/],
    [{ backoff: 5 }, TypeError, /`backoff` must be an object/],
    [
      { backoff: { initialDelay: -1 } },
      RangeError,
      /`backoff.initialDelay` must be between 0 and 2147483647 ms, got -1/,
    ],
    [{ backoff: { initialDelay: '5' } }, TypeError, /`backoff.initialDelay` must be a number, got "5"/],
    [{ backoff: { initialDelay: Number.NaN } }, TypeError, /`backoff.initialDelay` must be a number/],
    [
      { backoff: { maxDelay: 10, initialDelay: 100 } },
      RangeError,
      /`backoff.maxDelay` \(10\) must not be less than `backoff.initialDelay` \(100\)/,
    ],
    [{ backoff: { factor: 0.5 } }, RangeError, /`backoff.factor` must be a finite number ≥ 1, got 0.5/],
    [{ backoff: { jitter: 2 } }, RangeError, /`backoff.jitter` must be between 0 and 1, got 2/],
    [{ backoff: { maxRetries: 1.5 } }, RangeError, /`backoff.maxRetries` must be a whole number/],
    [{ backoff: { maxRetry: 3 } }, TypeError, /Unknown option `backoff.maxRetry`. Did you mean `backoff.maxRetries`\?/],
    [{ heartbeatTimeout: -5 }, RangeError, /`heartbeatTimeout` must be 0 \(off\) or up to 2147483647 ms, got -5/],
    [{ heartbeatTimeout: Infinity }, RangeError, /`heartbeatTimeout`/],
    [{ heartbeatTimout: 5 }, TypeError, /Unknown option `heartbeatTimout`. Did you mean `heartbeatTimeout`\?/],
    [{ dedupe: true }, TypeError, /`dedupe` must be a window size or false, got true/],
    [{ dedupe: 1.5 }, RangeError, /`dedupe` must be a whole number/],
    [{ store: {} }, TypeError, /`store` must be an object with get, set and delete methods/],
    [{ store: 'indexeddb' }, TypeError, /`store`/],
    [{ storageKey: '' }, TypeError, /`storageKey` must be a non-empty string, got ""/],
    [{ maxEventSize: 0 }, RangeError, /`maxEventSize` must be a whole number > 0, got 0/],
    [{ pauseWhenHidden: 1 }, TypeError, /`pauseWhenHidden` must be a boolean, got 1/],
    [{ share: 'true' }, TypeError, /`share` must be a boolean/],
    [{ random: 0.5 }, TypeError, /`random` must be a function/],
    [{ clock: {} }, TypeError, /`clock` must be an object with now, setTimeout and clearTimeout/],
    [{ zzzzqqqq: 1 }, TypeError, /^Unknown option `zzzzqqqq`$/],
    // Static headers that Headers refuses fail now, not on every attempt.
    [{ headers: { 'bad name': 'x' } }, TypeError, /^Option `headers` is not valid: .+/],
    [{ headers: { x: '\u0100' } }, TypeError, /^Option `headers` is not valid: .+/],
    [{ headers: [['only-a-name']] }, TypeError, /^Option `headers` is not valid: .+/],
    [
      { lastEventIdQuery: '' },
      TypeError,
      /`lastEventIdQuery` must be a non-empty query parameter name like "lastEventId", got ""/,
    ],
    [{ lastEventIdQuery: 5 }, TypeError, /`lastEventIdQuery` must be a non-empty query parameter name/],
    [{ lastEventIdQery: 'x' }, TypeError, /Did you mean `lastEventIdQuery`\?/],
  ])('%j throws', (options, type, message) => {
    expect(() => new ResilientEventSource(url, options as never)).toThrow(type);
    expect(() => new ResilientEventSource(url, options as never)).toThrow(message);
  });

  it('rejects options that are not an object', () => {
    expect(() => new ResilientEventSource(url, 5 as never)).toThrow(TypeError);
  });

  it('accepts a custom store and the documented option values', () => {
    const es = new ResilientEventSource(url, {
      store: createMemoryStore(),
      dedupe: false,
      heartbeatTimeout: 0,
      method: 'POST',
      body: () => '{}',
      headers: () => ({ a: 'b' }),
      backoff: { maxRetries: 0, jitter: 0, factor: 1 },
      fetch: () => new Promise<Response>(() => {}),
    });
    expect(es.readyState).toBe(ResilientEventSource.CONNECTING);
    void es.close();
    expect(es.readyState).toBe(ResilientEventSource.CLOSED);
  });
});

describe('endOfStream', () => {
  it('rejects other values', () => {
    expect(() => new ResilientEventSource(url, { endOfStream: 'stop' as never })).toThrow(
      /`endOfStream` must be "reconnect" or "close", got "stop"/,
    );
  });
});
