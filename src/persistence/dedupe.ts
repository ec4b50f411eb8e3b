/**
 * The window of recently delivered event ids. Pure; for the usual increasing
 * ids an event costs one string comparison and an array write.
 */

/** The most recent `size` explicit event ids, oldest first when listed. */
export interface DedupeWindow {
  /**
   * The per-event call: false when `id` was delivered within the window (a
   * repeat, to be dropped); otherwise remembers it, evicting the oldest when
   * full, and returns true.
   */
  admit(id: string): boolean;
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
  admit: () => true,
  has: () => false,
  add: () => {},
  list: () => [],
  load: () => {},
};

/**
 * The window's order: length first, then code units. It is a total order on
 * all strings, and for decimal integers without leading zeros it is their
 * numeric order — so "10" follows "9", as a server counting up means it to.
 */
const greater = (a: string, b: string) => (a.length === b.length ? a > b : a.length > b.length);

/** Binary search of an ordered window of `count` ids, `at(0)` the oldest. */
function search(id: string, count: number, at: (k: number) => string): boolean {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = at(mid);
    if (value === id) return true;
    if (greater(id, value)) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Creates a window of the given size (a positive integer), exact in both of
 * its forms:
 * - ordered, while every id is {@link greater} than the one before (counters,
 *   timestamps of one width: the common case): a greater id cannot be a
 *   repeat, so a new event costs one comparison and a ring write, no hashing
 *   and no scan of its characters; a replayed id is found by binary search;
 * - hashed, from the first id that breaks that order: a `Set` beside the ring.
 */
export function createDedupeWindow(size: number): DedupeWindow {
  // Made full of '' rather than with holes (`new Array(size)`): a packed
  // array of strings keeps every ring access on V8's fast path.
  const ring: string[] = Array.from({ length: size }, () => '');
  /** Where the next id goes; the newest is just before it. */
  let next = 0;
  let filled = 0;
  /** The newest id, or undefined when the window is empty. */
  let newest: string | undefined;
  /** The `Set` of the hashed form; `undefined` while ordered. */
  let hashed: Set<string> | undefined;

  const at = (k: number) => ring[(next - filled + k + size) % size] as string;

  function push(id: string): void {
    if (filled === size) hashed?.delete(ring[next] as string);
    else filled++;
    ring[next] = id;
    newest = id;
    next = next + 1 === size ? 0 : next + 1;
  }

  const list = () => Array.from({ length: filled }, (_, k) => at(k));

  /** Hashed: one lookup. Ordered: the next id in order cannot be a repeat; an older one is searched for. */
  const has = (id: string): boolean =>
    hashed ? hashed.has(id) : newest !== undefined && !greater(id, newest) && search(id, filled, at);

  function add(id: string): void {
    if (!hashed && newest !== undefined && !greater(id, newest)) {
      // The order is broken for good: hash what the ring holds.
      hashed = new Set(list());
    }
    push(id);
    hashed?.add(id);
  }

  return {
    admit(id) {
      // The common case first, in as few steps as possible.
      if (!hashed && (newest === undefined || greater(id, newest))) {
        push(id);
        return true;
      }
      if (has(id)) return false;
      add(id);
      return true;
    },
    has,
    add,
    list,
    load(ids) {
      ring.fill('');
      next = filled = 0;
      newest = hashed = undefined;
      for (const id of ids.slice(-size)) if (!has(id)) add(id);
    },
  };
}
