/**
 * The defaults of the options, in one place: the option table applies them,
 * the policy and the tests read them, and the package exports them, so that
 * no number is written twice.
 */
import type { BackoffPolicy } from './types.js';

/** The defaults of the `backoff` option. */
export const defaultBackoff: Readonly<BackoffPolicy> = Object.freeze({
  initialDelay: 1000,
  maxDelay: 30_000,
  factor: 2,
  jitter: 0.5,
  maxRetries: Infinity,
});

/** Default of `heartbeatTimeout`, in ms. */
export const defaultHeartbeatTimeout = 45_000;
/** Default of `dedupe`: how many recent ids are remembered. */
export const defaultDedupeSize = 1000;
/** Default of `maxEventSize`: 16 MiB of decoded text. */
export const defaultMaxEventSize = 16 * 1024 * 1024;
