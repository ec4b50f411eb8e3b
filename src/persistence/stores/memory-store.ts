/**
 * A cursor store in memory. Values are copied in and out, so a caller holding
 * a cursor can never change what is stored.
 */
import type { LastEventIdStore, StoredCursor } from '../../contract/types.js';

const copy = (cursor: StoredCursor): StoredCursor => ({
  lastEventId: cursor.lastEventId,
  recentIds: cursor.recentIds.slice(),
});

/**
 * Creates an empty in-memory store. Cursors live as long as the store object.
 *
 * @example
 * const store = createMemoryStore();
 * new ResilientEventSource(url, { store });
 */
export function createMemoryStore(): LastEventIdStore {
  const cursors = new Map<string, StoredCursor>();
  return {
    get: async (key) => {
      const cursor = cursors.get(key);
      return cursor && copy(cursor);
    },
    set: async (key, cursor) => {
      cursors.set(key, copy(cursor));
    },
    delete: async (key) => {
      cursors.delete(key);
    },
  };
}
