/**
 * The production and development builds as they ship (dist/, so `npm run
 * build` first; `npm test` does): the same behaviour, and messages that
 * differ only in what development adds. docs/api.md shows the messages from
 * the region below.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSseServer, type SseServer } from '../../server/sse-server.js';
import type * as Package from '../../src/index.js';

const dist = join(import.meta.dirname, '..', '..', 'dist');
let production: typeof Package;
let development: typeof Package;

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  production = (await import(join(dist, 'index.js'))) as typeof Package;
  development = (await import(join(dist, 'development', 'index.js'))) as typeof Package;
});

/** The error the constructor throws for `options`, as `Class: message`. */
function thrown(build: typeof Package, options: object): string {
  try {
    new build.ResilientEventSource('http://127.0.0.1:9/stream', options as Package.ResilientEventSourceInit);
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
  return 'nothing';
}

describe('messages', () => {
  it('production names the option and what it must be; development adds the value and did-you-mean', () => {
    // #region readme:build-messages
    expect(thrown(production, { hartbeatTimeout: 1000 })).toBe('TypeError: Unknown option `hartbeatTimeout`');
    expect(thrown(development, { hartbeatTimeout: 1000 })).toBe(
      'TypeError: Unknown option `hartbeatTimeout`. Did you mean `heartbeatTimeout`?',
    );
    expect(thrown(production, { backoff: { jitter: 2 } })).toBe(
      'RangeError: Option `backoff.jitter` must be between 0 and 1',
    );
    expect(thrown(development, { backoff: { jitter: 2 } })).toBe(
      'RangeError: Option `backoff.jitter` must be between 0 and 1, got 2',
    );
    // #endregion
  });

  it('every refused option throws the same error class in both builds', () => {
    const refused: object[] = [
      { withCredentials: 'yes' },
      { headers: 42 },
      { headers: { 'bad name': 'x' } },
      { method: 'GET', body: 'x' },
      { method: 'not a method' },
      { fetch: 'fetch' },
      { signal: {} },
      { backoff: [] },
      { backoff: { maxDelay: 10, initialDelay: 100 } },
      { backoff: { maxRetries: 1.5 } },
      { heartbeatTimeout: -1 },
      { dedupe: 0.5 },
      { store: {} },
      { storageKey: '' },
      { lastEventIdQuery: '' },
      { maxEventSize: 0 },
      { endOfStream: 'stop' },
      { clock: {} },
      { random: 0.5 },
      { unknown: true },
    ];
    for (const options of refused) {
      const inProduction = thrown(production, options);
      const inDevelopment = thrown(development, options);
      expect(inProduction, JSON.stringify(options)).toMatch(/^(TypeError|RangeError): .*`/);
      expect(inDevelopment.split(':')[0], JSON.stringify(options)).toBe(inProduction.split(':')[0]);
      // What production says, development says too (and may say more).
      expect(inDevelopment.startsWith(inProduction.replace(/ must .*$/, '')), inDevelopment).toBe(true);
    }
  });
});

describe('behaviour', () => {
  let server: SseServer;
  beforeEach(async () => {
    server = await createSseServer({ retry: 50, heartbeatInterval: 0 });
  });
  afterEach(() => server.close());

  for (const name of ['production', 'development'] as const) {
    it(`the ${name} build streams, drops, resumes with Last-Event-ID and closes`, async () => {
      const build = name === 'production' ? production : development;
      server.publishMany(3);
      const es = new build.ResilientEventSource(server.streamUrl, { store: false, backoff: { initialDelay: 20 } });
      const got: string[] = [];
      const done = new Promise<void>((resolve) => {
        es.addEventListener('message', (e) => {
          got.push(`${e.lastEventId}:${e.data}`);
          if (got.length === 3) {
            server.faults.dropAll();
            server.publishMany(2);
          }
          if (got.length === 5) resolve();
        });
      });
      await done;
      es.close();
      await es.closed;
      expect(got.map((g) => g.split(':')[0])).toEqual(['1', '2', '3', '4', '5']);
      expect(server.requests.at(-1)?.lastEventId).toBe('3');
      expect(es.readyState).toBe(2);
    });
  }
});
