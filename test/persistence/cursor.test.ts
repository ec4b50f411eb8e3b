import { describe, expect, it } from 'vitest';
import { createCursorKeeper } from '../../src/persistence/cursor.js';
import { StoreError } from '../../src/contract/events.js';
import type { LastEventIdStore, StoredCursor } from '../../src/contract/types.js';
import { createMonotonicFakeClock } from '../helpers/fake-clock.js';
import { settle } from '../helpers/sources.js';

/** A store whose writes stay in flight until the test releases them. */
function slowStore() {
  const writes: StoredCursor[] = [];
  const pending: (() => void)[] = [];
  const store: LastEventIdStore = {
    get: async () => undefined,
    set: (_key, cursor) => {
      writes.push(structuredClone(cursor));
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    delete: async () => {},
  };
  return { store, writes, release: () => pending.shift()?.() };
}

describe('createCursorKeeper', () => {
  it('keeps one write in flight and writes the latest state when it completes', async () => {
    const clock = createMonotonicFakeClock();
    const { store, writes, release } = slowStore();
    let state: StoredCursor = { lastEventId: '1', recentIds: ['1'] };
    const keeper = createCursorKeeper({
      store,
      key: 'k',
      clock,
      snapshot: () => state,
      onFailure: () => {},
      writeInterval: 0,
    });
    keeper.changed();
    for (let i = 2; i <= 50; i++) {
      state = { lastEventId: String(i), recentIds: [String(i)] };
      keeper.changed();
    }
    expect(writes.map((w) => w.lastEventId)).toEqual(['1']);
    release();
    await settle();
    expect(writes.map((w) => w.lastEventId)).toEqual(['1', '50']);
    release();
    await settle();
    expect(writes).toHaveLength(2);
  });

  it('flush() starts the final write at once, beside a write still in flight (pagehide has no later task)', async () => {
    const clock = createMonotonicFakeClock();
    const { store, writes, release } = slowStore();
    let state: StoredCursor = { lastEventId: '1', recentIds: [] };
    const keeper = createCursorKeeper({ store, key: 'k', clock, snapshot: () => state, onFailure: () => {} });
    keeper.changed();
    state = { lastEventId: '2', recentIds: [] };
    keeper.changed();
    const flushed = keeper.flush();
    // Both writes were issued synchronously, the latest last.
    expect(writes.map((w) => w.lastEventId)).toEqual(['1', '2']);
    let done = false;
    void flushed.then(() => (done = true));
    release();
    await settle();
    expect(done).toBe(false);
    release();
    await flushed;
    expect(clock.pending).toBe(0);
  });

  it('spaces writes by writeInterval: a 1,000 events/s stream costs 5 writes per second', async () => {
    // Events at t = 0…999 ms; writes at t = 0, 200, 400, 600, 800 and, for the
    // changes after 800, at 1000.
    const clock = createMonotonicFakeClock();
    let writes = 0;
    let id = 0;
    const store: LastEventIdStore = {
      get: async () => undefined,
      set: async () => void writes++,
      delete: async () => {},
    };
    const keeper = createCursorKeeper({
      store,
      key: 'k',
      clock,
      snapshot: () => ({ lastEventId: String(id), recentIds: [] }),
      onFailure: () => {},
      writeInterval: 200,
    });
    for (let ms = 0; ms < 1000; ms++) {
      id++;
      keeper.changed();
      clock.advance(1);
      await Promise.resolve();
    }
    await settle();
    expect(writes).toBe(6);
  });

  it('flush() writes a pending change at once and waits for it', async () => {
    const clock = createMonotonicFakeClock();
    const saved: string[] = [];
    let id = 'a';
    const store: LastEventIdStore = {
      get: async () => undefined,
      set: async (_k, c) => void saved.push(c.lastEventId),
      delete: async () => {},
    };
    const keeper = createCursorKeeper({
      store,
      key: 'k',
      clock,
      snapshot: () => ({ lastEventId: id, recentIds: [] }),
      onFailure: () => {},
    });
    keeper.changed();
    id = 'b';
    keeper.changed();
    expect(clock.pending).toBeGreaterThan(0);
    await keeper.flush();
    expect(saved).toEqual(['a', 'b']);
    expect(clock.pending).toBe(0);
  });

  it('deletes the entry when the cursor is reset', async () => {
    const clock = createMonotonicFakeClock();
    const calls: string[] = [];
    const store: LastEventIdStore = {
      get: async () => undefined,
      set: async () => void calls.push('set'),
      delete: async (key) => void calls.push(`delete:${key}`),
    };
    const keeper = createCursorKeeper({
      store,
      key: 'k',
      clock,
      snapshot: () => ({ lastEventId: '', recentIds: [] }),
      onFailure: () => {},
    });
    keeper.changed();
    await keeper.flush();
    expect(calls).toEqual(['delete:k']);
  });

  it.each([
    ['a rejecting read', { get: () => Promise.reject(new Error('blocked')) }],
    [
      'a throwing read',
      {
        get: () => {
          throw new Error('SecurityError');
        },
      },
    ],
    ['a foreign value', { get: async () => ({ lastEventId: 5 }) }],
    ['a corrupt window', { get: async () => ({ lastEventId: '5', recentIds: [1, 2] }) }],
  ])('%s degrades to memory, reported once', async (_name, overrides) => {
    const clock = createMonotonicFakeClock();
    const failures: StoreError[] = [];
    // Deliberately wrong values, as a foreign or corrupt store would return.
    const store = { set: async () => {}, delete: async () => {}, ...overrides } as unknown as LastEventIdStore;
    const keeper = createCursorKeeper({
      store,
      key: 'k',
      clock,
      snapshot: () => ({ lastEventId: 'x', recentIds: [] }),
      onFailure: (e) => failures.push(e),
    });
    expect(await keeper.load()).toBeUndefined();
    keeper.changed();
    await keeper.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(StoreError);
    expect(failures[0]?.name).toBe('StoreError');
  });

  it('a write that never settles counts as a failure after the timeout', async () => {
    const clock = createMonotonicFakeClock();
    const failures: StoreError[] = [];
    const store: LastEventIdStore = {
      get: async () => undefined,
      set: () => new Promise(() => {}),
      delete: async () => {},
    };
    const keeper = createCursorKeeper({
      store,
      key: 'k',
      clock,
      snapshot: () => ({ lastEventId: 'x', recentIds: [] }),
      onFailure: (e) => failures.push(e),
      timeout: 1000,
    });
    keeper.changed();
    clock.advance(999);
    await settle();
    expect(failures).toHaveLength(0);
    clock.advance(1);
    await settle();
    expect(failures.map((e) => e.message)).toEqual(['The cursor store did not answer a write within 1000 ms']);
    keeper.changed();
    await keeper.flush();
    expect(failures).toHaveLength(1);
  });

  it('a failing write is reported once however often it fails', async () => {
    const clock = createMonotonicFakeClock();
    const failures: StoreError[] = [];
    const store: LastEventIdStore = {
      get: async () => undefined,
      set: () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
      delete: async () => {},
    };
    const keeper = createCursorKeeper({
      store,
      key: 'k',
      clock,
      snapshot: () => ({ lastEventId: 'x', recentIds: [] }),
      onFailure: (e) => failures.push(e),
      writeInterval: 0,
    });
    for (let i = 0; i < 10; i++) {
      keeper.changed();
      await keeper.flush();
    }
    expect(failures).toHaveLength(1);
    expect((failures[0]?.cause as DOMException | undefined)?.name).toBe('QuotaExceededError');
  });
});
