/**
 * The cursor and the dedupe window against the reference server over real
 * sockets on 127.0.0.1: replays suppressed, cursors that cannot be sent,
 * lastEventIdQuery, a new source resuming from a store, two sources on one
 * storageKey, and corrupt cursor files. The server sends `retry: 50` and the
 * client's backoff starts at 20 ms; tests wait for events, never for time. (A
 * consumer process restarted on the file store: restart.test.ts.)
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSseServer, type SseServer } from '../../server/sse-server.js';
import { createFileStore } from '../../src/node.js';
import {
  createMemoryStore,
  type ResilientEventSource,
  type ResilientEventSourceInit,
  StoreError,
} from '../../src/index.js';
import { next, range } from '../helpers/events.js';
import { openOn } from '../helpers/reference-server.js';
import { closeAll } from '../helpers/sources.js';

let server: SseServer;
const sources: ResilientEventSource[] = [];
beforeEach(async () => {
  server = await createSseServer({ retry: 50, heartbeatInterval: 0 });
});
afterEach(async () => {
  await closeAll(sources);
  await server.close();
});

const open = (options: ResilientEventSourceInit = {}, url = server.streamUrl) => openOn(sources, url, options);

describe('duplicates', () => {
  it('events the server replays are suppressed', async () => {
    server.publishMany(10);
    const { es, got } = open();
    await got.until(10);
    server.faults.replay(5);
    server.publishMany(1);
    await got.until(11);
    expect(got.ids).toEqual(range(1, 11));
    expect(es.stats.duplicatesSuppressed).toBe(5);
  });

  it('non-ASCII ids survive a reconnect: the server gets the id as UTF-8', async () => {
    server.publish('a', { id: 'ünï-😀-1' });
    const { es, got } = open();
    await got.until(1);
    server.faults.dropAll();
    await next(es, 'open');
    const raw = server.requests[1]?.lastEventId ?? '';
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe('ünï-😀-1');
  });

  it('a server that ignores Last-Event-ID and replays from the start: still exactly once', async () => {
    server.publishMany(5);
    const { es, got } = open();
    await got.until(5);
    // A proxy that strips Last-Event-ID looks, to the server, like a new client.
    server.faults.dropAll();
    server.faults.replay(0);
    await next(es, 'open');
    server.faults.replay(5);
    server.publishMany(1);
    await got.until(6);
    expect(got.ids).toEqual(range(1, 6));
  });
});

describe('cursors that cannot be sent (none may brick the stream)', () => {
  it('a 20 KB id: the server answers 431, the source reconnects once without it, and nothing repeats', async () => {
    server.publishMany(2);
    const big = 'x'.repeat(20_000);
    server.publish('big', { id: big });
    const { es, got, errors } = open();
    await got.until(3);
    server.faults.dropAll();
    server.publishMany(2);
    await got.until(5);
    // Node's HTTP server refuses headers over 16 KB with 431 before our
    // handler sees the request; the retry without Last-Event-ID gets the
    // whole backlog, and the dedupe window drops what was shown.
    expect(errors.map((e) => [e.reason, e.status])).toEqual([
      ['network', undefined],
      ['http-status', 431],
    ]);
    expect(got.ids).toEqual(['1', '2', big, '4', '5']);
    expect(es.readyState).toBe(es.OPEN);
    expect(server.requests.at(-1)?.lastEventId).toBeNull();
    expect(es.stats.duplicatesSuppressed).toBe(3);
  });

  it('an id with a control character: the requests go without it, reported once; a restart from it connects', async () => {
    const store = createMemoryStore();
    server.publish('a', { id: 'a\u0001b' });
    const first = open({ store });
    await first.got.until(1);
    server.faults.dropAll();
    await next(first.es, 'open');
    server.faults.dropAll();
    await next(first.es, 'open');
    expect(server.requests.map((r) => r.lastEventId)).toEqual([null, null, null]);
    expect(first.errors.filter((e) => /cannot be sent/.test(e.message))).toHaveLength(1);
    first.es.close();
    await first.es.closed;
    expect((await store.get(server.streamUrl))?.lastEventId).toBe('a\u0001b');
    // A new process with that stored cursor: it connects, and the replayed event is known.
    server.publishMany(1);
    const second = open({ store });
    await second.got.until(1);
    expect(second.got.ids).toEqual(['2']);
    expect(second.es.stats.duplicatesSuppressed).toBe(1);
  });
});

describe('lastEventIdQuery', () => {
  it('a 5,000-character id refused with 414 (the URI too long for a proxy): reported once, then without the cursor; a restart from it connects too', async () => {
    const store = createMemoryStore();
    const long = 'x'.repeat(5000);
    server.faults.maxUrlLength(4096);
    server.publish('a', { id: long });
    const first = open({ store, lastEventIdQuery: 'lastEventId' });
    await first.got.until(1);
    server.faults.dropAll();
    server.publish('b', { id: 'next' });
    await first.got.until(2);
    expect(first.errors.map((e) => [e.reason, e.status])).toEqual([
      ['network', undefined],
      ['http-status', 414],
    ]);
    expect(first.errors[1]?.message).toBe(
      'The server refused the URL with the last event id in its query (414 URI Too Long); reconnecting without it',
    );
    // (The server replayed from the start: `a` was suppressed by id.)
    expect(first.got.data).toEqual(['a', 'b']);
    first.es.close();
    await first.es.closed;
    // A restart from a stored long id: refused once, then connects.
    await store.set(server.streamUrl, { lastEventId: long, recentIds: [long] });
    const second = open({ store, lastEventIdQuery: 'lastEventId' });
    await next(second.es, 'open');
    expect(second.errors.map((e) => e.status)).toEqual([414]);
  });

  it('after an empty id: neither the header nor the query parameter is sent', async () => {
    server.publish('a', { id: '41' });
    const { es, got } = open({ lastEventIdQuery: 'lastEventId' });
    await got.until(1);
    server.faults.dropAll();
    await next(es, 'open');
    server.publish('reset', { id: '' });
    await got.until(2);
    server.faults.dropAll();
    await next(es, 'open');
    expect(server.requests.map((r) => [r.url, r.lastEventId])).toEqual([
      ['/stream', null],
      ['/stream?lastEventId=41', '41'],
      ['/stream', null],
    ]);
  });
});

describe('persistence', () => {
  it('a new source for the same stream resumes from the stored cursor: no gap, no repeat', async () => {
    const store = createMemoryStore();
    server.publishMany(4);
    const first = open({ store });
    await first.got.until(4);
    first.es.close();
    await first.es.closed;
    server.publishMany(3);
    const second = open({ store });
    await second.got.until(3);
    expect(second.got.ids).toEqual(range(5, 7));
    expect(server.requests.at(-1)?.lastEventId).toBe('4');
  });

  it('sources with different storageKeys keep separate cursors', async () => {
    const store = createMemoryStore();
    server.publishMany(2);
    const a = open({ store, storageKey: 'a' });
    await a.got.until(2);
    a.es.close();
    await a.es.closed;
    const b = open({ store, storageKey: 'b' });
    await b.got.until(2);
    expect(b.got.ids).toEqual(['1', '2']);
    expect(await store.get('a')).toEqual({ lastEventId: '2', recentIds: ['1', '2'] });
  });

  it('a store that fails is reported once and the stream goes on', async () => {
    const store = {
      get: () => Promise.reject(new Error('disk gone')),
      set: () => Promise.reject(new Error('disk gone')),
      delete: () => Promise.reject(new Error('disk gone')),
    };
    server.publishMany(3);
    const { got, errors } = open({ store });
    await got.until(3);
    expect(errors.map((e) => e.reason)).toEqual(['store']);
    expect(got.ids).toEqual(range(1, 3));
  });
});

describe('two open sources, one storageKey (two users relaying one URL in one process)', () => {
  it("the later one keeps its own cursor, reported once naming the key; neither sends the other's Last-Event-ID", async () => {
    const store = createMemoryStore();
    server.publishMany(5);
    const alice = open({ store, headers: { Authorization: 'Bearer alice' } });
    await alice.got.until(5);
    const bob = open({ store, headers: { Authorization: 'Bearer bob' } });
    await bob.got.until(5);
    // Bob starts from nothing: every event, none skipped because Alice saw it.
    expect(bob.got.ids).toEqual(range(1, 5));
    const bobRequests = server.requests.filter((r) => r.authorization === 'Bearer bob');
    expect(bobRequests.map((r) => r.lastEventId)).toEqual([null]);
    expect(bob.errors.map((e) => [e.reason, e.message])).toEqual([
      [
        'store',
        `Another open source uses storageKey "${server.streamUrl}" in the same store: this one keeps its cursor in memory only. Streams that differ per user need a storageKey per user`,
      ],
    ]);
    expect(alice.errors).toEqual([]);
    // Bob's cursor never reaches the store: what is stored is Alice's alone.
    server.publishMany(1);
    await alice.got.until(6);
    await bob.got.until(6);
    bob.es.close();
    alice.es.close();
    await Promise.all([alice.es.closed, bob.es.closed]);
    expect(await store.get(server.streamUrl)).toEqual({ lastEventId: '6', recentIds: range(1, 6) });
  });

  it('a key is free again once its source is closed: close() and a new source at once (React StrictMode) resumes', async () => {
    const store = createMemoryStore();
    server.publishMany(3);
    const first = open({ store });
    await first.got.until(3);
    first.es.close();
    const second = open({ store });
    server.publishMany(1);
    await second.got.until(1);
    expect(second.got.ids).toEqual(['4']);
    expect(second.errors).toEqual([]);
  });

  it('two file stores on one directory are one store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'res-es-'));
    try {
      server.publishMany(2);
      const a = open({ store: createFileStore(dir) });
      await a.got.until(2);
      const b = open({ store: createFileStore(dir) });
      await b.got.until(2);
      expect(b.errors.map((e) => e.reason)).toEqual(['store']);
      expect(b.got.ids).toEqual(['1', '2']);
    } finally {
      for (const s of sources) s.close();
      await Promise.all(sources.map((s) => s.closed));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Leaves in `dir` the file store's cursor file of `key`, torn mid-write. */
