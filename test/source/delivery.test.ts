/**
 * The delivery (src/source/delivery.ts), through the public class on a fake
 * fetch and a fake clock: the stream's position and the per-event path. Repeats
 * dropped by the dedupe window, never events without an id; lastEventId; the
 * cursor kept in a store (read before the first request, saved under
 * storageKey, flushed by close()), and a store that fails, throws or hangs.
 */
import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  type LastEventIdStore,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StreamErrorEvent,
} from '../../src/index.js';
import { ours } from '../helpers/events.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
import { closeAfterEach, fakeSource, settle } from '../helpers/sources.js';

const URL_ = 'http://stream.test/events';
const sources = closeAfterEach();

/** A source whose events are logged in order, a `message` listener included. */
const logged = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options, { log: true });

describe('duplicates and ids', () => {
  it('drops events whose explicit id was delivered; never drops events without an id', async () => {
    const { es, fetch, log } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write(
      'id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 1\ndata: a-again\n\ndata: no-id\n\ndata: no-id\n\nid: 3\ndata: c\n\n',
    );
    await settle();
    expect(log).toEqual(['open', 'message:a', 'message:b', 'message:no-id', 'message:no-id', 'message:c']);
    expect(es.stats.duplicatesSuppressed).toBe(1);
    expect(es.lastEventId).toBe('3');
  });

  it('a suppressed duplicate does not move lastEventId back', async () => {
    const { es, fetch } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 1\ndata: a\n\n');
    await settle();
    expect(es.lastEventId).toBe('2');
  });

  it('dedupe: false delivers repeats', async () => {
    const { fetch, log } = logged({ dedupe: false });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\nid: 1\ndata: a\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:a', 'message:a']);
  });

  it('forgets ids beyond the window size', async () => {
    const { fetch, log } = logged({ dedupe: 2 });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\nid: 1\ndata: 1\n\nid: 3\ndata: 3\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:1', 'message:2', 'message:3', 'message:1']);
  });

  it('an empty id: resets the last id, so the next request sends no Last-Event-ID', async () => {
    const { es, fetch, clock, messages } = logged();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 7\ndata: a\n\nid\ndata: b\n\n');
    stream.close();
    await settle();
    clock.advance(1000);
    expect(messages.map((e) => e.lastEventId)).toEqual(['7', '']);
    expect(es.lastEventId).toBe('');
    expect((await fetch.call(1)).headers.has('last-event-id')).toBe(false);
  });
});

describe('the cursor store', () => {
  it('reads the stored cursor before the first request and sends it as Last-Event-ID', async () => {
    const store = createMemoryStore();
    await store.set(URL_, { lastEventId: '99', recentIds: ['98', '99'] });
    const { es, fetch, log } = logged({ store });
    const call = await fetch.call(0);
    expect(call.headers.get('last-event-id')).toBe('99');
    expect(es.lastEventId).toBe('99');
    const stream = call.respondStream();
    // A server that replays 98–99 anyway: the saved window drops them.
    stream.write('id: 98\ndata: old\n\nid: 99\ndata: old\n\nid: 100\ndata: new\n\n');
    await settle();
    expect(log).toEqual(['open', 'message:new']);
  });

  it('saves the id and window under storageKey, flushed by close()', async () => {
    const store = createMemoryStore();
    const { es, fetch } = logged({ store, storageKey: 'feed' });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: a\ndata: 1\n\nid: b\ndata: 2\n\n');
    await settle();
    es.close();
    await es.closed;
    expect(await store.get('feed')).toEqual({ lastEventId: 'b', recentIds: ['a', 'b'] });
  });

  it('a failing store is reported once as reason store, and the stream goes on', async () => {
    const broken: LastEventIdStore = {
      get: () => Promise.reject(new Error('blocked')),
      set: () => Promise.reject(new Error('quota')),
      delete: () => Promise.reject(new Error('nope')),
    };
    const { es, fetch, errors, log } = logged({ store: broken });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
    await settle();
    expect(errors.map((e) => e.reason)).toEqual(['store']);
    expect(errors[0]?.message).toMatch(/using memory instead/);
    expect(log.filter((l) => l.startsWith('message'))).toEqual(['message:a', 'message:b']);
    expect(es.readyState).toBe(es.OPEN);
  });

  it('in a worker (no pagehide to flush on) writes each change once the previous write is done', async () => {
    const g = globalThis as { importScripts?: unknown };
    g.importScripts = () => {};
    try {
      const writes: string[] = [];
      const store: LastEventIdStore = {
        get: async () => undefined,
        set: async (_k, c) => void writes.push(c.lastEventId),
        delete: async () => {},
      };
      const { fetch } = logged({ store });
      const stream = (await fetch.call(0)).respondStream();
      for (const id of ['1', '2', '3']) {
        stream.write(`id: ${id}\ndata: x\n\n`);
        await settle();
      }
      // In a page the second and third would wait out the 500 ms spacing.
      expect(writes).toEqual(['1', '2', '3']);
    } finally {
      delete g.importScripts;
    }
  });

  it('store: false keeps nothing', async () => {
    const { es, fetch } = logged({ store: false });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 1\ndata: a\n\n');
    await settle();
    es.close();
    await es.closed;
    const again = logged({ store: false });
    expect((await again.fetch.call(0)).headers.has('last-event-id')).toBe(false);
  });
});

describe('the store, hostile', () => {
  it('a get() that throws synchronously is reported to a listener added right after the constructor', async () => {
    const store: LastEventIdStore = {
      get: () => {
        throw new Error('sync get');
      },
      set: async () => {},
      delete: async () => {},
    };
    const fetch = createFakeFetch();
    const es = new ResilientEventSource(URL_, { store, fetch, clock: createFakeClock() });
    sources.push(es);
    const reasons: string[] = [];
    es.addEventListener(
      'error',
      ours(StreamErrorEvent, (e) => reasons.push(e.reason)),
    );
    await fetch.call(0);
    expect(reasons).toEqual(['store']);
  });

  it('close() while get() hangs leaves no timer behind (a Node process can exit)', async () => {
    const clock = createFakeClock();
    const store: LastEventIdStore = { get: () => new Promise(() => {}), set: async () => {}, delete: async () => {} };
    const es = new ResilientEventSource(URL_, { store, fetch: createFakeFetch(), clock });
    await settle();
    expect(clock.pending).toBe(1);
    es.close();
    await es.closed;
    expect(clock.pending).toBe(0);
  });
});
