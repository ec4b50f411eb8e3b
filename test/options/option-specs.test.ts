/**
 * The option table itself: it covers every public option (checked by the type
 * checker, so adding a field to `ResilientEventSourceInit` without its row
 * fails `npm run typecheck`), and every row yields a message of the one shape.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { backoffSpecs, optionSpecs } from '../../src/options/option-specs.js';
import { type NormalizedOptions, normalizeOptions } from '../../src/options/options.js';
import type {
  BackoffOptions,
  BackoffPolicy,
  BodyOption,
  FetchLike,
  HeadersOption,
  LastEventIdStore,
  ResilientEventSourceInit,
} from '../../src/contract/types.js';
import type { RandomSource, SourceClock } from '../../src/platform/clock.js';

const url = 'http://127.0.0.1:9/stream';

describe('the option table', () => {
  it('has one row per public option, and NormalizedOptions one field per row', () => {
    expectTypeOf<keyof typeof optionSpecs>().toEqualTypeOf<keyof ResilientEventSourceInit>();
    expectTypeOf<keyof typeof backoffSpecs>().toEqualTypeOf<keyof BackoffOptions>();
    expectTypeOf<keyof NormalizedOptions>().toEqualTypeOf<keyof ResilientEventSourceInit | 'url' | 'defaultFetch'>();
    // And at run time: the walk fills a field for every row, nothing else.
    const o = normalizeOptions(url, {});
    expect(Object.keys(o).sort()).toEqual([...Object.keys(optionSpecs), 'url', 'defaultFetch'].sort());
    expect(Object.keys(o.backoff).sort()).toEqual(Object.keys(backoffSpecs).sort());
  });

  it('derives each internal field type from its row', () => {
    // What the driver, the delivery and the stores rely on, written out: the
    // table's rows must give exactly these types.
    interface Expected {
      url: string;
      defaultFetch: boolean;
      withCredentials: boolean;
      headers: HeadersOption | undefined;
      method: string;
      body: BodyOption | undefined;
      fetch: FetchLike;
      signal: AbortSignal | undefined;
      backoff: BackoffPolicy;
      heartbeatTimeout: number;
      dedupe: number;
      store: LastEventIdStore | false | undefined;
      storageKey: string;
      lastEventIdQuery: string | undefined;
      maxEventSize: number;
      pauseWhenHidden: boolean;
      endOfStream: 'reconnect' | 'close';
      share: boolean;
      clock: SourceClock;
      random: RandomSource;
    }
    expectTypeOf<{ [K in keyof NormalizedOptions]: NormalizedOptions[K] }>().toEqualTypeOf<Expected>();
  });

  it('accepts every option it names', () => {
    for (const key of Object.keys(optionSpecs)) expect(() => normalizeOptions(url, { [key]: undefined })).not.toThrow();
    for (const key of Object.keys(backoffSpecs))
      expect(() => normalizeOptions(url, { backoff: { [key]: undefined } })).not.toThrow();
  });

  it('says, for every typed row, the option, what it must be and the value it got', () => {
    const rows = [
      ...Object.entries(optionSpecs).map(([key, spec]) => [key, spec, { [key]: Symbol('x') }] as const),
      ...Object.entries(backoffSpecs).map(
        ([key, spec]) => [`backoff.${key}`, spec, { backoff: { [key]: Symbol('x') } }] as const,
      ),
    ].filter(([, spec]) => 'type' in spec);
    expect(rows.length).toBeGreaterThan(20);
    for (const [name, spec, init] of rows) {
      const type = 'type' in spec ? spec.type : '';
      expect(() => normalizeOptions(url, init as never)).toThrow(TypeError);
      expect(() => normalizeOptions(url, init as never)).toThrow(`Option \`${name}\` must be ${type}, got Symbol(x)`);
    }
  });
});

describe('unknown options', () => {
  it.each([
    ['hartbeatTimeout', 'heartbeatTimeout'],
    ['heartbeatTimout', 'heartbeatTimeout'],
    ['timeout', 'heartbeatTimeout'],
    ['credentials', 'withCredentials'],
    ['Method', 'method'],
    ['bdy', 'body'],
    ['storagekey', 'storageKey'],
  ])('%s suggests %s', (typo, known) => {
    expect(() => normalizeOptions(url, { [typo]: 1 } as never)).toThrow(
      `Unknown option \`${typo}\`. Did you mean \`${known}\`?`,
    );
  });

  it.each([
    ['jiter', 'jitter'],
    ['facter', 'factor'],
    ['retries', 'maxRetries'],
  ])('backoff.%s suggests backoff.%s', (typo, known) => {
    expect(() => normalizeOptions(url, { backoff: { [typo]: 1 } } as never)).toThrow(
      `Unknown option \`backoff.${typo}\`. Did you mean \`backoff.${known}\`?`,
    );
  });

  it.each(['e', 'url', 'zzzzqqqq', 'toString'])('%s suggests nothing', (name) => {
    expect(() => normalizeOptions(url, { [name]: 1 } as never)).toThrow(new RegExp(`^Unknown option \`${name}\`$`));
  });
});
