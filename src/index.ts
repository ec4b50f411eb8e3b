export { ResilientEventSource, type ResilientEventSourceEventMap } from './source/event-source.js';
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
} from './contract/events.js';
export { wakeCheckInterval, wakeThreshold } from './platform/wake.js';
export { computeDelay, maxServerWait, parseRetryAfter } from './policy/backoff.js';
export {
  defaultBackoff,
  defaultDedupeSize,
  defaultHeartbeatTimeout,
  defaultMaxEventSize,
} from './contract/defaults.js';
export { createMemoryStore } from './persistence/stores/memory-store.js';
export {
  createIndexedDbStore,
  defaultDatabaseName,
  defaultObjectStoreName,
} from './persistence/stores/indexeddb-store.js';
export type { Clock, RandomSource, TimerHandle } from './platform/clock.js';
export type * from './contract/types.js';
