/**
 * The IndexedDB store and the cursor keeper against real IndexedDB in
 * Chromium: round trips, separate keys, coalescing, and every way IndexedDB
 * fails in the wild (open throws, open never answers, quota, a foreign
 * database, a corrupt value) degrading to memory, reported once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCursorKeeper } from '../../src/persistence/cursor.js';
import { StoreError } from '../../src/contract/events.js';
import {
  createIndexedDbStore,
  defaultDatabaseName,
  defaultObjectStoreName,
} from '../../src/persistence/stores/indexeddb-store.js';
import { defaultStore } from '../../src/persistence/stores/default-store.js';
import type { StoredCursor } from '../../src/contract/types.js';
import { systemClock } from '../../src/platform/clock.js';

let dbCount = 0;
const freshName = () => `test-db-${Date.now()}-${dbCount++}`;

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Reads a raw value from IndexedDB without the store, to see what really landed. */
async function raw(db: string, key: string): Promise<unknown> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(db);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const r = database.transaction(defaultObjectStoreName).objectStore(defaultObjectStoreName).get(key);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  } finally {
    database.close();
  }
}

describe('createIndexedDbStore', () => {
  it('round-trips cursors in its own database and object store', async () => {
    const name = freshName();
    const store = createIndexedDbStore(name);
    const cursor: StoredCursor = { lastEventId: '42', recentIds: ['40', '41', '42'] };
    expect(await store.get('https://a.test/stream')).toBeUndefined();
    await store.set('https://a.test/stream', cursor);
    expect(await store.get('https://a.test/stream')).toEqual(cursor);
    expect(await raw(name, 'https://a.test/stream')).toEqual(cursor);
    await store.delete('https://a.test/stream');
    expect(await store.get('https://a.test/stream')).toBeUndefined();
  });

  it('keeps separate cursors per key, and across store objects (a reload)', async () => {
    const name = freshName();
    await createIndexedDbStore(name).set('a', { lastEventId: '1', recentIds: [] });
    await createIndexedDbStore(name).set('b', { lastEventId: '2', recentIds: [] });
    const again = createIndexedDbStore(name);
    expect(await again.get('a')).toEqual({ lastEventId: '1', recentIds: [] });
    expect(await again.get('b')).toEqual({ lastEventId: '2', recentIds: [] });
  });

  it('is the default store where indexedDB exists, under our own database name', async () => {
    expect(defaultDatabaseName).toBe('resilient-eventsource');
    await defaultStore().set('default-check', { lastEventId: 'x', recentIds: [] });
    expect(await raw(defaultDatabaseName, 'default-check')).toEqual({ lastEventId: 'x', recentIds: [] });
    await defaultStore().delete('default-check');
  });

  it("never touches idb-keyval's default database", async () => {
    await createIndexedDbStore().set('k', { lastEventId: '1', recentIds: [] });
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toContain('resilient-eventsource');
    expect(names).not.toContain('keyval-store');
  });

  it('rejects with a StoreError when indexedDB.open throws (some private modes)', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    });
    const error = await createIndexedDbStore(freshName())
      .get('k')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/IndexedDB read failed/);
    expect(((error as StoreError).cause as DOMException).name).toBe('SecurityError');
  });

  it('rejects when the database exists without our object store (a foreign database)', async () => {
    const name = freshName();
    await new Promise<void>((resolve) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore('something-else');
      r.onsuccess = () => {
        r.result.close();
        resolve();
      };
    });
    await expect(createIndexedDbStore(name).get('k')).rejects.toBeInstanceOf(StoreError);
  });
});

/** What another page's request on the database gets within 2 s: `success`, or `blocked` by a connection left open. */
function outcomeOf(request: IDBOpenDBRequest): Promise<string> {
  return new Promise((resolve) => {
    request.onblocked = () => resolve('blocked');
    request.onsuccess = () => {
      request.result?.close();
      resolve('success');
    };
    request.onerror = () => resolve(`error: ${request.error?.name}`);
    setTimeout(() => resolve('no answer'), 2000);
  });
}

