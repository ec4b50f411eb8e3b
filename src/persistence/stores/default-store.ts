/**
 * The store used when the `store` option is left out: IndexedDB where the
 * runtime has it (pages, workers), else one memory store for the whole process,
 * so a source created again for the same stream resumes where the last one
 * stopped, as it would across a page reload.
 */
import type { LastEventIdStore } from '../../contract/types.js';
import { createIndexedDbStore } from './indexeddb-store.js';
import { createMemoryStore } from './memory-store.js';

let shared: LastEventIdStore | undefined;

/** The runtime's default store (created on first use, then shared). */
export function defaultStore(): LastEventIdStore {
  shared ??=
    typeof (globalThis as { indexedDB?: unknown }).indexedDB === 'object'
      ? createIndexedDbStore()
      : createMemoryStore();
  return shared;
}
