export { ResilientEventSource, type ResilientEventSourceEventMap } from './event-source.js';
export {
  iteratorBufferSize,
  OpenEvent,
  ReconnectingEvent,
  StatsEvent,
  StoreError,
  StreamError,
  StreamErrorEvent,
  type OpenInit,
  type ReconnectingInit,
  type StreamErrorInit,
} from './errors.js';
export { wakeCheckInterval, wakeThreshold } from './wake.js';
export { computeDelay, defaultBackoff, maxServerWait, parseRetryAfter, type BackoffPolicy } from './backoff.js';
export { defaultDedupeSize, defaultHeartbeatTimeout, defaultMaxEventSize } from './options.js';
export { createMemoryStore } from './stores/memory-store.js';
export { createIndexedDbStore, defaultDatabaseName, defaultObjectStoreName } from './stores/indexeddb-store.js';
export type { Clock, RandomSource, TimerHandle } from './clock.js';
export type * from './types.js';
