/**
 * The option table: one row per option of `new ResilientEventSource(url, options)`,
 * saying what type it takes, what range, its default and how it is stored.
 * options.ts walks it; adding an option is adding a row here (and its field
 * in `ResilientEventSourceInit` and `NormalizedOptions`: the `satisfies`
 * clauses below fail to compile until the table covers every public key).
 *
 * Every message is built by the walker from the row, in one shape:
 * "Option `name` must be <type or range>, got <value>".
 */
import {
  defaultBackoff,
  defaultDedupeSize,
  defaultHeartbeatTimeout,
  defaultMaxEventSize,
} from '../contract/defaults.js';
import { maxTimerDelay, systemClock, systemRandom, withMonotonic } from '../platform/clock.js';
import type { BackoffOptions, ResilientEventSourceInit } from '../contract/types.js';

/** The options normalised so far, in table order: rows may read earlier ones. */
export type Done = Record<string, any>;

/**
 * One row of the table. The walker takes the given value, or `or` when it is
 * `undefined`; a value still `undefined` is stored as it is (the option is
 * off). Otherwise, in this order: `is` (else a TypeError "must be `type`"),
 * `of` (a nested table), `to`, `range` (else a RangeError "must be range[1]").
 */
export interface OptionSpec {
  /** Whether the value has the right type. Absent: any value. */
  is?: (value: any) => boolean;
  /** What `is` accepts, for the message: "a boolean". */
  type?: string;
  /**
   * The default: a value, or a function of the options normalised so far
   * (so a default that is itself a function must be wrapped in one).
   */
  or?: unknown;
  /** A nested table (`backoff`): its fields are walked, named `name.field`. */
  of?: Record<string, OptionSpec>;
  /** The internal form of an accepted value; throws for a value that earlier options rule out. */
  to?: (value: any, done: Done) => unknown;
  /** Whether the (converted) value is in range, and what the range is, for the message. */
  range?: readonly [(value: any) => boolean, string];
}

/** Throws "Option `name` TEXT": the start every option error shares. */
export function optionError(Error: typeof TypeError, name: string, text: string, cause?: unknown): never {
  throw new Error(`Option \`${name}\` ${text}`, { cause });
}

const isFunction = (value: unknown) => typeof value === 'function';
const isNumber = (value: unknown) => typeof value === 'number' && !Number.isNaN(value);
const isObject = (value: unknown) => typeof value === 'object' && value !== null;
const isText = (value: unknown) => typeof value === 'string' && value !== '';
/** Whether `value` has a method of each name (a structural check, so stores and clocks need no class). */
const has = (value: any, ...names: string[]) => names.every((name) => isFunction(value?.[name]));

/** A number from `min` to `max`; `whole` also refuses fractions (Infinity % 1 is NaN, so `Infinity` passes). */
const number = (min: number, max: number, range: string, or: unknown, whole?: boolean): OptionSpec => ({
  is: isNumber,
  type: 'a number',
  or,
  range: [(n: number) => n >= min && n <= max && !(whole && n % 1), range],
});

const flag: OptionSpec = { is: (value) => typeof value === 'boolean', type: 'a boolean', or: false };
const delay = `between 0 and ${maxTimerDelay} ms`;

/** The `backoff` option's fields (see backoff.ts for what they do). */
export const backoffSpecs = {
  initialDelay: number(0, maxTimerDelay, delay, defaultBackoff.initialDelay),
  // Raised to `initialDelay` when only that is given larger than the default.
  maxDelay: number(0, maxTimerDelay, delay, (b: Done) => Math.max(defaultBackoff.maxDelay, b['initialDelay'])),
  factor: number(1, Number.MAX_VALUE, 'a finite number ≥ 1', defaultBackoff.factor),
  jitter: number(0, 1, 'between 0 and 1', defaultBackoff.jitter),
  maxRetries: number(0, Infinity, 'a whole number ≥ 0 or Infinity', defaultBackoff.maxRetries, true),
} satisfies Record<keyof BackoffOptions, OptionSpec>;

