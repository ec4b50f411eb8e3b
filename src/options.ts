/**
 * Option normalisation: validates once, throws at once, and returns a complete
 * internal shape. Pure apart from reading `globalThis.location` and
 * `globalThis.fetch` for defaults. The caller's object is never mutated.
 */
import { type BackoffPolicy, defaultBackoff } from './backoff.js';
import { type Clock, type RandomSource, systemClock, systemRandom } from './clock.js';
import type {
  BodyOption,
  FetchLike,
  HeadersOption,
  LastEventIdStore,
  ResilientEventSourceInit,
} from './types.js';

/** Default of `heartbeatTimeout`, in ms. */
export const defaultHeartbeatTimeout = 45_000;
/** Default of `dedupe`: how many recent ids are remembered. */
export const defaultDedupeSize = 1000;
/** Default of `maxEventSize`: 16 MiB of decoded text. */
export const defaultMaxEventSize = 16 * 1024 * 1024;
/** The longest delay `setTimeout` can hold (2^31 − 1 ms); longer ones fire at once. */
export const maxTimerDelay = 2 ** 31 - 1;

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
  clock: Clock;
  random: RandomSource;
}

const knownOptions = new Set([
  'withCredentials', 'headers', 'method', 'body', 'fetch', 'signal', 'backoff', 'heartbeatTimeout',
  'dedupe', 'store', 'storageKey', 'lastEventIdQuery', 'maxEventSize', 'pauseWhenHidden', 'endOfStream', 'share', 'clock', 'random',
]);
const knownBackoff = new Set(['initialDelay', 'maxDelay', 'factor', 'jitter', 'maxRetries']);

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** The known name nearest to a misspelt one, if any is near enough to suggest. */
function closest(name: string, known: Set<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = lower.length >= 6 ? 3 : 1;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    // Ties go to the longer shared prefix: "maxRetry" → "maxRetries", not "maxDelay".
    let prefix = 0;
    while (prefix < c.length && c[prefix] === lower[prefix]) prefix++;
    const score = (c.includes(lower) || lower.includes(c) ? 0 : editDistance(c, lower)) - prefix / 100;
    if (score <= bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** `Option \`name\` must be EXPECTED, got VALUE`: the one shape of every option error. */
function invalid(Error: typeof TypeError | typeof RangeError, name: string, expected: string, value: unknown): Error {
  return new Error(`Option \`${name}\` must be ${expected}, got ${show(value)}`);
}

/** Throws a TypeError for `name` unless `ok`. */
function expect(ok: boolean, name: string, expected: string, value: unknown): void {
  if (!ok) throw invalid(TypeError, name, expected, value);
}

function rejectUnknown(given: object, known: Set<string>, prefix: string): void {
  for (const key of Object.keys(given)) {
    if (known.has(key)) continue;
    const hint = closest(key, known);
    throw new TypeError(
      `Unknown option \`${prefix}${key}\`${hint ? `. Did you mean \`${prefix}${hint}\`?` : ''}`,
    );
  }
}

function number(
  name: string,
  value: unknown,
  fallback: number,
  check: (n: number) => boolean,
  expected: string,
): number {
  if (value === undefined) return fallback;
  expect(typeof value === 'number' && !Number.isNaN(value), name, 'a number', value);
  if (!check(value as number)) throw invalid(RangeError, name, expected, value);
  return value as number;
}

function boolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  expect(typeof value === 'boolean', name, 'a boolean', value);
  return value as boolean;
}

const isDelay = (n: number) => n >= 0 && n <= maxTimerDelay;

function normalizeBackoff(value: unknown): BackoffPolicy {
  if (value === undefined) return { ...defaultBackoff };
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), 'backoff', 'an object like { initialDelay: 1000 }', value);
  const b = value as Record<string, unknown>;
  rejectUnknown(b, knownBackoff, 'backoff.');
  const delayText = `between 0 and ${maxTimerDelay} ms`;
  const initialDelay = number('backoff.initialDelay', b['initialDelay'], defaultBackoff.initialDelay, isDelay, delayText);
  const maxDelay = number('backoff.maxDelay', b['maxDelay'], Math.max(defaultBackoff.maxDelay, initialDelay), isDelay, delayText);
  if (maxDelay < initialDelay) {
    throw new RangeError(
      `Option \`backoff.maxDelay\` (${maxDelay}) must not be less than \`backoff.initialDelay\` (${initialDelay})`,
    );
  }
  return {
    initialDelay,
    maxDelay,
    factor: number('backoff.factor', b['factor'], defaultBackoff.factor, (n) => n >= 1 && Number.isFinite(n), 'a finite number ≥ 1'),
    jitter: number('backoff.jitter', b['jitter'], defaultBackoff.jitter, (n) => n >= 0 && n <= 1, 'between 0 and 1'),
    maxRetries: number(
      'backoff.maxRetries', b['maxRetries'], defaultBackoff.maxRetries,
      (n) => n === Infinity || (Number.isInteger(n) && n >= 0), 'a whole number ≥ 0 or Infinity',
    ),
  };
}

function isStore(value: object): value is LastEventIdStore {
  const s = value as Partial<LastEventIdStore>;
  return typeof s.get === 'function' && typeof s.set === 'function' && typeof s.delete === 'function';
}

/** The base URL relative URLs resolve against: the document's or worker's location, if any. */
function baseUrl(): string | undefined {
  const location = (globalThis as { location?: { href?: unknown } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}

/**
 * Validates the constructor's arguments. Throws `SyntaxError` for a URL that
 * cannot be parsed (as `EventSource` does), `TypeError` for a value of the
 * wrong type and `RangeError` for one out of range; each message names the
 * option and the value seen.
 */
export function normalizeOptions(url: string | URL, init: ResilientEventSourceInit | undefined): NormalizedOptions {
  let absolute: string;
  try {
    absolute = new URL(String(url), baseUrl()).href;
  } catch {
    // [spec] "If urlRecord is failure, then throw a "SyntaxError" DOMException":
    // callers (and WPT) check `instanceof DOMException`.
    const message = `Invalid URL ${show(String(url))}: cannot be parsed${baseUrl() ? '' : ' (relative URLs need a page or worker location)'}`;
    throw typeof DOMException === 'function' ? new DOMException(message, 'SyntaxError') : new SyntaxError(message);
  }

  if (init === undefined || init === null) init = {};
  if (typeof init !== 'object') throw new TypeError(`Options must be an object, got ${show(init)}`);
  rejectUnknown(init, knownOptions, '');
  const o = init as Record<string, unknown>;

  const headers = o['headers'];
  expect(headers === undefined || (headers !== null && (typeof headers === 'object' || typeof headers === 'function')), 'headers', 'a Headers object, a record, an array of pairs or a function', headers);
  if (typeof headers === 'object') {
    // Static headers are checked now, not on every attempt: a name or value
    // that `Headers` refuses would fail each request before it leaves.
    try {
      new Headers(headers as HeadersInit);
    } catch (cause) {
      throw new TypeError(`Option \`headers\` is not valid: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }

  const method = o['method'] ?? 'GET';
  expect(typeof method === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method), 'method', 'an HTTP method name like "POST"', method);
  const upperMethod = (method as string).toUpperCase();
  const body = o['body'];
  if (body !== undefined && (upperMethod === 'GET' || upperMethod === 'HEAD')) {
    throw new TypeError(`Option \`body\` cannot be sent with method ${upperMethod}. Did you mean \`method: 'POST'\`?`);
  }

  const fetchOption = o['fetch'] ?? (globalThis as { fetch?: unknown }).fetch;
  if (typeof fetchOption !== 'function' && o['fetch'] === undefined) {
    throw new TypeError('No global `fetch` in this runtime: pass one with the `fetch` option (Node 18+ has it built in)');
  }
  expect(typeof fetchOption === 'function', 'fetch', 'a function', fetchOption);

  const signal = o['signal'] as Partial<AbortSignal> | undefined;
  expect(signal === undefined || (typeof signal === 'object' && signal !== null && typeof signal.addEventListener === 'function' && typeof signal.aborted === 'boolean'), 'signal', 'an AbortSignal', signal);

  const dedupeOption = o['dedupe'];
  let dedupe: number;
  if (dedupeOption === false) dedupe = 0;
  else if (dedupeOption === true) {
    throw new TypeError('Option `dedupe` must be a window size or false, got true. Did you mean to leave it out (1000)?');
  } else {
    dedupe = number('dedupe', dedupeOption, defaultDedupeSize, (n) => Number.isInteger(n) && n >= 0 && n <= 1_000_000, 'a whole number from 0 to 1000000 (or false)');
  }

  const store = o['store'];
  expect(store === undefined || store === false || (typeof store === 'object' && store !== null && isStore(store)), 'store', 'an object with get, set and delete methods, or false', store);

  const storageKey = o['storageKey'] ?? absolute;
  expect(typeof storageKey === 'string' && storageKey !== '', 'storageKey', 'a non-empty string', storageKey);
  // A POST stream that ends has answered: reconnecting would send the request, and bill it, again.
  const endOfStream = o['endOfStream'] ?? (upperMethod === 'GET' ? 'reconnect' : 'close');
  expect(endOfStream === 'reconnect' || endOfStream === 'close', 'endOfStream', '"reconnect" or "close"', endOfStream);
  const lastEventIdQuery = o['lastEventIdQuery'];
  expect(lastEventIdQuery === undefined || (typeof lastEventIdQuery === 'string' && lastEventIdQuery !== ''), 'lastEventIdQuery', 'a non-empty query parameter name like "lastEventId"', lastEventIdQuery);

  const clock = (o['clock'] ?? systemClock) as Partial<Clock> | null;
  expect(typeof clock === 'object' && clock !== null && typeof clock.setTimeout === 'function' && typeof clock.now === 'function', 'clock', 'an object with now, setTimeout and clearTimeout', clock);
  const random = o['random'] ?? systemRandom;
  expect(typeof random === 'function', 'random', 'a function', random);

  return {
    url: absolute,
    withCredentials: boolean('withCredentials', o['withCredentials']),
    headers: headers as HeadersOption | undefined,
    method: upperMethod,
    body: body as BodyOption | undefined,
    // Browsers throw "Illegal invocation" when fetch runs with any `this` but
    // the global, as it would if called as a method of an options object.
    fetch: (input, requestInit) => Reflect.apply(fetchOption as FetchLike, globalThis, [input, requestInit]),
    defaultFetch: o['fetch'] === undefined,
    signal: signal as AbortSignal | undefined,
    backoff: normalizeBackoff(o['backoff']),
    heartbeatTimeout: number('heartbeatTimeout', o['heartbeatTimeout'], defaultHeartbeatTimeout, isDelay, `0 (off) or up to ${maxTimerDelay} ms`),
    dedupe,
    store: store as LastEventIdStore | false | undefined,
    storageKey: storageKey as string,
    lastEventIdQuery: lastEventIdQuery as string | undefined,
    maxEventSize: number('maxEventSize', o['maxEventSize'], defaultMaxEventSize, (n) => Number.isInteger(n) && n > 0, 'a whole number > 0'),
    pauseWhenHidden: boolean('pauseWhenHidden', o['pauseWhenHidden']),
    endOfStream: endOfStream as 'reconnect' | 'close',
    share: boolean('share', o['share']),
    clock: clock as Clock,
    random: random as RandomSource,
  };
}
