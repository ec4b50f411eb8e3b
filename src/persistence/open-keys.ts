/**
 * The storage keys that open sources hold, per store. Two sources open at once
 * with the same key would mix their cursors: one user's cursor sent with
 * another user's token, each skipping what the other saw. So a key is held by
 * one open source at a time; a later one is refused it (and keeps its cursor
 * in memory).
 *
 * A closed source lets its key go at once (`close()` and a new source on the
 * same key, as React's StrictMode does, must resume), but a `for await` loop
 * may still be yielding what it queued, and moving the cursor as it does: its
 * writes go on until another source takes the key, then stop.
 *
 * A store is told apart by its `storeIdentity` when it has one (two file
 * stores on one directory are one store), else by itself. The map lives on
 * `globalThis`, so that the ES module and CommonJS builds of this package,
 * both loaded in one process, see each other's keys.
 */
import { storeIdentity } from './stores/identity.js';
import type { LastEventIdStore } from '../contract/types.js';

/** One source's hold on a key. */
export interface KeyHold {
  /** Whether this source may still write the key: no other source took it since. */
  owns(): boolean;
  /** The source closed: another may take the key now. */
  release(): void;
  /** The source is done writing (closed, no loop left): the record goes. */
  forget(): void;
}

/**
 * A key's record in the registry. Exported for its declaration only: the
 * registry is shared by every build loaded in one process, so the production
 * build keeps these field names (scripts/build/names.mjs).
 */
export interface Claim {
  released: boolean;
  taken: boolean;
}

/** Per store, the claims on its keys. */
type Registry = Map<unknown, Map<string, Claim>>;
const registryKey = Symbol.for('resilient-eventsource.open-keys');
const holder = globalThis as { [registryKey]?: Registry };
holder[registryKey] ??= new Map();
const registry: Registry = holder[registryKey];

/** Takes `key` of `store`, or returns `undefined` while another open source holds it. */
export function holdKey(store: LastEventIdStore, key: string): KeyHold | undefined {
  const id = (store as { [storeIdentity]?: string })[storeIdentity] ?? store;
  const claims = registry.get(id) ?? new Map<string, Claim>();
  const held = claims.get(key);
  if (held && !held.released) return undefined;
  // A closed source whose loop still writes: its writes stop here.
  if (held) held.taken = true;
  const claim: Claim = { released: false, taken: false };
  claims.set(key, claim);
  registry.set(id, claims);
  return {
    owns: () => !claim.taken,
    release: () => {
      claim.released = true;
    },
    forget: () => {
      if (claims.get(key) !== claim) return;
      claims.delete(key);
      if (claims.size === 0) registry.delete(id);
    },
  };
}
