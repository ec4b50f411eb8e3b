/**
 * What the shared stream (share/) asks of a source, built from the source's
 * driver and delivery: lead (connect for every tab), or mirror what the
 * leader announces. Each step is a no-op once the source is closed.
 */
import type { Delivery } from './delivery.js';
import type { Driver } from './driver.js';
import { ReconnectingEvent, StatsEvent, StreamErrorEvent } from '../contract/events.js';
import { joinSharedStream, type SharedStreamHost } from '../share/shared-stream.js';
import type { StreamStats } from '../contract/types.js';

const CONNECTING = 0;
const OPEN = 1;

/** The parts of a source the shared stream works through. */
export interface ShareParts {
  driver: Driver;
  delivery: Delivery;
  /** Fires an event at the source. */
  fire(event: Event): void;
  /** The source's stats snapshot. */
  stats(): StreamStats;
  /** The source's `reconnect()` (a follower's goes to the leader). */
  reconnect(): void;
}

/**
 * Joins the shared stream of `key`: the source follows it until the lock makes
 * it the leader. Returns false where sharing is impossible (no Web Locks or
 * BroadcastChannel): the source then keeps a private connection.
 */
export function joinShare(key: string, parts: ShareParts): boolean {
  const d = parts.delivery;
  // A follower until the lock says otherwise, even while joining (a lock
  // manager may grant the lock before joinSharedStream() returns).
  d.sharing = true;
  d.shared = joinSharedStream(key, shareHost(parts));
  d.sharing = d.shared !== undefined;
  return d.sharing;
}

/** What the shared stream asks of this source; each step is a no-op once it is closed. */
function shareHost({ driver, delivery: d, fire, stats, reconnect }: ShareParts): SharedStreamHost {
  const live = () => !driver.isClosed();
  return {
    lead: () => {
      if (driver.isHalted()) return false;
      // What this tab has seen is the cursor now: it resumes from its own last id
      // and dedupe window, so it neither skips nor repeats what it showed.
      d.cursor.changed();
      driver.readyState = CONNECTING;
      fire(new StatsEvent(stats()));
      void driver.connect();
      return true;
    },
    snapshot: () => ({ readyState: driver.readyState, origin: d.origin, lastEventId: d.lastEventId }),
    hasDelivered: () => d.counters.eventsDelivered > 0,
    adoptCursor: (lastEventId) => {
      d.lastEventId = lastEventId;
    },
    open: (status, headers, url) => {
      if (live() && driver.readyState !== OPEN) driver.announceConnection(status, headers, url);
    },
    events: (origin, events) => {
      // Repeats are dropped by id, and nothing heard is relayed (every tab heard it).
      d.origin = origin;
      for (const e of events) {
        if (!live()) return;
        if (e.data === undefined) d.moveTo(e.id as string, false);
        else d.message(e.type, e.data, e.id, false);
      }
    },
    lost: (error) => {
      if (!live()) return;
      driver.readyState = CONNECTING;
      fire(new StreamErrorEvent(error));
    },
    reconnecting: (init) => {
      if (!live()) return;
      driver.readyState = CONNECTING;
      fire(new ReconnectingEvent(init));
    },
    over: (error) => {
      if (!live()) return;
      if (error) driver.fail(error);
      else driver.close();
    },
    reconnect,
  };
}
