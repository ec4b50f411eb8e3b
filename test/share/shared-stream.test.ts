/**
 * share: true in Node, with the real BroadcastChannel and a small FIFO lock
 * manager standing in for Web Locks (Node 20 has none): one fetch for two
 * sources, followers fed in order, takeover from the follower's own cursor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ReconnectingEvent,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StreamErrorEvent,
} from '../../src/index.js';
import { ours } from '../helpers/events.js';
import { joinShare } from '../../src/share/channel.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
import { closeAll, settle } from '../helpers/sources.js';

/** Web Locks' exclusive `request(name, { signal }, callback)`, first come first served. */
function createLockManager() {
  const queues = new Map<string, { grant: () => void; signal: AbortSignal }[]>();
  const held = new Set<string>();
  function next(name: string) {
    const queue = queues.get(name) ?? [];
    while (queue.length > 0 && !held.has(name)) {
      const waiter = queue.shift();
      if (waiter && !waiter.signal.aborted) waiter.grant();
    }
  }
  return {
    request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<void> {
      return new Promise((resolve, reject) => {
        const waiter = {
          signal: options.signal,
          grant: () => {
            held.add(name);
            void callback().finally(() => {
              held.delete(name);
              resolve();
              next(name);
            });
          },
        };
        options.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), {
          once: true,
        });
        queues.set(name, [...(queues.get(name) ?? []), waiter]);
        next(name);
      });
    },
  };
}

const g = globalThis as { navigator?: unknown };
const sources: ResilientEventSource[] = [];
/** Macrotasks to let pass before looking: the share's messages cross a BroadcastChannel and a lock hand-over. */
const SHARE_TURNS = 5;
let savedNavigator: unknown;

beforeEach(() => {
  savedNavigator = g.navigator;
  Object.defineProperty(globalThis, 'navigator', {
    value: { locks: createLockManager() },
    configurable: true,
    writable: true,
  });
});
afterEach(async () => {
  // The sources first, while the lock manager they hold locks of is still the global one.
  await closeAll(sources);
  Object.defineProperty(globalThis, 'navigator', { value: savedNavigator, configurable: true, writable: true });
});

/**
 * A source in the shared stream of this test's key. Kept here rather than
 * fakeSource: a shared source runs on the real clock, as the lock manager and
 * the BroadcastChannel do, and records its messages as `id:data`.
 */
function source(fetch: ReturnType<typeof createFakeFetch>, extra: ResilientEventSourceInit = {}) {
  const es = new ResilientEventSource('http://share.test/stream', {
    fetch,
    store: false,
    share: true,
    storageKey: `k-${key}`,
    ...extra,
  });
  sources.push(es);
  const seen: string[] = [];
  es.addEventListener('message', (e) => seen.push(`${e.lastEventId}:${e.data}`));
  return { es, seen };
}
let key = 0;
beforeEach(() => {
  key++;
});

describe('share', () => {
  it('is unavailable without Web Locks', () => {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    expect(joinShare('x', { onLeader() {}, onMessage() {} })).toBeUndefined();
  });

  it('two sources, one request; the follower gets the same events in order and opens too', async () => {
    const fetch = createFakeFetch();
    const a = source(fetch);
    const b = source(fetch);
    const stream = (await fetch.call(0)).respondStream();
    await settle(SHARE_TURNS);
    stream.write('id: 1\ndata: x\n\nid: 2\ndata: y\n\nevent: other\ndata: z\n\n');
    await settle(SHARE_TURNS);
    expect(fetch.calls).toHaveLength(1);
    expect([a.es.stats.role, b.es.stats.role]).toEqual(['leader', 'follower']);
    expect(a.seen).toEqual(['1:x', '2:y']);
    expect(b.seen).toEqual(['1:x', '2:y']);
    expect(b.es.readyState).toBe(b.es.OPEN);
    expect(b.es.lastEventId).toBe('2');
  });

  it('a block with only an id reaches the follower too: its position moves, no event fires', async () => {
    const fetch = createFakeFetch();
    const a = source(fetch);
    const b = source(fetch);
    const stream = (await fetch.call(0)).respondStream();
    await settle(SHARE_TURNS);
    stream.write('id: 1\ndata: x\n\nid: 5\n\ndata: y\n\n');
    await settle(SHARE_TURNS);
    expect(a.seen).toEqual(['1:x', '5:y']);
    expect(b.seen).toEqual(['1:x', '5:y']);
    expect(b.es.lastEventId).toBe('5');
  });

  it('the leader closes: the follower takes over with the Last-Event-ID of its own last event', async () => {
    const fetch = createFakeFetch();
    const a = source(fetch);
    const b = source(fetch);
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 7\ndata: x\n\n');
    await settle(SHARE_TURNS);
    a.es.close();
    await a.es.closed;
    const takeover = await fetch.call(1);
    expect(takeover.headers.get('last-event-id')).toBe('7');
    expect(b.es.stats.role).toBe('leader');
    const next = takeover.respondStream();
    // The new stream replays 7, then goes on: 7 is not shown twice.
    next.write('id: 7\ndata: x\n\nid: 8\ndata: w\n\n');
    await settle(SHARE_TURNS);
    expect(b.seen).toEqual(['7:x', '8:w']);
  });

  it('a reconnect of the leader reaches the follower as error and reconnecting', async () => {
    const fetch = createFakeFetch();
    source(fetch);
    const b = source(fetch);
    const events: string[] = [];
    b.es.addEventListener(
      'error',
      ours(StreamErrorEvent, (e) => events.push(`error:${e.reason}:${b.es.readyState}`)),
    );
    b.es.addEventListener(
      'reconnecting',
      ours(ReconnectingEvent, (e) => events.push(`reconnecting:${e.attempt}`)),
    );
    const stream = (await fetch.call(0)).respondStream();
    await settle(SHARE_TURNS);
    stream.close();
    await settle(SHARE_TURNS);
    expect(events).toEqual(['error:network:0', 'reconnecting:1']);
  });

  it('a final failure of the leader closes the follower too, even one that took the lock first', async () => {
    const fetch = createFakeFetch();
    source(fetch);
    const b = source(fetch);
    (await fetch.call(0)).respond(404);
    await settle(SHARE_TURNS);
    expect(b.es.readyState).toBe(b.es.CLOSED);
    // This lock manager hands the lock over before the channel delivers the
    // news, so b started a request; the news then closed it.
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[1]?.aborted).toBe(true);
  });

  it('events the leader showed just before failing reach the followers before the failure does', async () => {
    const fetch = createFakeFetch();
    source(fetch, { maxEventSize: 50 });
    const b = source(fetch, { maxEventSize: 50 });
    const stream = (await fetch.call(0)).respondStream();
    await settle(SHARE_TURNS);
    // One chunk: two events, then one too large, which ends the shared stream.
    stream.write(`id: 1\ndata: a\n\nid: 2\ndata: b\n\ndata: ${'x'.repeat(60)}\n\n`);
    await settle(SHARE_TURNS);
    expect(b.seen).toEqual(['1:a', '2:b']);
    expect(b.es.readyState).toBe(b.es.CLOSED);
  });

  it('a leader closed by its own signal does not close the other tabs: one takes over', async () => {
    const fetch = createFakeFetch();
    const controller = new AbortController();
    source(fetch, { signal: controller.signal });
    const b = source(fetch);
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 3\ndata: x\n\n');
    await settle(SHARE_TURNS);
    controller.abort();
    const takeover = await fetch.call(1);
    expect(takeover.headers.get('last-event-id')).toBe('3');
    expect(b.es.readyState).not.toBe(b.es.CLOSED);
  });
});
