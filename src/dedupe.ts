/**
 * The window of recently delivered event ids. Pure and allocation-free per
 * event: a `Set` for lookups and a fixed ring for eviction order.
 */

/** The most recent `size` explicit event ids, oldest first when listed. */
export interface DedupeWindow {
  /** Whether `id` was delivered within the window. */
  has(id: string): boolean;
  /** Remembers `id`, evicting the oldest when full. Callers check {@link has} first. */
  add(id: string): void;
  /** The remembered ids, oldest first (what the cursor store saves). */
  list(): string[];
  /** Replaces the content with `ids` (oldest first); only the newest `size` are kept. */
  load(ids: readonly string[]): void;
}

/** A window that remembers nothing: what `dedupe: false` gives. */
export const noDedupe: DedupeWindow = {
  has: () => false,
  add: () => {},
  list: () => [],
  load: () => {},
};

/** Creates a window of the given size (a positive integer). */
export function createDedupeWindow(size: number): DedupeWindow {
  const seen = new Set<string>();
  const ring: (string | undefined)[] = new Array<string | undefined>(size);
  let next = 0;

  function add(id: string): void {
    const evicted = ring[next];
    if (evicted !== undefined) seen.delete(evicted);
    ring[next] = id;
    next = next + 1 === size ? 0 : next + 1;
    seen.add(id);
  }

  return {
    has: (id) => seen.has(id),
    add,
    list() {
      const out: string[] = [];
      for (let i = 0; i < size; i++) {
        const id = ring[(next + i) % size];
        if (id !== undefined) out.push(id);
      }
      return out;
    },
    load(ids) {
      seen.clear();
      ring.fill(undefined);
      next = 0;
      for (const id of ids.slice(-size)) if (!seen.has(id)) add(id);
    },
  };
}
