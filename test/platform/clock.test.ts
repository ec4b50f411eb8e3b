/**
 * Durations run on the monotonic clock (issue 20): a wall clock stepped back
 * an hour (NTP, a VM restored) holds off neither the heartbeat nor the cursor
 * writes, and no age in `stats` goes negative. The wall clock still serves
 * `Retry-After` dates. Driven by a fake clock whose wall reading the test
 * steps alone.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, type LastEventIdStore, ReconnectingEvent, type StoredCursor } from '../../src/index.js';
import { ours } from '../helpers/events.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { closeAfterEach, fakeSource, settle } from '../helpers/sources.js';

const URL_ = 'http://stream.test/events';
const HOUR = 3_600_000;
const sources = closeAfterEach();
const setup = (options = {}) =>
  fakeSource(
    sources,
    URL_,
    { heartbeatTimeout: 10_000, ...options },
    { clock: createFakeClock(undefined, { monotonic: true }) },
  );

describe('a wall clock stepped back an hour', () => {
  it('the heartbeat still abandons a silent stream at heartbeatTimeout, not 1 ms later, and not an hour later', async () => {
    const { es, fetch, clock, errors } = setup();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: a\n\n');
    await settle();
    clock.stepWall(-HOUR);
    clock.advance(9_999);
    await settle();
    expect(errors).toEqual([]);
    // Ages on the monotonic clock: never negative.
    expect(es.stats.msSinceLastByte).toBe(9_999);
    expect(es.stats.msSinceLastEvent).toBe(9_999);
    clock.advance(1);
    await settle();
    expect(errors.map((e) => e.reason)).toEqual(['heartbeat-timeout']);
  });

  it('cursor writes go on every 500 ms: a crash repeats at most that much, however the wall clock moves', async () => {
    const writes: string[] = [];
    const memory = createMemoryStore();
    const store: LastEventIdStore = {
      get: (key) => memory.get(key),
      set: (key, cursor: StoredCursor) => {
        writes.push(cursor.lastEventId);
        return memory.set(key, cursor);
      },
      delete: (key) => memory.delete(key),
    };
    const { fetch, clock } = setup({ store });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\n');
    await settle();
    expect(writes).toEqual(['1']);
    clock.stepWall(-HOUR);
    stream.write('id: 2\ndata: b\n\n');
    await settle();
    clock.advance(499);
    await settle();
    expect(writes).toEqual(['1']);
    clock.advance(1);
    await settle();
    expect(writes).toEqual(['1', '2']);
  });

  it('a Retry-After date is still read against the wall clock', async () => {
    const { es, fetch, clock } = setup();
    const delays: number[] = [];
    es.addEventListener(
      'reconnecting',
      ours(ReconnectingEvent, (e) => delays.push(e.delay)),
    );
    clock.stepWall(-HOUR);
    const inTenSeconds = new Date(clock.now() + 10_000).toUTCString();
    (await fetch.call(0)).respond(503, { 'retry-after': inTenSeconds });
    await settle();
    expect(delays).toEqual([10_000]);
  });
});
