/**
 * The option table: one typed row per option of `new ResilientEventSource(url, options)`,
 * saying what type it takes, what range, its default and its internal form.
 * options.ts walks it, and derives `NormalizedOptions` from it: adding an
 * option is adding its row here and its field in `ResilientEventSourceInit`
 * (the `satisfies` clauses below fail to compile until the table covers every
 * public key).
 *
 * Every message is built by the walker from the row, in one shape:
 * "Option `name` must be <type or range>" (the development build adds the
 * value it got).
 */
import {
  defaultBackoff,
  defaultDedupeSize,
  defaultHeartbeatTimeout,
  defaultMaxEventSize,
} from '../contract/defaults.js';
import type {
  BackoffOptions,
  BackoffPolicy,
  BodyOption,
  FetchLike,
  HeadersOption,
  LastEventIdStore,
  ResilientEventSourceInit,
} from '../contract/types.js';
import { development } from '../platform/build.js';
import { httpToken } from '../platform/http.js';
import {
  maxTimerDelay,
  type RandomSource,
  type SourceClock,
  systemClock,
  systemRandom,
  withMonotonic,
} from '../platform/clock.js';

/** The options normalised before a row, which its default or conversion may read (rows go in table order). */
export interface Earlier extends Fields {
  readonly url: string;
  readonly method: string;
}

/** Normalised fields by name, as the walker holds them. */
export interface Fields {
  readonly [name: string]: unknown;
}

/**
 * One row of the table: how the value given for one option becomes its
 * internal form `Out`. The walker takes the given value, or the default
 * (`or`, or `orFrom` the earlier options) when it is `undefined`; a value
 * still `undefined` is stored as it is (the option is off). Otherwise, in this
 * order: `is` (else a TypeError "must be `type`"), `of` (a nested table),
 * `to`, `range` (else a RangeError "must be `range.expected`").
 *
 * (Members are methods so that a row of a narrower type is still a row of a
 * wider one: see {@link optional}.)
 */
export interface OptionSpec<Out, In = Out, E = Earlier> {
  /** Whether the given value has the right type, which makes it an `In`. Absent: any value. */
  is?(value: unknown): boolean;
  /** What `is` accepts, for the message: "a boolean". */
  type?: string;
  /** The default. */
  or?: In;
  /** The default, from the options normalised before this one. */
  orFrom?(earlier: E): In;
  /**
   * A nested table (`backoff`): its fields are walked, named `name.field`, and
   * `to` gets the result. Walked with `{}` when the option is left out, so
   * that every field gets its default.
   */
  of?: { [field: string]: OptionSpec<unknown, unknown, Fields> };
  /** The internal form of an accepted value; throws for a value that earlier options rule out. */
  to?(value: In, earlier: E): Out;
  /** Whether the (converted) value is in range, and what the range is, for the message. */
  range?: { test(value: Out): boolean; expected: string };
}

/** A table of rows, one per field of `T`; a row may read the fields above it. */
export type OptionTable<T> = { [K in keyof T]-?: OptionSpec<T[K], unknown, Partial<T> & Fields> };

/** The internal form a row gives. */
export type OutputOf<S> = S extends OptionSpec<infer Out, infer _In, infer _Earlier> ? Out : never;

/** Throws "Option `name` TEXT": the start every option error shares. */
export function optionError(ErrorType: typeof TypeError, name: string, text: string, cause?: unknown): never {
  throw new ErrorType(`Option \`${name}\` ${text}`, { cause });
}

/** A row for an option with a default (`or` or `orFrom`): its internal form is always an `Out`. */
function required<Out, In = Out>(
  spec: OptionSpec<Out, In> & ({ or: In } | { orFrom(earlier: Earlier): In }),
): OptionSpec<Out, In> {
  return spec;
}

