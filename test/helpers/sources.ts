/**
 * The harness of the tests that drive a source through a fake fetch and a
 * fake clock: a way to let promise callbacks run, the list of the sources a
 * test made (closed, and their cursors saved, after it), and a source made
 * with what such tests record of it.
 *
 * A typical file:
 *
 *     const sources = closeAfterEach();
 *     const setup = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options);
 */
import { afterEach } from 'vitest';
import {
  ReconnectingEvent,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StreamErrorEvent,
} from '../../src/index.js';
import { ours } from './events.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createFakeFetch, type FakeFetch } from './fake-fetch.js';

/**
 * Lets pending promise callbacks run: `turns` macrotasks on the real clock
 * (the sources run on a fake one). One is enough for a source on its own;
 * messages between sources that share a stream take a few more.
 */
export function settle(turns = 1): Promise<unknown> {
  const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
  if (turns === 1) return turn();
  return (async () => {
    for (let i = 0; i < turns; i++) await turn();
  })();
}

/** Closes every source in `sources`, empties the list, and waits until each has saved its cursor. */
export async function closeAll(sources: ResilientEventSource[]): Promise<void> {
  for (const s of sources) s.close();
  await Promise.all(sources.splice(0).map((s) => s.closed));
}

/**
 * The sources made in this file's tests; each is closed after its test. Call
 * once, at the top of a file. A file whose own `afterEach` must run after the
 * sources are closed (it removes a global they use) calls {@link closeAll}
 * there instead.
 */
export function closeAfterEach(): ResilientEventSource[] {
  const sources: ResilientEventSource[] = [];
  afterEach(() => closeAll(sources));
  return sources;
}

/** How {@link fakeSource} builds its source, beyond the source's own options. */
export interface FakeSourceSetup<C extends FakeClock> {
  /** The clock; a new fake clock by default. */
  clock?: C | undefined;
  /** The fetch; a new fake fetch by default. A custom function (one that misbehaves, say) is passed on as it is. */
  fetch?: FakeFetch | ResilientEventSourceInit['fetch'] | undefined;
  /**
   * Also keep `log`, one line per event in order (`open`, `message:<data>`,
   * `error:<reason>:<readyState>`, `reconnecting:<attempt>:<delay>`), and
   * `messages`. This adds a `message` listener: messages nobody listens to
   * take another path through the source, so leave it off unless the test
   * reads messages this way.
   */
  log?: boolean | undefined;
}

/**
 * A source on a fake fetch and a fake clock, with `random() = 0` and no store
 * (each can be overridden in `options`). Its own `error` events are recorded
 * in `errors` with the readyState at each in `states`, and its `reconnecting`
 * events in `reconnecting`; with `log`, see {@link FakeSourceSetup.log}.
 */
export function fakeSource<C extends FakeClock = FakeClock>(
  sources: ResilientEventSource[],
  url: string,
  options: ResilientEventSourceInit = {},
  setup: FakeSourceSetup<C> = {},
) {
  const fetch = setup.fetch ?? createFakeFetch();
  const clock = setup.clock ?? (createFakeClock() as C);
  const es = new ResilientEventSource(url, { fetch, clock, random: () => 0, store: false, ...options });
  sources.push(es);
  const errors: StreamErrorEvent[] = [];
  const states: number[] = [];
  const reconnecting: ReconnectingEvent[] = [];
  es.addEventListener(
    'error',
    ours(StreamErrorEvent, (e) => {
      errors.push(e);
      states.push(es.readyState);
    }),
  );
  es.addEventListener(
    'reconnecting',
    ours(ReconnectingEvent, (e) => reconnecting.push(e)),
  );
  const log: string[] = [];
  const messages: MessageEvent[] = [];
  if (setup.log) {
    es.addEventListener('open', () => log.push('open'));
    es.addEventListener('message', (e) => {
      messages.push(e);
      log.push(`message:${e.data}`);
    });
    es.addEventListener(
      'error',
      ours(StreamErrorEvent, (e) => log.push(`error:${e.reason}:${es.readyState}`)),
    );
    es.addEventListener(
      'reconnecting',
      ours(ReconnectingEvent, (e) => log.push(`reconnecting:${e.attempt}:${e.delay}`)),
    );
  }
  return { es, fetch: fetch as FakeFetch, clock, errors, states, reconnecting, log, messages };
}

/** Fails attempt `n` (0-based) with a network error, and waits for the source to react. */
export async function failAttempt(fetch: FakeFetch, n: number): Promise<void> {
  (await fetch.call(n)).fail(new TypeError('fetch failed'));
  await settle();
}
