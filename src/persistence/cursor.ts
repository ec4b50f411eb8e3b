/**
 * Persistence of the cursor (last id + dedupe window). Writes are coalesced:
 * at most one in flight, at most one per `writeInterval`, and the value written
 * is taken when the write starts, so the latest state always wins and a fast
 * stream costs a few writes per second, not one per event. `flush()` is the
 * exception: it writes at once, beside any write in flight. A store that throws,
 * rejects, hangs or returns garbage is replaced by memory and reported once.
 */
import type { SourceClock, TimerHandle } from '../platform/clock.js';
import { StoreError } from '../contract/events.js';
import { holdKey, type KeyHold } from './open-keys.js';
import { createMemoryStore } from './stores/memory-store.js';
import type { LastEventIdStore, StoredCursor } from '../contract/types.js';
import { development } from '../platform/build.js';

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
  /**
   * Whether this source must hold the key alone (open-keys.ts); sources that
   * share a connection share the key. @defaultValue false
   */
  exclusive?: boolean;
  clock: SourceClock;
  /** The current state, read when a write starts. */
  snapshot: () => StoredCursor;
  /**
   * Reports a store problem: called once when the store fails (it is then
   * replaced by memory), once when the stored value is corrupt (the next write
   * replaces it), and when the key is taken (this source keeps its cursor in
   * memory). `message` says what happened and what is done about it.
   */
  onFailure: (error: StoreError, message: string) => void;
  writeInterval?: number | undefined;
  timeout?: number | undefined;
}

/** Keeps one stream's cursor in a store. */
export interface CursorKeeper {
  /** Reads the stored cursor; `undefined` when there is none or the store failed. Never rejects. */
  load(): Promise<StoredCursor | undefined>;
  /** The state changed: schedule a write. Cheap enough to call per event. */
  changed(): void;
  /** Writes any pending change now and resolves when nothing is in flight. Never rejects. */
  flush(): Promise<void>;
  /**
   * The source closed: reads still waiting on the store resolve `undefined` at
   * once (their timers go), and another source may take the key. Writes go on
   * (a loop may still move the cursor) until one does.
   */
  close(): void;
  /** The source and its loops are done with the cursor. */
  finish(): void;
}

function isCursor(value: unknown): value is StoredCursor {
  const v = value as Partial<StoredCursor> | null;
  return (
    typeof v?.lastEventId === 'string' &&
    Array.isArray(v.recentIds) &&
    v.recentIds.every((id) => typeof id === 'string')
  );
}

const nothing = (): void => {};
const none = async (): Promise<undefined> => undefined;
/** The keeper of a source with no store: every method is a no-op. */
const idle: CursorKeeper = { load: none, changed: nothing, flush: none, close: nothing, finish: nothing };

/** The hold of a source that needs none (it shares a connection, and the leader writes). */
const shared: KeyHold = { owns: () => true, release: nothing, forget: nothing };

/** What else a guarded call may be given. */
interface CallOptions {
  /** Settles the call early (with `undefined`) when it settles first. */
  until?: Promise<undefined>;
  /** Returns true for a failure that leaves the store in use (a corrupt value: the next write replaces it). */
  tolerate?: (error: StoreError) => boolean;
}

/** A store call, guarded: it resolves `undefined` instead of failing. */
type GuardedCall = <T>(
  what: 'read' | 'write' | 'delete',
  run: (store: LastEventIdStore) => Promise<T>,
  options?: CallOptions,
) => Promise<T | undefined>;

/**
 * The store behind a time limit. The first failure (a throw, a rejection, no
 * answer within the timeout, or a value that is not a cursor) swaps in a
 * memory store and is reported; every later call goes to memory, which
 * cannot fail.
 */
function guardStore(original: LastEventIdStore, params: CursorKeeperParams) {
  const { key, clock } = params;
  const timeout = params.timeout ?? defaultStoreTimeout;
  let store = original;

  const fail = (error: StoreError): void => {
    if (store !== original) return;
    store = createMemoryStore();
    params.onFailure(error, `${error.message}; using memory instead`);
  };

  /** Runs one call against `timeout` (and `until`, when given). */
  const call: GuardedCall = async (what, run, { until, tolerate } = {}) => {
    let limit: TimerHandle;
    try {
      return await Promise.race([
        run(store),
        new Promise<never>((_, reject) => {
          limit = clock.setTimeout(
            () => reject(new StoreError(`The cursor store did not answer a ${what} within ${timeout} ms`)),
            timeout,
          );
        }),
        ...(until ? [until] : []),
      ]);
    } catch (cause) {
      const error =
        cause instanceof StoreError ? cause : new StoreError(`The cursor store failed to ${what} "${key}"`, { cause });
      if (!tolerate?.(error)) fail(error);
      return undefined;
    } finally {
      clock.clearTimeout(limit);
    }
  };

  return { fail, call };
}

