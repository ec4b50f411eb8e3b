/**
 * The property under which a store names the place it stores into, so that
 * two store objects over the same place (two file stores on one directory,
 * two IndexedDB stores on one database) count as one store when the source
 * checks that no two open sources share a key (open-keys.ts). Registered with
 * `Symbol.for`, so that the ES module and CommonJS builds agree on it.
 */
export const storeIdentity: unique symbol = Symbol.for('resilient-eventsource.store');
