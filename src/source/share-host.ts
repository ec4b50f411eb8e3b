/**
 * What the shared stream (share/) asks of a source, built from the source's
 * driver and delivery: lead (connect for every tab), or mirror what the
 * leader announces. Each step is a no-op once the source is closed.
 */
import type { Delivery } from './delivery.js';
import type { Driver } from './driver.js';
import { ReconnectingEvent, StreamErrorEvent } from '../contract/events.js';
import type { SharedStreamHost } from '../share/shared-stream.js';
import { OPEN } from './ready-state.js';

/** The parts of a source the shared stream works through. */
export interface ShareParts {
  driver: Driver;
  delivery: Delivery;
  /** The source's `reconnect()` (a follower's goes to the leader). */
  reconnect(): void;
}

/**
 * Joins the shared stream of `key`: the source follows it until the lock makes
 * it the leader. Returns false where sharing is impossible (no Web Locks or
 * BroadcastChannel): the source then keeps a private connection.
 */
export function joinShare(key: string, parts: ShareParts): boolean {
  return parts.delivery.membership.join(key, shareHost(parts));
}

/** What the shared stream asks of this source; each step is a no-op once it is closed. */
function shareHost({ driver, delivery: d, reconnect }: ShareParts): SharedStreamHost {
  const live = () => !driver.isClosed();
  return {
    lead: () => driver.lead(),
    snapshot: () => ({ readyState: driver.readyState, origin: d.origin, lastEventId: d.lastEventId }),
    hasDelivered: () => d.counters.eventsDelivered > 0,
    adoptCursor: (lastEventId) => d.adopt(lastEventId),
    open: (status, headers, url) => {
      if (live() && driver.readyState !== OPEN) driver.announceConnection(status, headers, url);
    },
    events: (origin, events) => {
      // Repeats are dropped by id, and nothing heard is relayed (every tab heard it).
      d.servedFrom(origin);
      for (const e of events) {
        if (!live()) return;
        if (e.data === undefined) d.moveTo(e.id as string, false);
        else d.message(e.type, e.data, e.id, false);
      }
    },
    lost: (error) => driver.follow(new StreamErrorEvent(error)),
    reconnecting: (init) => driver.follow(new ReconnectingEvent(init)),
    over: (error) => {
      if (!live()) return;
      if (error) driver.fail(error);
      else driver.close();
    },
    reconnect,
  };
}
