/**
 * Compile-time checks, run by `npm run typecheck` (part of `npm test`): this
 * file has no runtime tests; if a type below stops holding, tsc fails.
 */
import {
  type LastEventIdStore,
  ReconnectingEvent,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StreamErrorEvent,
} from '../../src/index.js';

// An instance can stand wherever an EventSource is expected… (lib.dom's here; the
// same check against @types/node's EventSource, without lib.dom, runs on the
// packed declarations in test/fixtures/types-consumer.ts, see test/package/types.pack.test.ts)
const source = new ResilientEventSource('http://example.test/') satisfies EventSource;
const asNative: EventSource = source;
// …and the class wherever the EventSource constructor is.
const Ctor: new (url: string | URL, init?: EventSourceInit) => EventSource = ResilientEventSource;
const constants: Pick<typeof EventSource, 'CONNECTING' | 'OPEN' | 'CLOSED'> = ResilientEventSource;
// EventSourceInit is a valid options object.
const init: ResilientEventSourceInit = { withCredentials: true } satisfies EventSourceInit;

// Listeners get the precise event types: ours, or a server event of that name (a MessageEvent).
source.addEventListener('error', (e) => {
  if (!(e instanceof StreamErrorEvent)) {
    const data: unknown = e.data;
    return void data;
  }
  const reason: StreamErrorEvent['reason'] = e.reason;
  const status: number | undefined = e.status;
  void [reason, status];
});
source.addEventListener('reconnecting', (e) => {
  if (!(e instanceof ReconnectingEvent)) return;
  const n: number = e.attempt + e.delay;
  void n;
});
source.addEventListener('message', (e) => {
  const data: unknown = e.data;
  const id: string = e.lastEventId;
  void [data, id];
});
source.addEventListener('custom-type', (e) => {
  const id: string = e.lastEventId;
  void id;
});
source.onerror = (e) => void (e instanceof StreamErrorEvent ? e.reason : e.data);
source.onmessage = function (e) {
  this.close();
  void e.data;
};

// Options compile under exactOptionalPropertyTypes with explicit undefined.
const options: ResilientEventSourceInit = {
  headers: undefined,
  backoff: { initialDelay: undefined, maxRetries: 5 },
  store: false,
  dedupe: false,
  heartbeatTimeout: 0,
};

// A store is a plain structural object.
const store: LastEventIdStore = {
  get: async () => ({ lastEventId: '1', recentIds: [] }),
  set: async () => {},
  delete: async () => {},
};

// @ts-expect-error -- an unknown option is a type error (and a TypeError at run time).
const typo: ResilientEventSourceInit = { heartbeatTimout: 5 };
// @ts-expect-error -- `dedupe: true` is not a window size.
const badDedupe: ResilientEventSourceInit = { dedupe: true };

void [asNative, Ctor, constants, init, options, store, typo, badDedupe, ReconnectingEvent];