/**
 * Turns changes into writes: at most one in flight, at most one per
 * interval, the value taken when the write starts; `flush()` writes at once.
 */
class Writer implements Pick<CursorKeeper, 'changed' | 'flush'> {
  #dirty = false;
  #timer: TimerHandle | undefined;
  #lastWriteAt = -Infinity;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #call: GuardedCall;
  readonly #params: CursorKeeperParams;
  readonly #hold: KeyHold;
  readonly #writeInterval: number;

  constructor(call: GuardedCall, params: CursorKeeperParams, hold: KeyHold) {
    this.#call = call;
    this.#params = params;
    this.#hold = hold;
    this.#writeInterval = params.writeInterval ?? defaultWriteInterval;
  }

  /** The state changed: a write is scheduled, unless one is already. Cheap enough per event. */
  changed(): void {
    // Already dirty means a write is scheduled or in flight, and it will
    // take this change too: nothing to do on this per-event path.
    if (this.#dirty) return;
    this.#dirty = true;
    this.#schedule();
  }

  async flush(): Promise<void> {
    while (this.#dirty || this.#inFlight.size > 0) {
      // The final write starts now, synchronously, even with another in
      // flight: a page that is going away (pagehide) runs no later task, so
      // waiting first would lose it. Stores apply writes in call order, so
      // this one still wins.
      if (this.#dirty) this.#write();
      await Promise.all(this.#inFlight);
    }
  }

  #write(): void {
    const { key, clock, snapshot } = this.#params;
    // flush() may write while a spaced-out write is still scheduled: that
    // timer is now pointless and must not outlive close().
    clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty = false;
    // Another source took the key since this one closed: the cursor is its now.
    if (!this.#hold.owns()) return;
    const cursor = snapshot();
    this.#lastWriteAt = clock.monotonic();
    // Writes start synchronously: the pagehide flush has no later task to
    // run in. An empty last id with nothing remembered is the reset state:
    // remove the entry rather than store an empty one.
    const done: Promise<void> = (
      cursor.lastEventId === '' && cursor.recentIds.length === 0
        ? this.#call('delete', (s) => s.delete(key))
        : this.#call('write', (s) => s.set(key, cursor))
    ).then(() => {
      this.#inFlight.delete(done);
      this.#schedule();
    });
    this.#inFlight.add(done);
  }

  #schedule(): void {
    if (!this.#dirty || this.#inFlight.size > 0 || this.#timer !== undefined) return;
    const { clock } = this.#params;
    // On the monotonic clock: a wall clock stepped back must not hold writes off.
    const wait = this.#lastWriteAt + this.#writeInterval - clock.monotonic();
    if (wait > 0) this.#timer = clock.setTimeout(() => this.#write(), wait);
    else this.#write();
  }
}

/**
 * Creates the keeper. With no store, every method is a no-op; so it is, and
 * the problem is reported, when another open source holds the key.
 */
export function createCursorKeeper(params: CursorKeeperParams): CursorKeeper {
  const { store, key } = params;
  if (!store) return idle;
  const hold = params.exclusive ? holdKey(store, key) : shared;
  if (!hold) {
    // Reported from a microtask: the constructor's caller adds its listeners first.
    const error = new StoreError(`Another open source uses storageKey "${key}" in the same store`);
    const advice = development ? '. Streams that differ per user need a storageKey per user' : '';
    queueMicrotask(() =>
      params.onFailure(error, `${error.message}: this one keeps its cursor in memory only${advice}`),
    );
    return idle;
  }
  const { call, fail } = guardStore(store, params);
  const writer = new Writer(call, params, hold);
  /**
   * A stored value that is corrupt is reported; the store still works, and a
   * save replaces it, made at once (even a stream that delivers nothing must
   * not leave it for the next start to trip on).
   */
  const reportCorrupt = (error: StoreError): boolean => {
    if (!error.corrupt) return false;
    params.onFailure(error, `${error.message}; starting without it, and the next save replaces it`);
    writer.changed();
    return true;
  };
  // Only a read is given up on close: nothing depends on it any more, and
  // its timer must not keep a process alive for the timeout.
  /** Settles the reads still waiting on the store, when the source closes. */
  let abandonReads = (): void => {};
  const abandoned = new Promise<undefined>((resolve) => {
    abandonReads = () => resolve(undefined);
  });

  return {
    async load() {
      // The first read runs in the constructor: a `get()` that throws at once
      // becomes a rejection here (an async function), so it is reported from a
      // later microtask, to listeners added right after the constructor too.
      const value = await call('read', async (s) => s.get(key), { until: abandoned, tolerate: reportCorrupt });
      if (value == null) return undefined;
      if (isCursor(value)) return value;
      fail(new StoreError(`The value stored under "${key}" is not a cursor; starting without one`));
      return undefined;
    },
    changed: () => writer.changed(),
    flush: () => writer.flush(),
    close() {
      abandonReads();
      hold.release();
    },
    finish: hold.forget,
  };
}