describe('createIndexedDbStore and other pages of the origin', () => {
  it('lets another page delete the database (a log-out that clears storage), then writes again', async () => {
    const name = freshName();
    const store = createIndexedDbStore(name);
    await store.set('k', { lastEventId: '1', recentIds: [] });
    expect(await outcomeOf(indexedDB.deleteDatabase(name))).toBe('success');
    await store.set('k', { lastEventId: '2', recentIds: [] });
    expect(await store.get('k')).toEqual({ lastEventId: '2', recentIds: [] });
  });

  it('lets another page upgrade the database to a newer version, and goes on in it', async () => {
    const name = freshName();
    const store = createIndexedDbStore(name);
    await store.set('k', { lastEventId: '1', recentIds: [] });
    expect(await outcomeOf(indexedDB.open(name, 2))).toBe('success');
    expect(await store.get('k')).toEqual({ lastEventId: '1', recentIds: [] });
  });

  it('a connection found closed when a call begins is replaced once, and the call succeeds', async () => {
    const name = freshName();
    const store = createIndexedDbStore(name);
    await store.set('k', { lastEventId: '1', recentIds: [] });
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementationOnce(() => {
      throw new DOMException('The database connection is closing.', 'InvalidStateError');
    });
    await store.set('k', { lastEventId: '2', recentIds: [] });
    expect(transaction).toHaveBeenCalledTimes(2);
    expect(await raw(name, 'k')).toEqual({ lastEventId: '2', recentIds: [] });
  });
});

describe('the cursor keeper on real IndexedDB', () => {
  const keeper = (
    store: ReturnType<typeof createIndexedDbStore>,
    state: () => StoredCursor,
    failures: StoreError[],
    interval = 200,
  ) =>
    createCursorKeeper({
      store,
      key: 'stream',
      clock: systemClock,
      snapshot: state,
      onFailure: (e) => failures.push(e),
      writeInterval: interval,
    });

  it('coalesces: 1,000 changes in one second cost a handful of writes, and the last state lands', async () => {
    const store = createIndexedDbStore(freshName());
    const put = vi.spyOn(IDBObjectStore.prototype, 'put');
    let id = 0;
    const failures: StoreError[] = [];
    const k = keeper(store, () => ({ lastEventId: String(id), recentIds: [String(id)] }), failures);
    const started = performance.now();
    while (id < 1000) {
      for (let i = 0; i < 50; i++) {
        id++;
        k.changed();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await k.flush();
    const writes = put.mock.calls.length;
    console.info(`coalescing: 1000 changes in ${seconds.toFixed(2)} s → ${writes} IndexedDB writes`);
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes / seconds).toBeLessThanOrEqual(7);
    expect(await store.get('stream')).toEqual({ lastEventId: '1000', recentIds: ['1000'] });
    expect(failures).toEqual([]);
  });

  it('a quota error on write degrades to memory, reported once however often writes fail', async () => {
    const store = createIndexedDbStore(freshName());
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });
    let id = 'a';
    const failures: StoreError[] = [];
    const k = keeper(store, () => ({ lastEventId: id, recentIds: [] }), failures, 0);
    k.changed();
    await k.flush();
    id = 'b';
    k.changed();
    await k.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toMatch(/IndexedDB write failed/);
    expect((failures[0]?.cause as DOMException | undefined)?.name).toBe('QuotaExceededError');
  });

  it('an open that never answers (blocked) times out and degrades', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => ({}) as IDBOpenDBRequest);
    vi.useFakeTimers();
    const failures: StoreError[] = [];
    const k = createCursorKeeper({
      store: createIndexedDbStore(freshName()),
      key: 'stream',
      clock: systemClock,
      snapshot: () => ({ lastEventId: '1', recentIds: [] }),
      onFailure: (e) => failures.push(e),
      timeout: 5000,
    });
    const loading = k.load();
    await vi.advanceTimersByTimeAsync(4999);
    expect(failures).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await loading).toBeUndefined();
    expect(failures.map((e) => e.message)).toEqual(['The cursor store did not answer a read within 5000 ms']);
  });

  it('a corrupt or foreign value under our key is reported and ignored', async () => {
    const name = freshName();
    const store = createIndexedDbStore(name);
    await store.set('stream', { lastEventId: '1', recentIds: [] });
    // Another script writes something else under our key.
    await store.set('stream', { hello: 'world' } as unknown as StoredCursor);
    const failures: StoreError[] = [];
    const k = keeper(store, () => ({ lastEventId: '9', recentIds: [] }), failures);
    expect(await k.load()).toBeUndefined();
    expect(failures[0]?.message).toMatch(/is not a cursor/);
  });
});
