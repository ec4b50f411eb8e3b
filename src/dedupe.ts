/**
 * The window of recently delivered event ids. Pure; for the usual increasing
 * integer ids an event costs a comparison and an array write.
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

/** Whether `id` is a canonical decimal integer ("0", or digits not starting with 0). */
function isCanonicalInteger(id: string): boolean {
  const n = id.length;
  if (n === 0) return false;
  const first = id.charCodeAt(0);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (let i = 1; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** For canonical integers: numeric order is length first, then text. */
const greater = (a: string, b: string) => (a.length === b.length ? a > b : a.length > b.length);

/**
 * Creates a window of the given size (a positive integer), exact in both of
 * its forms:
 * - ordered, while every remembered id is a canonical integer greater than
 *   the one before (the common case): a greater id cannot be a repeat, so a
 *   new event costs a comparison and a ring write, no hashing; a replayed id
 *   is found by binary search in the ring;
 * - hashed, from the first id that breaks that order: a `Set` beside the ring.
 */
export function createDedupeWindow(size: number): DedupeWindow {
  const ring: (string | undefined)[] = new Array<string | undefined>(size);
  let next = 0;
  let filled = 0;
  /** The `Set` of the hashed form; `undefined` while ordered. */
  let hashed: Set<string> | undefined;

  const at = (k: number) => ring[(next - filled + k + size) % size] as string;
  const newest = () => ring[next === 0 ? size - 1 : next - 1];
  const extendsOrder = (id: string) => {
    const last = newest();
    return isCanonicalInteger(id) && (last === undefined || greater(id, last));
  };

  function push(id: string): void {
    const evicted = ring[next];
    if (hashed && evicted !== undefined && filled === size) hashed.delete(evicted);
    ring[next] = id;
    next = next + 1 === size ? 0 : next + 1;
    if (filled < size) filled++;
  }

  /** The last id has() found to extend the order, so add() need not check again. */
  let extending: string | undefined;

  function has(id: string): boolean {
    if (hashed) return hashed.has(id);
    // The common case: the next integer id. It cannot be a repeat.
    if (extendsOrder(id)) {
      extending = id;
      return false;
    }
    if (!isCanonicalInteger(id)) return false;
    // Binary search: the ring holds increasing integers, oldest first.
    let lo = 0;
    let hi = filled - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = at(mid);
      if (value === id) return true;
      if (greater(id, value)) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  function add(id: string): void {
    const ordered = id === extending || extendsOrder(id);
    extending = undefined;
    if (!hashed && !ordered) {
      hashed = new Set();
      for (let k = 0; k < filled; k++) hashed.add(at(k));
    }
    push(id);
    hashed?.add(id);
  }

  return {
    has,
    add,
    list() {
      const out: string[] = [];
      for (let k = 0; k < filled; k++) out.push(at(k));
      return out;
    },
    load(ids) {
      ring.fill(undefined);
      next = 0;
      filled = 0;
      hashed = undefined;
      extending = undefined;
      for (const id of ids.slice(-size)) if (!has(id)) add(id);
    },
  };
}