/** A row for an option made of fields (`backoff`): a nested table, walked even when the option is left out. */
function nested<Out, In = Out>(
  spec: OptionSpec<Out, In> & Required<Pick<OptionSpec<Out, In>, 'of'>>,
): OptionSpec<Out, In> {
  return spec;
}

/** A row for an option that may be left out: its internal form is then `undefined` (off). */
function optional<Out, In = Out>(spec: Omit<OptionSpec<Out, In>, 'or' | 'orFrom'>): OptionSpec<Out | undefined, In> {
  return spec;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';
const isNumber = (value: unknown): boolean => typeof value === 'number' && !Number.isNaN(value);
const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
const isText = (value: unknown): boolean => typeof value === 'string' && value !== '';
/** Whether `value` has a method of each name (a structural check, so stores and clocks need no class). */
const has = (value: unknown, ...names: string[]): boolean =>
  isObject(value) && names.every((name) => isFunction((value as Record<string, unknown>)[name]));

/** What a {@link number} row allows. */
interface NumberRange<E> {
  min: number;
  max: number;
  /** Whole numbers only (`Infinity` counts as one, for `maxRetries`). */
  integer?: boolean | undefined;
  /** The range, for the message. */
  expected: string;
  or?: number;
  orFrom?(earlier: E): number;
}

/** The range of a {@link number} row: from `min` to `max`, whole numbers only when `integer`. */
function numberRange({ min, max, integer, expected }: Omit<NumberRange<unknown>, 'or' | 'orFrom'>) {
  const test = (n: number) => n >= min && n <= max && (!integer || Number.isInteger(n) || n === Infinity);
  return { test, expected };
}

/** A number from `min` to `max`; `defaults` is its `or` or `orFrom`, as given. */
function number<E = Earlier>({
  min,
  max,
  integer,
  expected,
  ...defaults
}: NumberRange<E>): OptionSpec<number, number, E> {
  return { is: isNumber, type: 'a number', ...defaults, range: numberRange({ min, max, integer, expected }) };
}

const flag = required<boolean>({ is: (value) => typeof value === 'boolean', type: 'a boolean', or: false });
const delay = `between 0 and ${maxTimerDelay} ms`;

/** The `backoff` option's fields (see backoff.ts for what they do). */
export const backoffSpecs = {
  initialDelay: number({ min: 0, max: maxTimerDelay, expected: delay, or: defaultBackoff.initialDelay }),
  maxDelay: number<Partial<BackoffPolicy> & Fields>({
    min: 0,
    max: maxTimerDelay,
    expected: delay,
    // Raised to `initialDelay` when only that is given larger than the default.
    orFrom: ({ initialDelay = 0 }) => Math.max(defaultBackoff.maxDelay, initialDelay),
  }),
  factor: number({ min: 1, max: Number.MAX_VALUE, expected: 'a finite number ≥ 1', or: defaultBackoff.factor }),
  jitter: number({ min: 0, max: 1, expected: 'between 0 and 1', or: defaultBackoff.jitter }),
  maxRetries: number({
    min: 0,
    max: Infinity,
    integer: true,
    expected: 'a whole number ≥ 0 or Infinity',
    or: defaultBackoff.maxRetries,
  }),
} satisfies OptionTable<BackoffPolicy> & Record<keyof BackoffOptions, unknown>;

/** Every option, in the order they are checked (a row's `orFrom` and `to` see only the rows above it). */
export const optionSpecs = {
  withCredentials: flag,
  headers: optional<HeadersOption>({
    is: (value) => isFunction(value) || isObject(value),
    type: 'a Headers object, a record, an array of pairs or a function',
    to(headers) {
      // Static headers are checked now, not on every attempt: a name or value
      // that `Headers` refuses would fail each request before it leaves.
      if (typeof headers !== 'function') {
        try {
          new Headers(headers);
        } catch (cause) {
          optionError(TypeError, 'headers', `is not valid: ${(cause as Error)?.message ?? cause}`, cause);
        }
      }
      return headers;
    },
  }),
  method: required<string>({
    is: (value) => typeof value === 'string' && httpToken.test(value),
    type: 'an HTTP method name like "POST"',
    or: 'GET',
    to: (method) => method.toUpperCase(),
  }),
  body: optional<BodyOption>({
    to(body, { method }) {
      if (method !== 'GET' && method !== 'HEAD') return body;
      const hint = development ? ". Did you mean `method: 'POST'`?" : '';
      return optionError(TypeError, 'body', `cannot be sent with method ${method}${hint}`);
    },
  }),
  fetch: required<FetchLike>({
    is: isFunction,
    type: 'a function',
    orFrom: () =>
      globalThis.fetch ??
      optionError(
        TypeError,
        'fetch',
        `is needed: this runtime has no global fetch${development ? ' (Node 18+ has it built in)' : ''}`,
      ),
    // Browsers throw "Illegal invocation" when fetch runs with any `this` but
    // the global, as it would if called as a method of an options object.
    to: (fetch) => fetch.bind(globalThis),
  }),
  signal: optional<AbortSignal>({
    is: (value) => typeof (value as AbortSignal | null)?.aborted === 'boolean' && has(value, 'addEventListener'),
    type: 'an AbortSignal',
  }),
  backoff: nested<BackoffPolicy>({
    is: (value) => isObject(value) && !Array.isArray(value),
    type: 'an object like { initialDelay: 1000 }',
    of: backoffSpecs,
    to(backoff) {
      if (backoff.maxDelay >= backoff.initialDelay) return backoff;
      const text = development
        ? `(${backoff.maxDelay}) must not be less than \`backoff.initialDelay\` (${backoff.initialDelay})`
        : 'must not be less than `backoff.initialDelay`';
      return optionError(RangeError, 'backoff.maxDelay', text);
    },
  }),
  heartbeatTimeout: number({
    min: 0,
    max: maxTimerDelay,
    expected: `0 (off) or up to ${maxTimerDelay} ms`,
    or: defaultHeartbeatTimeout,
  }),
  dedupe: required<number, number | false>({
    is: (value) => value === false || isNumber(value),
    type: 'a window size or false',
    or: defaultDedupeSize,
    to: Number, // false = 0 = off
    range: numberRange({
      min: 0,
      max: 1_000_000,
      integer: true,
      expected: 'a whole number from 0 to 1000000 (or false)',
    }),
  }),
  // `undefined` = the runtime's default store, picked later; `false` = none.
  store: optional<LastEventIdStore | false>({
    is: (value) => value === false || has(value, 'get', 'set', 'delete'),
    type: 'an object with get, set and delete methods, or false',
  }),
  storageKey: required<string>({ is: isText, type: 'a non-empty string', orFrom: ({ url }) => url }),
  lastEventIdQuery: optional<string>({ is: isText, type: 'a non-empty query parameter name like "lastEventId"' }),
  maxEventSize: number({
    min: 1,
    max: Number.MAX_VALUE,
    integer: true,
    expected: 'a whole number > 0',
    or: defaultMaxEventSize,
  }),
  pauseWhenHidden: flag,
  endOfStream: required<'reconnect' | 'close'>({
    is: (value) => value === 'reconnect' || value === 'close',
    type: '"reconnect" or "close"',
    // A POST stream that ends has answered: reconnecting would send the request, and bill it, again.
    orFrom: ({ method }) => (method === 'GET' ? 'reconnect' : 'close'),
  }),
  share: flag,
  clock: required<SourceClock, NonNullable<ResilientEventSourceInit['clock']>>({
    is: (value) => has(value, 'now', 'setTimeout', 'clearTimeout'),
    type: 'an object with now, setTimeout and clearTimeout',
    or: systemClock,
    to: withMonotonic,
  }),
  random: required<RandomSource>({ is: isFunction, type: 'a function', or: systemRandom }),
} satisfies Record<keyof ResilientEventSourceInit, OptionSpec<unknown, unknown>>;
