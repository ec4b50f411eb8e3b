/**
 * Option normalisation: validates once, throws at once, and returns a complete
 * internal shape. It walks the table of option-specs.ts, which says what each
 * option takes; this file holds only the walk, the messages and the URL.
 * Pure apart from reading `globalThis.location` and `globalThis.fetch` for
 * defaults. The caller's object is never mutated.
 */
import type { ResilientEventSourceInit } from '../contract/types.js';
import { development } from '../platform/build.js';
import { closest, show } from './hints.js';
import { type Fields, type OptionSpec, type OutputOf, optionError, optionSpecs } from './option-specs.js';

/** The complete internal shape of the options: one field per row of the table, plus the URL. */
export type NormalizedOptions = { -readonly [K in keyof typeof optionSpecs]: OutputOf<(typeof optionSpecs)[K]> } & {
  url: string;
  /** Whether `fetch` is the runtime's own: only then is a scheme other than http(s) known to be futile. */
  defaultFetch: boolean;
};

/** Any row, as the walker sees it: it checks values, and the rows say their types. */
type Row = OptionSpec<unknown, unknown, Fields>;

/** Throws for a refused value; the development build says what the value was. */
function refuse(ErrorType: typeof TypeError, name: string, expected: string, value: unknown): never {
  return optionError(ErrorType, name, `must be ${expected}${development ? `, got ${show(value)}` : ''}`);
}

/**
 * Checks `given` against `table` row by row (see {@link OptionSpec} for the
 * steps) and returns the normalised fields, added to `done`. Names in
 * messages are `prefix` + key. An own key of `given` that no row names is a
 * TypeError (with the nearest known name as a suggestion, in development).
 */
function walk(
  given: Fields,
  table: Record<string, Row>,
  prefix: string,
  done: Record<string, unknown> = {},
): Record<string, unknown> {
  const known = Object.keys(table);
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const hint = development ? closest(key, known) : undefined;
    throw new TypeError(`Unknown option \`${prefix}${key}\`${hint ? `. Did you mean \`${prefix}${hint}\`?` : ''}`);
  }
  for (const [key, row] of Object.entries(table)) {
    const name = prefix + key;
    let value = given[key];
    if (value === undefined) value = row.orFrom ? row.orFrom(done) : row.or;
    if (value === undefined && row.of) value = {};
    if (value !== undefined) {
      if (row.is && !row.is(value)) refuse(TypeError, name, row.type ?? '', value);
      if (row.of) value = walk(value as Fields, row.of, `${name}.`);
      if (row.to) value = row.to(value, done);
      if (row.range && !row.range.test(value)) refuse(RangeError, name, row.range.expected, value);
    }
    done[key] = value;
  }
  return done;
}

/**
 * Validates the constructor's arguments. Throws `SyntaxError` for a URL that
 * cannot be parsed (as `EventSource` does), `TypeError` for a value of the
 * wrong type and `RangeError` for one out of range; each message names the
 * option.
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
    const hint = development && !base ? ' (relative URLs need a page or worker location)' : '';
    const message = `Invalid URL ${JSON.stringify(String(url))}: cannot be parsed${hint}`;
    throw typeof DOMException === 'function' ? new DOMException(message, 'SyntaxError') : new SyntaxError(message);
  }
  const given: unknown = init ?? {};
  if (typeof given !== 'object') {
    throw new TypeError(`Options must be an object${development ? `, got ${show(given)}` : ''}`);
  }
  const options = walk(given as Fields, optionSpecs, '', { url: href });
  options['defaultFetch'] = init?.fetch === undefined;
  // The walk gave every row's field its row's type (and the URL).
  return options as NormalizedOptions;
}
