/**
 * What the state-machine tests share: a way to let promise callbacks run, and
 * a list of the sources a test made, closed (and their cursors saved) after it.
 */
import { afterEach } from 'vitest';
import { ResilientEventSource, type ResilientEventSourceInit, StreamErrorEvent } from '../../src/index.js';
import { ours } from './events.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createFakeFetch } from './fake-fetch.js';

/** Lets pending promise callbacks run (a macrotask on the real clock; the sources run on a fake one). */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The sources made in this file's tests; each is closed after its test. Call once, at the top of a file. */
export function closeAfterEach(): ResilientEventSource[] {
  const sources: ResilientEventSource[] = [];
  afterEach(async () => {
    for (const s of sources) s.close();
    await Promise.all(sources.splice(0).map((s) => s.closed));
  });
  return sources;
}

/** A source on a fake fetch and a fake clock, with `random() = 0`, no store, and its `error` events recorded. */
export function fakeSource<C extends FakeClock = FakeClock>(
  sources: ResilientEventSource[],
  url: string,
  options: ResilientEventSourceInit = {},
  clock: C = createFakeClock() as C,
) {
  const fetch = createFakeFetch();
  const es = new ResilientEventSource(url, { fetch, clock, random: () => 0, store: false, ...options });
  sources.push(es);
  const errors: StreamErrorEvent[] = [];
  es.addEventListener(
    'error',
    ours(StreamErrorEvent, (e) => errors.push(e)),
  );
  return { es, fetch, clock, errors };
}
