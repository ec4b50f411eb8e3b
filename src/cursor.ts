/**
 * Persistence of the cursor (last id + dedupe window). Writes are coalesced:
 * at most one in flight, at most one per `writeInterval`, and the value written
 * is taken when the write starts, so the latest state always wins and a fast
 * stream costs a few writes per second, not one per event. `flush()` is the
 * exception: it writes at once, beside any write in flight. A store that throws,
 * rejects, hangs or returns garbage is replaced by memory and reported once.
 */
import type { Clock, TimerHandle } from './clock.js';
import { StoreError } from './errors.js';
import { createMemoryStore } from './stores/memory-store.js';
import type { LastEventIdStore, StoredCursor } from './types.js';

/**
 * Minimum ms between two writes of one cursor. It bounds what a crash can
 * repeat (a clean close and pagehide write at once) against what writing
 * costs: an IndexedDB write takes the page's main thread about a millisecond,
 * and at 200 ms the writes cost 5–9% of what a 10,000 events/s stream itself
 * costs in Chromium; at 500 ms, 1–2% (bench/browser.ts, paced phase).
 */
export const defaultWriteInterval = 500;
/** Ms a store call may take before the store is considered broken. */
export const defaultStoreTimeout = 5000;

/** What {@link createCursorKeeper} needs. */
export interface CursorKeeperParams {
  /** The store, or `undefined` for none. */
  store: LastEventIdStore | undefined;
  key: string;
  clock: Clock;
  /** The current state, read when a write starts. */
  snapshot: () => StoredCursor;
  /** Called once, the first time the store fails. */
  onFailure: (error: StoreError) => void;
  writeInterval?: number;
  timeout?: number;
}

/** Keeps one stream's cursor in a store. */
export interface CursorKeeper {
  /** Reads the stored cursor; `undefined` when there is none or the store failed. Never rejects. */
  load(): Promise<StoredCursor | undefined>;
  /** The state changed: schedule a write. Cheap enough to call per event. */
  changed(): void;
  /** Writes any pending change now and resolves when nothing is in flight. Never rejects. */
  flush(): Promise<void>;
  /** The source closed: reads still waiting on the store resolve `undefined` at once, and their timers go. */
  release(): void;
}

function isCursor(value: unknown): value is StoredCursor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<StoredCursor>;
  return typeof v.lastEventId === 'string'
    && Array.isArray(v.recentIds)
    && v.recentIds.every((id) => typeof id === 'string');
}

/** Creates the keeper. With no store, every method is a no-op. */
export function createCursorKeeper(params: CursorKeeperParams): CursorKeeper {
  const { key, clock, snapshot } = params;
  const interval = params.writeInterval ?? defaultWriteInterval;
  const timeout = params.timeout ?? defaultStoreTimeout;
  let store = params.store;
  let failed = false;
  let dirty = false;
  const inFlight = new Set<Promise<void>>();
  let timer: TimerHandle | undefined;
  let lastWriteAt = -Infinity;

  function fail(error: StoreError): void {
    if (failed) return;
    failed = true;
    store = createMemoryStore();
    params.onFailure(error);
  }

  /** Settles the reads still waiting on the store, when the source closes. */
  const pendingReads = new Set<() => void>();

  /**
   * Runs one store call with a time limit; a broken store degrades to memory.
   * A read is started from a microtask: the first one runs in the
   * constructor, and a `get()` that throws at once must still be reported to
   * listeners added right after it. Writes start synchronously (the pagehide
   * flush has no later task to run in); one that throws is caught all the same.
   */
  async function call<T>(what: string, run: (s: LastEventIdStore) => Promise<T>): Promise<T | undefined> {
    const current = store;
    if (!current) return undefined;
    let limit: TimerHandle | undefined;
    let giveUp: (() => void) | undefined;
    try {
      return await Promise.race([
        what === 'read' ? Promise.resolve().then(() => run(current)) : run(current),
        new Promise<never>((_, reject) => {
          limit = clock.setTimeout(() => reject(new StoreError(`The cursor store did not answer a ${what} within ${timeout} ms`)), timeout);
        }),
        // Only a read is given up on close: nothing depends on it any more,
        // and its timer must not keep a process alive for the timeout.
        ...(what === 'read' ? [new Promise<undefined>((resolve) => pendingReads.add((giveUp = () => resolve(undefined))))] : []),
      ]);
    } catch (cause) {
      if (store === current) {
        fail(cause instanceof StoreError ? cause : new StoreError(`The cursor store failed to ${what} "${key}"`, { cause }));
      }
      return undefined;
    } finally {
      clock.clearTimeout(limit);
      if (giveUp) pendingReads.delete(giveUp);
    }
  }

  function write(): void {
    // flush() may write while a spaced-out write is still scheduled: that
    // timer is now pointless and must not outlive close().
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    dirty = false;
    const cursor = snapshot();
    lastWriteAt = clock.now();
    // An empty last id with nothing remembered is the reset state: remove the
    // entry rather than store an empty one.
    const done: Promise<void> = (cursor.lastEventId === '' && cursor.recentIds.length === 0
      ? call('delete', (s) => s.delete(key))
      : call('write', (s) => s.set(key, cursor))
    ).then(() => {
      inFlight.delete(done);
      if (dirty && inFlight.size === 0) schedule();
    });
    inFlight.add(done);
  }

  function schedule(): void {
    if (inFlight.size > 0 || timer !== undefined) return;
    const wait = lastWriteAt + interval - clock.now();
    if (wait > 0) timer = clock.setTimeout(write, wait);
    else write();
  }

  if (!store) {
    return { load: () => Promise.resolve(undefined), changed() {}, flush: () => Promise.resolve(), release() {} };
  }

  return {
    async load() {
      const value = await call('read', (s) => s.get(key));
      if (value === undefined || value === null) return undefined;
      if (isCursor(value)) return value;
      fail(new StoreError(`The value stored under "${key}" is not a cursor; starting without one`));
      return undefined;
    },
    changed() {
      // Already dirty means a write is scheduled or in flight, and it will
      // take this change too: nothing to do on this per-event path.
      if (dirty) return;
      dirty = true;
      schedule();
    },
    async flush() {
      while (dirty || inFlight.size > 0) {
        // The final write starts now, synchronously, even with another in
        // flight: a page that is going away (pagehide) runs no later task, so
        // waiting first would lose it. Stores apply writes in call order, so
        // this one still wins.
        if (dirty) write();
        await Promise.all(inFlight);
      }
    },
    release() {
      for (const giveUp of [...pendingReads]) giveUp();
    },
  };
}