async function tearCursorFile(dir: string, key: string): Promise<void> {
  await createFileStore(dir).set(key, { lastEventId: '1', recentIds: ['1'] });
  const [file] = await readdir(dir);
  await writeFile(join(dir, file ?? ''), '{"key":"torn');
}

describe('a corrupt cursor file', () => {
  it('is reported once, the stream starts without it, and the next save rewrites it: the restart after that resumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'res-es-'));
    try {
      await tearCursorFile(dir, server.streamUrl);
      server.publishMany(3);
      const first = open({ store: createFileStore(dir) });
      await first.got.until(3);
      expect(first.errors.map((e) => [e.reason, e.cause instanceof StoreError && e.cause.corrupt])).toEqual([
        ['store', true],
      ]);
      expect(first.errors[0]?.message).toMatch(/; starting without it, and the next save replaces it$/);
      first.es.close();
      await first.es.closed;
      // Still the file store, not memory: the file is whole again.
      expect(await createFileStore(dir).get(server.streamUrl)).toEqual({ lastEventId: '3', recentIds: range(1, 3) });
      server.publishMany(2);
      const second = open({ store: createFileStore(dir) });
      await second.got.until(2);
      expect(second.got.ids).toEqual(['4', '5']);
      expect(second.errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a corrupt cursor file, and no event', () => {
  it('is replaced even when the stream delivers nothing: the next start does not trip on it again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'res-es-'));
    try {
      await tearCursorFile(dir, server.streamUrl);
      const first = open({ store: createFileStore(dir) });
      await next(first.es, 'open');
      first.es.close();
      await first.es.closed;
      expect(first.errors.map((e) => e.reason)).toEqual(['store']);
      // An empty cursor is stored as no file at all.
      expect(await readdir(dir)).toEqual([]);
      const second = open({ store: createFileStore(dir) });
      await next(second.es, 'open');
      expect(second.errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
