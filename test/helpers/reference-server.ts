/**
 * The harness of the tests against the reference server (server/) over real
 * sockets on 127.0.0.1. Each such file keeps its own `server` (a test may
 * close it and start another on the same port), made in `beforeEach` and
 * closed in `afterEach` after the sources (see `closeAll` in sources.ts).
 */
import {
  ReconnectingEvent,
  ResilientEventSource,
  type ResilientEventSourceInit,
  StreamErrorEvent,
} from '../../src/index.js';
import { ours, recorder } from './events.js';

/**
 * A source on `url`, as these tests open one: no store, and a backoff from
 * 20 ms to 200 ms so that reconnects stay fast. Records its own `error` and
 * `reconnecting` events, and, in `got`, every message (see `recorder`).
 */
export function openOn(sources: ResilientEventSource[], url: string, options: ResilientEventSourceInit = {}) {
  const es = new ResilientEventSource(url, { store: false, backoff: { initialDelay: 20, maxDelay: 200 }, ...options });
  sources.push(es);
  const errors: StreamErrorEvent[] = [];
  const reconnects: ReconnectingEvent[] = [];
  es.addEventListener(
    'error',
    ours(StreamErrorEvent, (e) => errors.push(e)),
  );
  es.addEventListener(
    'reconnecting',
    ours(ReconnectingEvent, (e) => reconnects.push(e)),
  );
  return { es, got: recorder(es), errors, reconnects };
}
