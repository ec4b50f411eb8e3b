/**
 * A cursor store in IndexedDB, in a database of our own so that no other data
 * of the app is ever touched. It speaks to IndexedDB directly: the three calls
 * it needs cost fewer bytes than a wrapper library.
 */
import { StoreError } from '../../contract/events.js';
import type { LastEventIdStore, StoredCursor } from '../../contract/types.js';
import { storeIdentity } from './identity.js';

/** Default database name of {@link createIndexedDbStore}. */
export const defaultDatabaseName = 'resilient-eventsource';
/** Default object store name of {@link createIndexedDbStore}. */
export const defaultObjectStoreName = 'cursors';

/** A request's outcome (`success`) or a transaction's (`complete`) as a promise. */
function settled<T>(target: IDBRequest<T> | IDBTransaction): Promise<T> {
  return new Promise((resolve, reject) => {
    // The handlers of the other kind are plain properties, never called.
    const t = target as IDBRequest<T> & IDBTransaction;
    t.onsuccess = t.oncomplete = () => resolve(t.result);
    // A failed request's error reaches the transaction before the abort sets
    // the transaction's own: the event's target holds it.
    t.onerror = t.onabort = (event: Event) => reject((event.target as IDBRequest | null)?.error ?? t.error);
  });
}

/**
 * The store's connection to its database, opened on first use. Forgotten when
 * it fails, when the browser closes it, or when another page needs it gone;
 * the next transaction opens it again. Returns how to begin a transaction.
 */
function databaseConnection(databaseName: string, objectStoreName: string) {
  let database: Promise<IDBDatabase> | undefined;
  const open = (): Promise<IDBDatabase> => {
    const request = indexedDB.open(databaseName);
    request.onupgradeneeded = () => request.result.createObjectStore(objectStoreName);
    const opened = settled(request);
    const forget = () => {
      if (database === opened) database = undefined;
    };
    opened.then((db) => {
      // The browser closed it (Safari does, at times).
      db.onclose = forget;
      // Another page deletes or upgrades the database (a log-out that clears
      // storage, a newer version of this library): an idle connection that
      // stayed open would block it for as long as this page lives.
      db.onversionchange = () => {
        db.close();
        forget();
      };
    }, forget);
    return opened;
  };
  const begin = async (mode: IDBTransactionMode): Promise<IDBTransaction> => {
    database ??= open();
    return (await database).transaction(objectStoreName, mode);
  };
  return (mode: IDBTransactionMode): Promise<IDBTransaction> =>
    begin(mode).catch(() => {
      // A connection that closed before its close event reached us: once more, on a new one.
      database = undefined;
      return begin(mode);
    });
}

/**
 * Creates a store backed by IndexedDB. The database is opened on first use, so
 * creating the store never throws; an `indexedDB.open` that throws (some
 * private modes) or fails makes every call reject with a {@link StoreError}.
 */
export function createIndexedDbStore(
  databaseName: string = defaultDatabaseName,
  objectStoreName: string = defaultObjectStoreName,
): LastEventIdStore {
  const begin = databaseConnection(databaseName, objectStoreName);
  /** One call in its own transaction: a read resolves with the value, a write once it is committed. */
  const call = async <R>(
    what: string,
    mode: IDBTransactionMode,
    act: (store: IDBObjectStore) => IDBRequest,
  ): Promise<R> => {
    try {
      const transaction = await begin(mode);
      const request = act(transaction.objectStore(objectStoreName));
      if (mode === 'readonly') return (await settled(request)) as R;
      // Commit now instead of when the task ends. Chromium aborts a page's
      // uncommitted transactions when the page goes away, which is exactly
      // when the pagehide flush writes; a committing one is finished by the
      // database process. (`commit` is missing in older browsers.)
      transaction.commit?.();
      await settled(transaction);
      return undefined as R;
    } catch (cause) {
      throw new StoreError(`IndexedDB ${what} failed in "${databaseName}/${objectStoreName}"`, { cause });
    }
  };
  const store: LastEventIdStore & { [storeIdentity]: string } = {
    // Two stores on one database and object store are one store.
    [storeIdentity]: `indexeddb:${databaseName}/${objectStoreName}`,
    get: (key) => call<StoredCursor | undefined>('read', 'readonly', (store) => store.get(key)),
    set: (key, cursor) => call<void>('write', 'readwrite', (store) => store.put(cursor, key)),
    delete: (key) => call<void>('delete', 'readwrite', (store) => store.delete(key)),
  };
  return store;
}
