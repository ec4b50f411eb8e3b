/**
 * A cursor store in IndexedDB, through idb-keyval, in a database of our own so
 * that an app's own idb-keyval data is never touched.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { StoreError } from '../errors.js';
import type { LastEventIdStore, StoredCursor } from '../types.js';

/** Default database name of {@link createIndexedDbStore}. */
export const defaultDatabaseName = 'resilient-eventsource';
/** Default object store name of {@link createIndexedDbStore}. */
export const defaultObjectStoreName = 'cursors';

/**
 * Creates a store backed by IndexedDB. The database is opened on first use, so
 * creating the store never throws; an `indexedDB.open` that throws (some
 * private modes) or fails makes every call reject with a {@link StoreError}.
 */
export function createIndexedDbStore(
  databaseName: string = defaultDatabaseName,
  objectStoreName: string = defaultObjectStoreName,
): LastEventIdStore {
  let useStore: UseStore | undefined;
  const open = (): UseStore => {
    const base = createStore(databaseName, objectStoreName);
    return (mode, callback) =>
      base(mode, (objectStore) => {
        const result = callback(objectStore);
        // Commit now instead of when the task ends. Chromium aborts a page's
        // uncommitted transactions when the page goes away, which is exactly
        // when the pagehide flush writes; a committing one is finished by the
        // database process. (`commit` is missing in older browsers.)
        if (mode === 'readwrite') objectStore.transaction.commit?.();
        return result;
      });
  };
  const wrap = async <T>(what: string, run: (store: UseStore) => Promise<T>): Promise<T> => {
    try {
      useStore ??= open();
      return await run(useStore);
    } catch (cause) {
      throw new StoreError(`IndexedDB ${what} failed in "${databaseName}/${objectStoreName}"`, { cause });
    }
  };
  return {
    get: (key) => wrap('read', (store) => get<StoredCursor>(key, store)),
    set: (key, cursor) => wrap('write', (store) => set(key, cursor, store)),
    delete: (key) => wrap('delete', (store) => del(key, store)),
  };
}
