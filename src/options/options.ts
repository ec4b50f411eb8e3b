/**
 * Option normalisation: validates once, throws at once, and returns a complete
 * internal shape. It walks the table of option-specs.ts, which says what each
 * option takes; this file holds only the walk, the messages and the URL.
 * Pure apart from reading `globalThis.location` and `globalThis.fetch` for
 * defaults. The caller's object is never mutated.
 */
import type { BackoffPolicy } from '../contract/types.js';
import type { RandomSource, SourceClock } from '../platform/clock.js';
import { type Done, type OptionSpec, optionError, optionSpecs } from './option-specs.js';
import type {
  BodyOption,
  FetchLike,
  HeadersOption,
  LastEventIdStore,
  ResilientEventSourceInit,
} from '../contract/types.js';

/** The complete internal shape of the options. */
export interface NormalizedOptions {
  url: string;
  withCredentials: boolean;
  headers: HeadersOption | undefined;
  method: string;
  body: BodyOption | undefined;
  fetch: FetchLike;
  /** Whether `fetch` is the runtime's own: only then is a scheme other than http(s) known to be futile. */
  defaultFetch: boolean;
  signal: AbortSignal | undefined;
  backoff: BackoffPolicy;
  heartbeatTimeout: number;
  dedupe: number;
  /** `undefined` = pick the default store for this runtime; `false` = none. */
  store: LastEventIdStore | false | undefined;
  storageKey: string;
  /** Query parameter that also carries the cursor, or `undefined`. */
  lastEventIdQuery: string | undefined;
  maxEventSize: number;
  pauseWhenHidden: boolean;
  endOfStream: 'reconnect' | 'close';
  share: boolean;
  clock: SourceClock;
  random: RandomSource;
}

/** A value as a message shows it: strings quoted, objects and functions by kind. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return value && typeof value === 'object' ? 'an object' : String(value);
}

/**
 * The known name nearest to a misspelt one, if any is near enough to suggest:
 * the one that shares the most letters at the start plus at the end (any
 * single typo leaves all but one letter shared), if that is half the name and
 * at least 3 letters. Ties go to the row higher in the table.
 */
function closest(name: string, known: string[]): string | undefined {
  const a = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Math.max(3, a.length / 2) - 0.5;
  for (const candidate of known) {
    const b = candidate.toLowerCase();
    let start = 0;
    let end = 1;
    while (a[start] && a[start] === b[start]) start++;
    while (a[a.length - end] && a[a.length - end] === b[b.length - end]) end++;
    if (start + end - 1 > bestScore) [best, bestScore] = [candidate, start + end - 1];
  }
  return best;
}

/**
 * Checks `given` against `specs` row by row (see {@link OptionSpec} for the
 * steps) and returns the normalised fields, added to `done`. Names in
 * messages are `prefix` + key. An own key of `given` that no row names is a
 * TypeError, with the nearest known name as a suggestion.
 */
function walk(given: Done, specs: Record<string, OptionSpec>, prefix: string, done: Done = {}): Done {
  const known = Object.keys(specs);
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    throw new TypeError(`Unknown option \`${prefix}${key}\`${hint ? `. Did you mean \`${prefix}${hint}\`?` : ''}`);
  }
  for (const [key, { is, type, or, of, to, range }] of Object.entries(specs)) {
    const name = prefix + key;
    let value = given[key];
    if (value === undefined) value = typeof or === 'function' ? or(done) : or;
    if (value !== undefined) {
      if (is && !is(value)) optionError(TypeError, name, `must be ${type}, got ${show(value)}`);
      if (of) value = walk(value, of, `${name}.`);
      if (to) value = to(value, done);
      if (range && !range[0](value)) optionError(RangeError, name, `must be ${range[1]}, got ${show(value)}`);
    }
    done[key] = value;
  }
  return done;
}

/**
 * Validates the constructor's arguments. Throws `SyntaxError` for a URL that
 * cannot be parsed (as `EventSource` does), `TypeError` for a value of the
 * wrong type and `RangeError` for one out of range; each message names the
 * option and the value seen.
 */
export function normalizeOptions(url: string | URL, init: ResilientEventSourceInit | undefined): NormalizedOptions {
  // The base URL relative URLs resolve against: the document's or worker's location, if any.
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  let href: string;
  try {
    href = new URL(url, base).href;
  } catch {
    // [spec] "If urlRecord is failure, then throw a "SyntaxError" DOMException":
    // callers (and WPT) check `instanceof DOMException`.
    const message = `Invalid URL ${show(String(url))}: cannot be parsed${base ? '' : ' (relative URLs need a page or worker location)'}`;
    throw typeof DOMException === 'function' ? new DOMException(message, 'SyntaxError') : new SyntaxError(message);
  }
  init ??= {};
  if (typeof init !== 'object') throw new TypeError(`Options must be an object, got ${show(init)}`);
  const o = walk(init, optionSpecs, '', { url: href });
  o['defaultFetch'] = init.fetch === undefined;
  return o as NormalizedOptions;
}