/** Every option, in the order they are checked (a row's `or` and `to` see only the rows above it). */
export const optionSpecs = {
  withCredentials: flag,
  headers: {
    is: (value) => isFunction(value) || isObject(value),
    type: 'a Headers object, a record, an array of pairs or a function',
    to(headers) {
      // Static headers are checked now, not on every attempt: a name or value
      // that `Headers` refuses would fail each request before it leaves.
      if (!isFunction(headers)) {
        try {
          new Headers(headers);
        } catch (cause) {
          optionError(TypeError, 'headers', `is not valid: ${(cause as Error)?.message ?? cause}`, cause);
        }
      }
      return headers;
    },
  },
  method: {
    is: (value) => typeof value === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value),
    type: 'an HTTP method name like "POST"',
    or: 'GET',
    to: (method: string) => method.toUpperCase(),
  },
  body: {
    to: (body, { method }) =>
      method === 'GET' || method === 'HEAD'
        ? optionError(TypeError, 'body', `cannot be sent with method ${method}. Did you mean \`method: 'POST'\`?`)
        : body,
  },
  fetch: {
    is: isFunction,
    type: 'a function',
    or: () =>
      globalThis.fetch ??
      optionError(TypeError, 'fetch', 'is needed: this runtime has no global fetch (Node 18+ has it built in)'),
    // Browsers throw "Illegal invocation" when fetch runs with any `this` but
    // the global, as it would if called as a method of an options object.
    to: (fetch: typeof globalThis.fetch) => fetch.bind(globalThis),
  },
  signal: {
    is: (value) => typeof value?.aborted === 'boolean' && has(value, 'addEventListener'),
    type: 'an AbortSignal',
  },
  backoff: {
    is: (value) => isObject(value) && !Array.isArray(value),
    type: 'an object like { initialDelay: 1000 }',
    or: {},
    of: backoffSpecs,
    to: (b: Done) =>
      b['maxDelay'] < b['initialDelay']
        ? optionError(
            RangeError,
            'backoff.maxDelay',
            `(${b['maxDelay']}) must not be less than \`backoff.initialDelay\` (${b['initialDelay']})`,
          )
        : b,
  },
  heartbeatTimeout: number(0, maxTimerDelay, `0 (off) or up to ${maxTimerDelay} ms`, defaultHeartbeatTimeout),
  dedupe: {
    ...number(0, 1_000_000, 'a whole number from 0 to 1000000 (or false)', defaultDedupeSize, true),
    is: (value) => value === false || isNumber(value),
    type: 'a window size or false',
    to: Number, // false = 0 = off
  },
  // `undefined` = the runtime's default store, picked later; `false` = none.
  store: {
    is: (value) => value === false || has(value, 'get', 'set', 'delete'),
    type: 'an object with get, set and delete methods, or false',
  },
  storageKey: { is: isText, type: 'a non-empty string', or: (o: Done) => o['url'] },
  lastEventIdQuery: { is: isText, type: 'a non-empty query parameter name like "lastEventId"' },
  maxEventSize: number(1, Number.MAX_VALUE, 'a whole number > 0', defaultMaxEventSize, true),
  pauseWhenHidden: flag,
  endOfStream: {
    is: (value) => value === 'reconnect' || value === 'close',
    type: '"reconnect" or "close"',
    // A POST stream that ends has answered: reconnecting would send the request, and bill it, again.
    or: (o: Done) => (o['method'] === 'GET' ? 'reconnect' : 'close'),
  },
  share: flag,
  clock: {
    is: (value) => has(value, 'now', 'setTimeout', 'clearTimeout'),
    type: 'an object with now, setTimeout and clearTimeout',
    or: systemClock,
    to: withMonotonic,
  },
  random: { is: isFunction, type: 'a function', or: () => systemRandom },
} satisfies Record<keyof ResilientEventSourceInit, OptionSpec>;
